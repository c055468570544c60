// SPDX-License-Identifier: Apache-2.0
// Registry::exportJson / importJson: the whole registry as one JSON document.
#include "registry/Registry.h"

#include "common/Logging.h"
#include "identity/Validator.h"
#include "registry/RegistryTables.h"

#include <QHash>
#include <QJsonArray>
#include <QPair>
#include <QSet>

namespace mandate::registry {

using namespace mandate::identity;

namespace {

const QString formatName = QStringLiteral("mandate-registry/1");

template<typename Record>
QJsonArray toArray(const std::vector<Record> &records)
{
    QJsonArray array;
    for (const Record &record : records)
        array.append(record.toJson());
    return array;
}

template<typename Record>
std::vector<Record> readSection(const QJsonObject &document, const char *section, std::vector<Error> &errors)
{
    std::vector<Record> records;
    const QJsonValue value = document.value(QLatin1String(section));
    if (value.isUndefined() || value.isNull())
        return records;
    if (!value.isArray()) {
        errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("expected an array"), QLatin1String(section)});
        return records;
    }
    const QJsonArray array = value.toArray();
    QSet<QString> ids;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString path = QLatin1String(section) + u'[' + QString::number(i) + u']';
        if (!array[i].isObject()) {
            errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("expected an object"), path});
            continue;
        }
        Record record = Record::fromJson(array[i].toObject(), path, errors);
        if (ids.contains(record.id))
            errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("duplicate id \"%1\"").arg(record.id), path + QStringLiteral(".id")});
        ids.insert(record.id);
        records.push_back(std::move(record));
    }
    return records;
}

/// Validation context for an import: the stored registry plus everything the import brings.
class ImportContext final : public ValidationContext
{
public:
    QSet<QString> humans, agents, actions;
    bool hasHuman(const QString &id) const override { return humans.contains(id); }
    bool hasAgent(const QString &id) const override { return agents.contains(id); }
    bool hasAction(const QString &action) const override { return actions.contains(action); }
};

} // namespace

Result<QJsonObject> Registry::exportJson() const
{
    auto allHumans = humans();
    auto allMachines = machines();
    auto allTools = tools();
    auto allAgents = agents();
    for (const Error *error : {allHumans ? nullptr : &allHumans.error(), allMachines ? nullptr : &allMachines.error(),
                               allTools ? nullptr : &allTools.error(), allAgents ? nullptr : &allAgents.error()}) {
        if (error)
            return *error;
    }
    return QJsonObject{{QStringLiteral("format"), formatName},
                       {QStringLiteral("humans"), toArray(allHumans.value())},
                       {QStringLiteral("machines"), toArray(allMachines.value())},
                       {QStringLiteral("tools"), toArray(allTools.value())},
                       {QStringLiteral("agents"), toArray(allAgents.value())}};
}

