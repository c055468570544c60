// SPDX-License-Identifier: Apache-2.0
#include "registry/Registry.h"

#include "common/Logging.h"
#include "identity/Validator.h"
#include "registry/RegistryTables.h"

#include <QJsonArray>
#include <QSet>
#include <QSqlQuery>

namespace mandate::registry {

using namespace mandate::identity;

namespace {

/// Answers validation questions from the stored registry plus records about to be written.
class RegistryContext final : public ValidationContext
{
public:
    RegistryContext(const RecordTable<Human> &humans, const RecordTable<Agent> &agents,
                    const RecordTable<Tool> &tools)
        : m_humans(humans), m_agents(agents)
    {
        if (auto all = tools.all()) {
            for (const Tool &tool : all.value())
                addTool(tool);
        }
    }

    void addHuman(const QString &id) { m_extraHumans.insert(id); }
    void addAgent(const QString &id) { m_extraAgents.insert(id); }
    void addTool(const Tool &tool)
    {
        for (const ToolAction &action : tool.actions)
            m_actions.insert(action.name);
    }

    bool hasHuman(const QString &id) const override { return m_extraHumans.contains(id) || m_humans.contains(id); }
    bool hasAgent(const QString &id) const override { return m_extraAgents.contains(id) || m_agents.contains(id); }
    bool hasAction(const QString &action) const override { return m_actions.contains(action); }

private:
    const RecordTable<Human> &m_humans;
    const RecordTable<Agent> &m_agents;
    QSet<QString> m_extraHumans;
    QSet<QString> m_extraAgents;
    QSet<QString> m_actions;
};

std::vector<Error> validateRecord(const Agent &r, const ValidationContext &c, const QString &p) { return Validator::validate(r, c, p); }
std::vector<Error> validateRecord(const Tool &r, const ValidationContext &, const QString &p) { return Validator::validate(r, p); }
std::vector<Error> validateRecord(const Human &r, const ValidationContext &, const QString &p) { return Validator::validate(r, p); }
std::vector<Error> validateRecord(const Machine &r, const ValidationContext &c, const QString &p) { return Validator::validate(r, c, p); }

Error invalid(const QString &kind, std::vector<Error> errors)
{
    Error error{QStringLiteral("invalid"),
                QStringLiteral("%1 is invalid: %2").arg(kind, errors.front().toString())};
    if (errors.size() > 1)
        error.message += QStringLiteral(" (and %1 more)").arg(errors.size() - 1);
    error.details = std::move(errors);
    return error;
}

/// An update must not take away what other records rely on: a tool keeps every action that an
/// agent may call. Other kinds have nothing to check (their ids cannot change).
Status keepsReferences(const QString &kind, const Tool &current, const Tool &updated, const RecordTable<Agent> &agentTable)
{
    auto agents = agentTable.all();
    if (!agents)
        return agents.error();
    QStringList problems;
    for (const ToolAction &action : current.actions) {
        if (updated.action(action.name))
            continue;
        QStringList users;
        for (const Agent &agent : agents.value()) {
            if (agent.allowedActions.contains(action.name))
                users << QStringLiteral("agent \"%1\"").arg(agent.id);
        }
        if (!users.isEmpty())
            problems << QStringLiteral("cannot drop action \"%1\": it is allowed to %2").arg(action.name, users.join(QStringLiteral(", ")));
    }
    if (problems.isEmpty())
        return Status::success();
    return Error{QStringLiteral("in_use"), QStringLiteral("%1 \"%2\" %3").arg(kind, current.id, problems.join(QStringLiteral("; ")))};
}

template<typename Record>
Status keepsReferences(const QString &, const Record &, const Record &, const RecordTable<Agent> &)
{
    return Status::success();
}

/// A human is who an ID token's issuer and subject name: two records with the same pair would
/// let a new record take over the delegations, policies and audit trail of the other. Asked of
/// SQLite (a scan, no decoding): it runs inside the audit writer's transaction for admin writes.
Status keepsIdentityUnique(const Human &human, const store::Database &database)
{
    QSqlQuery query(database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT id FROM humans WHERE id <> ? AND json_extract(body, '$.issuer') = ? "
                                 "AND json_extract(body, '$.subject') = ? LIMIT 1"));
    query.addBindValue(human.id);
    query.addBindValue(human.issuer);
    query.addBindValue(human.subject);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the registry"), query);
    if (!query.next())
        return Status::success();
    return Error{QStringLiteral("invalid"),
                 QStringLiteral("human \"%1\" has the issuer and subject of human \"%2\": an ID token would name both")
                     .arg(human.id, query.value(0).toString()),
                 QStringLiteral("subject")};
}

template<typename Record>
Status keepsIdentityUnique(const Record &, const store::Database &)
{
    return Status::success();
}

bool matches(const Agent &agent, const AgentFilter &filter)
{
    if (!filter.text.isEmpty() && !agent.id.contains(filter.text, Qt::CaseInsensitive)
        && !agent.displayName.contains(filter.text, Qt::CaseInsensitive)
        && !agent.description.contains(filter.text, Qt::CaseInsensitive))
        return false;
    if (!filter.label.isEmpty()) {
        const QString key = filter.label.section(u'=', 0, 0);
        if (!agent.labels.contains(key))
            return false;
        if (filter.label.contains(u'=') && agent.labels.value(key) != filter.label.section(u'=', 1))
            return false;
    }
    return true;
}

} // namespace

