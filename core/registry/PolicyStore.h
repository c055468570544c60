// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "policy/PolicySet.h"
#include "policy/Schema.h"
#include "store/Database.h"

#include <QObject>

#include <memory>
#include <mutex>

namespace mandate::registry {

/// One stored version of the gateway's Cedar policy set.
struct PolicyVersion
{
    qint64 version = 0;
    QString source;
    QString author;
    QString comment;
    QDateTime createdAt;
};

/// The parsed, immutable policy set that decisions run against; shared between threads and
/// replaced as a whole when a new version is published.
struct ActivePolicies
{
    qint64 version = 0;
    policy::PolicySet policies;
    std::shared_ptr<const policy::Schema> schema;
};

/// The gateway's policy set, versioned in the database. A new version is accepted only if it
/// parses (the diagnostics are returned otherwise and the old version stays active) and only
/// against the version the author started from (optimistic concurrency). Old versions are kept
/// and can be restored, which publishes them as a new version.
class PolicyStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PolicyStore)

public:
    PolicyStore(const store::Database &database, const Clock &clock, std::shared_ptr<const policy::Schema> schema,
                QObject *parent = nullptr);

    /// Loads the newest version (none is fine: an empty set denies everything).
    Status load();
    /// The active set; never null after load().
    std::shared_ptr<const ActivePolicies> active() const;

    /// Publishes `source` as version current+1 if `expectedVersion` is the current version, now.
    /// The set is enforced once the write commits.
    /// Errors: "invalid" (with every parse diagnostic in details), "conflict".
    Result<PolicyVersion> publish(const QString &source, qint64 expectedVersion, const QString &author, const QString &comment);
    /// publish() of a set already parsed by check(), created at `createdAt` (now when invalid):
    /// for a caller that parses before it takes the write lock (an admin change riding on the
    /// audit writer's transaction).
    Result<PolicyVersion> publishParsed(const QString &source, policy::PolicySet parsed, qint64 expectedVersion,
                                        const QString &author, const QString &comment, const QDateTime &createdAt = {});
    /// The comment of a version that publishes an older version's source again.
    static QString restoreComment(qint64 version);
    /// The time publish() stamps by default (the store's clock).
    QDateTime now() const { return m_clock.now(); }
    Result<PolicyVersion> current() const;
    Result<PolicyVersion> version(qint64 version) const;
    Result<std::vector<PolicyVersion>> history() const;

    /// Parses `source` as publish() would, without storing; for validation endpoints.
    static Result<policy::PolicySet> check(const QString &source);
    /// What publish() answers for a set check() refused: "invalid", every diagnostic in details.
    static Error refusedSet(const Error &diagnostic);

Q_SIGNALS:
    void published(qint64 version, const QString &author);

private:
    const store::Database &m_db;
    const Clock &m_clock;
    std::shared_ptr<const policy::Schema> m_schema;
    mutable std::mutex m_mutex;
    std::shared_ptr<const ActivePolicies> m_active;
};

} // namespace mandate::registry