Registry::ParsedImport Registry::parseImport(const QJsonObject &document, std::vector<Error> &errors) const
{
    const QJsonValue format = document.value(QStringLiteral("format"));
    if (!format.isUndefined() && format.toString() != formatName)
        errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("unsupported format \"%1\" (expected \"%2\")").arg(format.toString(), formatName), QStringLiteral("format")});
    for (auto it = document.constBegin(); it != document.constEnd(); ++it) {
        static const QStringList known{QStringLiteral("format"), QStringLiteral("humans"), QStringLiteral("machines"),
                                       QStringLiteral("tools"), QStringLiteral("agents")};
        if (!known.contains(it.key()))
            errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("unknown field"), it.key()});
    }
    ParsedImport parsed;
    parsed.humans = readSection<Human>(document, "humans", errors);
    parsed.machines = readSection<Machine>(document, "machines", errors);
    parsed.tools = readSection<Tool>(document, "tools", errors);
    parsed.agents = readSection<Agent>(document, "agents", errors);

    ImportContext context;
    auto storedHumans = humans();
    auto storedAgents = agents();
    auto storedTools = tools();
    if (!storedHumans || !storedAgents || !storedTools) {
        errors.push_back(Error{QStringLiteral("store_error"), QStringLiteral("cannot read the current registry")});
        return parsed;
    }
    for (const Human &h : storedHumans.value()) context.humans.insert(h.id);
    for (const Human &h : parsed.humans) context.humans.insert(h.id);
    for (const Agent &a : storedAgents.value()) context.agents.insert(a.id);
    for (const Agent &a : parsed.agents) context.agents.insert(a.id);
    // Imported tools replace stored ones of the same id, so their actions are what counts.
    QSet<QString> importedTools;
    for (const Tool &t : parsed.tools) {
        importedTools.insert(t.id);
        for (const ToolAction &action : t.actions)
            context.actions.insert(action.name);
    }
    for (const Tool &t : storedTools.value()) {
        if (importedTools.contains(t.id))
            continue;
        for (const ToolAction &action : t.actions)
            context.actions.insert(action.name);
    }

    const auto validateAll = [&](const auto &records, const char *section, auto validate) {
        for (size_t i = 0; i < records.size(); ++i) {
            const QString path = QLatin1String(section) + u'[' + QString::number(i) + u']';
            for (Error &error : validate(records[i], path))
                errors.push_back(std::move(error));
        }
    };
    validateAll(parsed.humans, "humans", [](const Human &h, const QString &p) { return Validator::validate(h, p); });
    // Issuer and subject name one human (Registry::create): among the imported humans, and
    // against the stored ones the import leaves in place.
    QHash<QPair<QString, QString>, QString> identities;
    QSet<QString> importedHumans;
    for (const Human &h : parsed.humans)
        importedHumans.insert(h.id);
    for (const Human &h : storedHumans.value()) {
        if (!importedHumans.contains(h.id))
            identities.insert({h.issuer, h.subject}, h.id);
    }
    for (size_t i = 0; i < parsed.humans.size(); ++i) {
        const Human &h = parsed.humans[i];
        const auto taken = identities.constFind({h.issuer, h.subject});
        if (taken != identities.constEnd() && *taken != h.id) {
            errors.push_back(Error{QStringLiteral("invalid"),
                                   QStringLiteral("has the issuer and subject of human \"%1\": an ID token would name both").arg(*taken),
                                   QStringLiteral("humans[%1].subject").arg(i)});
            continue;
        }
        identities.insert({h.issuer, h.subject}, h.id);
    }
    validateAll(parsed.machines, "machines", [&](const Machine &m, const QString &p) { return Validator::validate(m, context, p); });
    validateAll(parsed.tools, "tools", [](const Tool &t, const QString &p) { return Validator::validate(t, p); });
    // A stored agent that the document leaves alone keeps every action it may call.
    QSet<QString> importedAgents;
    for (const Agent &a : parsed.agents)
        importedAgents.insert(a.id);
    for (size_t i = 0; i < parsed.tools.size(); ++i) {
        for (const Tool &stored : storedTools.value()) {
            if (stored.id != parsed.tools[i].id)
                continue;
            for (const ToolAction &action : stored.actions) {
                if (parsed.tools[i].action(action.name))
                    continue;
                QStringList users;
                for (const Agent &agent : storedAgents.value()) {
                    if (!importedAgents.contains(agent.id) && agent.allowedActions.contains(action.name))
                        users << QStringLiteral("agent \"%1\"").arg(agent.id);
                }
                if (!users.isEmpty()) {
                    errors.push_back(Error{QStringLiteral("invalid"),
                                           QStringLiteral("cannot drop action \"%1\": it is allowed to %2")
                                               .arg(action.name, users.join(QStringLiteral(", "))),
                                           QStringLiteral("tools[%1].actions").arg(i)});
                }
            }
        }
    }
    validateAll(parsed.agents, "agents", [&](const Agent &a, const QString &p) { return Validator::validate(a, context, p); });
    return parsed;
}