Registry::Registry(const store::Database &database, const Clock &clock, QObject *parent)
    : QObject(parent), m_db(database), m_clock(clock), m_tables(std::make_unique<Tables>(database))
{
}

Registry::~Registry() = default;

Result<std::vector<Agent>> Registry::agents(const AgentFilter &filter) const
{
    QSqlQuery query(m_db.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT body FROM agents WHERE (:status = '' OR status = :status) "
                                 "AND (:owner = '' OR owner = :owner) ORDER BY id"));
    query.bindValue(QStringLiteral(":status"), store::Database::text(filter.status));
    query.bindValue(QStringLiteral(":owner"), store::Database::text(filter.owner));
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot list agents"), query);
    std::vector<Agent> result;
    while (query.next()) {
        Result<Agent> agent = RecordTable<Agent>::decode(query.value(0).toByteArray());
        if (!agent)
            return agent.error();
        if (matches(agent.value(), filter))
            result.push_back(std::move(agent).value());
    }
    return result;
}

Result<std::vector<Tool>> Registry::tools() const { return m_tables->tools.all(); }
Result<std::vector<Human>> Registry::humans() const { return m_tables->humans.all(); }
Result<std::vector<Machine>> Registry::machines() const { return m_tables->machines.all(); }
Result<Agent> Registry::agent(const QString &id) const { return m_tables->agents.get(id); }
Result<Tool> Registry::tool(const QString &id) const { return m_tables->tools.get(id); }
Result<Human> Registry::human(const QString &id) const { return m_tables->humans.get(id); }
Result<Machine> Registry::machine(const QString &id) const { return m_tables->machines.get(id); }

void Registry::announce(const QString &what, RegistryChange change)
{
    // Once committed: a change made inside an outer transaction (an audit record's) is logged
    // and signalled when that one commits, and never if it rolls back.
    m_db.afterCommit([this, what, change = std::move(change)]() {
        qCInfo(lcRegistry).noquote() << change.actor << what << change.kind << change.id << "version" << change.version;
        Q_EMIT changed(change);
    });
}

template<typename Record>
Result<qint64> Registry::versionOfNew(const QString &id) const
{
    Result<qint64> deletedAt = m_tables->deleted.of(QLatin1String(Record::kind), id);
    if (!deletedAt)
        return deletedAt.error();
    return deletedAt.value() + 1;
}

template<typename Record>
Result<Record> Registry::create(Record record, const QString &actor, std::optional<qint64> expectedVersion)
{
    const auto &table = m_tables->of(static_cast<Record *>(nullptr));
    const QString kind = QLatin1String(Record::kind);
    const QDateTime now = m_clock.now();
    const Status status = m_db.transaction([&]() -> Status {
        RegistryContext context(m_tables->humans, m_tables->agents, m_tables->tools);
        if (auto errors = validateRecord(record, context, {}); !errors.empty())
            return invalid(kind, std::move(errors));
        if (Status unique = keepsIdentityUnique(record, m_db); !unique)
            return unique;
        if (table.contains(record.id))
            return Error{QStringLiteral("exists"), QStringLiteral("%1 \"%2\" already exists").arg(kind, record.id)};
        Result<qint64> deletedAt = m_tables->deleted.of(kind, record.id);
        if (!deletedAt)
            return deletedAt.error();
        record.version = deletedAt.value() + 1;  // 1, unless a record of this id was deleted
        if (expectedVersion && *expectedVersion != record.version)
            return Error{QStringLiteral("conflict"), QStringLiteral("%1 \"%2\" was deleted concurrently: it would be created at version %3, "
                                                                    "not %4").arg(kind, record.id).arg(record.version).arg(*expectedVersion)};
        return table.write(record, now, true);
    });
    if (!status)
        return status.error();
    announce(QStringLiteral("created"), RegistryChange{kind, RegistryChange::Operation::Created, record.id, actor, {}, record.toJson(),
                                                       record.version, now});
    return record;
}

template<typename Record>
Result<Record> Registry::update(Record record, qint64 expectedVersion, const QString &actor)
{
    const auto &table = m_tables->of(static_cast<Record *>(nullptr));
    const QString kind = QLatin1String(Record::kind);
    const QDateTime now = m_clock.now();
    QJsonObject before;
    const Status status = m_db.transaction([&]() -> Status {
        Result<Record> current = table.get(record.id);
        if (!current)
            return current.error();
        if (current->version != expectedVersion) {
            return Error{QStringLiteral("conflict"),
                         QStringLiteral("%1 \"%2\" was changed concurrently: the edit is based on version %3, "
                                        "the registry has version %4")
                             .arg(kind, record.id).arg(expectedVersion).arg(current->version)};
        }
        RegistryContext context(m_tables->humans, m_tables->agents, m_tables->tools);
        if (auto errors = validateRecord(record, context, {}); !errors.empty())
            return invalid(kind, std::move(errors));
        if (Status kept = keepsReferences(kind, current.value(), record, m_tables->agents); !kept)
            return kept;
        if (Status unique = keepsIdentityUnique(record, m_db); !unique)
            return unique;
        before = current->toJson();
        record.version = current->version + 1;
        return table.write(record, now, false);
    });
    if (!status)
        return status.error();
    announce(QStringLiteral("updated"), RegistryChange{kind, RegistryChange::Operation::Updated, record.id, actor, before,
                                                       record.toJson(), record.version, now});
    return record;
}

