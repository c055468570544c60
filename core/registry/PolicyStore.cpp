// SPDX-License-Identifier: Apache-2.0
#include "registry/PolicyStore.h"

#include "common/Logging.h"

#include <QSqlQuery>

namespace mandate::registry {

namespace {

PolicyVersion fromRow(const QSqlQuery &query)
{
    return PolicyVersion{query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                         query.value(3).toString(), QDateTime::fromString(query.value(4).toString(), Qt::ISODateWithMs)};
}

const QString selectColumns = QStringLiteral("SELECT version, source, author, comment, created_at FROM policy_sets ");

} // namespace

PolicyStore::PolicyStore(const store::Database &database, const Clock &clock, std::shared_ptr<const policy::Schema> schema,
                         QObject *parent)
    : QObject(parent), m_db(database), m_clock(clock), m_schema(std::move(schema)),
      m_active(std::make_shared<ActivePolicies>(ActivePolicies{0, {}, m_schema}))
{
}

Result<policy::PolicySet> PolicyStore::check(const QString &source)
{
    const QByteArray utf8 = source.toUtf8();
    return policy::PolicySet::parseStatic(std::string_view(utf8.constData(), static_cast<size_t>(utf8.size())));
}

Status PolicyStore::load()
{
    Result<PolicyVersion> newest = current();
    if (!newest)
        return newest.error().code == QLatin1String("not_found") ? Status::success() : Status(newest.error());
    // A version stored before templates were refused still loads (its templates never applied).
    const QByteArray utf8 = newest->source.toUtf8();
    Result<policy::PolicySet> parsed = policy::PolicySet::parse(std::string_view(utf8.constData(), static_cast<size_t>(utf8.size())));
    if (parsed && !parsed->templates().empty())
        qCWarning(lcPolicy) << "policy version" << newest->version << "holds" << parsed->templates().size()
                           << "templates, which never apply; publish a set without them";
    if (!parsed)
        return Error{QStringLiteral("store_corrupt"), QStringLiteral("stored policy version %1 does not parse: %2")
                                                           .arg(newest->version).arg(parsed.error().toString())};
    std::lock_guard lock(m_mutex);
    m_active = std::make_shared<ActivePolicies>(ActivePolicies{newest->version, std::move(parsed).value(), m_schema});
    return Status::success();
}

std::shared_ptr<const ActivePolicies> PolicyStore::active() const
{
    std::lock_guard lock(m_mutex);
    return m_active;
}

Result<PolicyVersion> PolicyStore::current() const
{
    QSqlQuery query(m_db.connection());
    if (!query.exec(selectColumns + QStringLiteral("ORDER BY version DESC LIMIT 1")))
        return store::Database::sqlError(QStringLiteral("cannot read the policy set"), query);
    if (!query.next())
        return Error{QStringLiteral("not_found"), QStringLiteral("no policy set has been published yet")};
    return fromRow(query);
}

Result<PolicyVersion> PolicyStore::version(qint64 version) const
{
    QSqlQuery query(m_db.connection());
    query.prepare(selectColumns + QStringLiteral("WHERE version = :v"));
    query.bindValue(QStringLiteral(":v"), version);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the policy set"), query);
    if (!query.next())
        return Error{QStringLiteral("not_found"), QStringLiteral("no policy set version %1").arg(version)};
    return fromRow(query);
}

Result<std::vector<PolicyVersion>> PolicyStore::history() const
{
    QSqlQuery query(m_db.connection());
    if (!query.exec(selectColumns + QStringLiteral("ORDER BY version DESC")))
        return store::Database::sqlError(QStringLiteral("cannot read the policy history"), query);
    std::vector<PolicyVersion> versions;
    while (query.next())
        versions.push_back(fromRow(query));
    return versions;
}

Result<PolicyVersion> PolicyStore::publish(const QString &source, qint64 expectedVersion, const QString &author, const QString &comment)
{
    Result<policy::PolicySet> parsed = check(source);
    if (!parsed)
        return refusedSet(parsed.error());
    return publishParsed(source, std::move(parsed).value(), expectedVersion, author, comment);
}

Error PolicyStore::refusedSet(const Error &diagnostic)
{
    Error error{QStringLiteral("invalid"), QStringLiteral("the policy set does not parse; the active version is unchanged")};
    error.details.push_back(diagnostic);
    for (const Error &more : diagnostic.details)
        error.details.push_back(more);
    return error;
}

Result<PolicyVersion> PolicyStore::publishParsed(const QString &source, policy::PolicySet parsed, qint64 expectedVersion,
                                                 const QString &author, const QString &comment, const QDateTime &createdAt)
{
    PolicyVersion stored{0, source, author, comment, createdAt.isValid() ? createdAt : m_clock.now()};
    const Status status = m_db.transaction([&]() -> Status {
        QSqlQuery query(m_db.connection());
        if (!query.exec(QStringLiteral("SELECT coalesce(max(version), 0) FROM policy_sets")) || !query.next())
            return store::Database::sqlError(QStringLiteral("cannot read the policy set version"), query);
        const qint64 currentVersion = query.value(0).toLongLong();
        if (currentVersion != expectedVersion) {
            return Error{QStringLiteral("conflict"),
                         QStringLiteral("the policy set was changed concurrently: the edit is based on version %1, the gateway has version %2")
                             .arg(expectedVersion).arg(currentVersion)};
        }
        stored.version = currentVersion + 1;
        query.prepare(QStringLiteral("INSERT INTO policy_sets (version, source, author, comment, created_at) VALUES (:v, :s, :a, :c, :t)"));
        query.bindValue(QStringLiteral(":v"), stored.version);
        query.bindValue(QStringLiteral(":s"), source);
        query.bindValue(QStringLiteral(":a"), store::Database::text(author));
        query.bindValue(QStringLiteral(":c"), store::Database::text(comment));
        query.bindValue(QStringLiteral(":t"), stored.createdAt.toUTC().toString(Qt::ISODateWithMs));
        if (!query.exec())
            return store::Database::sqlError(QStringLiteral("cannot store the policy set"), query);
        return Status::success();
    });
    if (!status)
        return status.error();
    // Enforced once committed: published inside an outer transaction (an audit record's), the
    // set becomes active when that one commits, and never if it rolls back.
    m_db.afterCommit([this, version = stored.version, author, set = std::move(parsed)]() {
        {
            std::lock_guard lock(m_mutex);
            m_active = std::make_shared<ActivePolicies>(ActivePolicies{version, set, m_schema});
        }
        qCInfo(lcPolicy) << author << "published policy set version" << version;
        Q_EMIT published(version, author);
    });
    return stored;
}

QString PolicyStore::restoreComment(qint64 version)
{
    return QStringLiteral("restore of version %1").arg(version);
}

} // namespace mandate::registry