Status Registry::checkImportVersions(const ParsedImport &parsed) const
{
    // A record that carries a version (an export does) replaces only that version: importing an
    // old export must not silently undo what changed since (an agent retired, a record deleted,
    // a key owner corrected). Records new here are created; one without a version replaces what
    // is stored.
    std::vector<Error> conflicts;
    const auto check = [&](const auto &records, const auto &table, const char *list) -> Status {
        for (size_t i = 0; i < records.size(); ++i) {
            const auto &record = records[i];
            if (record.version <= 0)
                continue;
            const QString kind = QLatin1String(std::decay_t<decltype(record)>::kind);
            Result<qint64> stored = table.versionOf(record.id);
            if (!stored)
                return stored.error();
            QString why;
            if (stored.value() > 0 && record.version != stored.value()) {
                why = QStringLiteral("%1 \"%2\" is at version %3 here; the document has version %4")
                          .arg(kind, record.id).arg(stored.value()).arg(record.version);
            } else if (stored.value() == 0) {
                Result<qint64> deletedAt = m_tables->deleted.of(kind, record.id);
                if (!deletedAt)
                    return deletedAt.error();
                if (deletedAt.value() >= record.version)
                    why = QStringLiteral("%1 \"%2\" was deleted here at version %3; the document has version %4")
                              .arg(kind, record.id).arg(deletedAt.value()).arg(record.version);
            }
            if (!why.isEmpty())
                conflicts.push_back(Error{QStringLiteral("conflict"), why, QStringLiteral("%1[%2].version").arg(QLatin1String(list)).arg(i)});
        }
        return Status::success();
    };
    if (Status s = check(parsed.humans, m_tables->humans, "humans"); !s) return s;
    if (Status s = check(parsed.machines, m_tables->machines, "machines"); !s) return s;
    if (Status s = check(parsed.tools, m_tables->tools, "tools"); !s) return s;
    if (Status s = check(parsed.agents, m_tables->agents, "agents"); !s) return s;
    if (conflicts.empty())
        return Status::success();
    Error error{QStringLiteral("conflict"), QStringLiteral("%1 record(s) changed since the document was made, or while it was "
                                                           "being imported; nothing was imported (try again; a record without "
                                                           "\"version\" replaces whatever version is stored)")
                                                .arg(conflicts.size())};
    error.details = std::move(conflicts);
    return error;
}

Status Registry::validateImport(const QJsonObject &document) const
{
    std::vector<Error> errors;
    ParsedImport parsed = parseImport(document, errors);
    if (errors.empty())
        return checkImportVersions(parsed);
    Error error{QStringLiteral("invalid"), QStringLiteral("%1 invalid record field(s); nothing was imported").arg(errors.size())};
    error.details = std::move(errors);
    return error;
}

Result<ImportSummary> Registry::importJson(const QJsonObject &document, const QString &actor)
{
    std::vector<Error> errors;
    ParsedImport parsed = parseImport(document, errors);
    if (!errors.empty()) {
        Error error{QStringLiteral("invalid"), QStringLiteral("%1 invalid record field(s); nothing was imported").arg(errors.size())};
        error.details = std::move(errors);
        return error;
    }
    const QDateTime now = m_clock.now();
    ImportSummary summary;
    std::vector<RegistryChange> changes;
    const auto writeAll = [&](auto &records, const auto &table) -> Status {
        for (auto &record : records) {
            Result<qint64> version = table.versionOf(record.id);
            if (!version)
                return version.error();
            QJsonObject before;
            if (version.value() > 0) {
                if (auto current = table.get(record.id))
                    before = current->toJson();
            }
            qint64 base = version.value();
            if (base == 0) {  // created: above any version a deleted record of this id had
                Result<qint64> deletedAt = m_tables->deleted.of(QLatin1String(std::decay_t<decltype(record)>::kind), record.id);
                if (!deletedAt)
                    return deletedAt.error();
                base = deletedAt.value();
            }
            record.version = base + 1;
            if (Status written = table.write(record, now, version.value() == 0); !written)
                return written;
            ++(version.value() == 0 ? summary.created : summary.updated);
            changes.push_back(RegistryChange{QLatin1String(std::decay_t<decltype(record)>::kind),
                                             version.value() == 0 ? RegistryChange::Operation::Created : RegistryChange::Operation::Updated,
                                             record.id, actor, before, record.toJson(), record.version, now});
        }
        return Status::success();
    };
    const Status status = m_db.transaction([&]() -> Status {
        if (Status s = checkImportVersions(parsed); !s) return s;
        if (Status s = writeAll(parsed.humans, m_tables->humans); !s) return s;
        if (Status s = writeAll(parsed.machines, m_tables->machines); !s) return s;
        if (Status s = writeAll(parsed.tools, m_tables->tools); !s) return s;
        return writeAll(parsed.agents, m_tables->agents);
    });
    if (!status)
        return status.error();
    // Announced once committed: inside an outer transaction (an audit record's), at its commit.
    m_db.afterCommit([this, actor, summary, changes = std::move(changes)]() {
        qCInfo(lcRegistry) << actor << "imported" << summary.created << "new and" << summary.updated << "updated records";
        for (const RegistryChange &change : changes)
            Q_EMIT changed(change);
    });
    return summary;
}

} // namespace mandate::registry