namespace {

/// Who still refers to the record about to be deleted; empty when nobody does.
QStringList referencesTo(const Human &human, const std::vector<Agent> &agents, const std::vector<Machine> &machines)
{
    QStringList users;
    for (const Agent &agent : agents) {
        if (agent.owner == human.id)
            users << QStringLiteral("agent \"%1\"").arg(agent.id);
    }
    for (const Machine &machine : machines) {
        if (machine.owner == human.id)
            users << QStringLiteral("machine \"%1\"").arg(machine.id);
    }
    return users;
}

QStringList referencesTo(const Tool &tool, const std::vector<Agent> &agents, const std::vector<Machine> &)
{
    QStringList users;
    for (const Agent &agent : agents) {
        for (const QString &action : agent.allowedActions) {
            if (tool.action(action)) {
                users << QStringLiteral("agent \"%1\"").arg(agent.id);
                break;
            }
        }
    }
    return users;
}

QStringList referencesTo(const Agent &target, const std::vector<Agent> &agents, const std::vector<Machine> &)
{
    QStringList users;
    for (const Agent &agent : agents) {
        if (agent.delegators.contains(target.id))
            users << QStringLiteral("agent \"%1\"").arg(agent.id);
    }
    return users;
}

QStringList referencesTo(const Machine &, const std::vector<Agent> &, const std::vector<Machine> &) { return {}; }

} // namespace

template<typename Record>
Status Registry::remove(const QString &id, qint64 expectedVersion, const QString &actor)
{
    const auto &table = m_tables->of(static_cast<Record *>(nullptr));
    const QString kind = QLatin1String(Record::kind);
    QJsonObject before;
    const Status status = m_db.transaction([&]() -> Status {
        Result<Record> current = table.get(id);
        if (!current)
            return current.error();
        if (current->version != expectedVersion) {
            return Error{QStringLiteral("conflict"),
                         QStringLiteral("%1 \"%2\" was changed concurrently: the deletion is based on version %3, "
                                        "the registry has version %4")
                             .arg(kind, id).arg(expectedVersion).arg(current->version)};
        }
        auto agents = m_tables->agents.all();
        auto machines = m_tables->machines.all();
        if (!agents)
            return agents.error();
        if (!machines)
            return machines.error();
        const QStringList users = referencesTo(current.value(), agents.value(), machines.value());
        if (!users.isEmpty()) {
            return Error{QStringLiteral("in_use"), QStringLiteral("%1 \"%2\" is still referred to by %3")
                                                       .arg(kind, id, users.join(QStringLiteral(", ")))};
        }
        before = current->toJson();
        if (Status removed = table.remove(id); !removed)
            return removed;
        return m_tables->deleted.remember(kind, id, current->version);
    });
    if (!status)
        return status;
    announce(QStringLiteral("deleted"), RegistryChange{kind, RegistryChange::Operation::Deleted, id, actor, before, {}, expectedVersion,
                                                       m_clock.now()});
    return Status::success();
}

Result<Agent> Registry::retireAgent(const QString &id, qint64 expectedVersion, const QString &actor)
{
    Result<Agent> current = agent(id);
    if (!current)
        return current.error();
    Agent retired = current.value();
    retired.status = Agent::Status::Retired;
    return update(retired, expectedVersion, actor);
}

template Result<Agent> Registry::create(Agent, const QString &, std::optional<qint64>);
template Result<Tool> Registry::create(Tool, const QString &, std::optional<qint64>);
template Result<Human> Registry::create(Human, const QString &, std::optional<qint64>);
template Result<Machine> Registry::create(Machine, const QString &, std::optional<qint64>);
template Result<qint64> Registry::versionOfNew<Agent>(const QString &) const;
template Result<qint64> Registry::versionOfNew<Tool>(const QString &) const;
template Result<qint64> Registry::versionOfNew<Human>(const QString &) const;
template Result<qint64> Registry::versionOfNew<Machine>(const QString &) const;
template Result<Agent> Registry::update(Agent, qint64, const QString &);
template Result<Tool> Registry::update(Tool, qint64, const QString &);
template Result<Human> Registry::update(Human, qint64, const QString &);
template Result<Machine> Registry::update(Machine, qint64, const QString &);
template Status Registry::remove<Agent>(const QString &, qint64, const QString &);
template Status Registry::remove<Tool>(const QString &, qint64, const QString &);
template Status Registry::remove<Human>(const QString &, qint64, const QString &);
template Status Registry::remove<Machine>(const QString &, qint64, const QString &);

} // namespace mandate::registry
