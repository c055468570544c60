// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiKeyStore.h"
#include "api/HttpRequest.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "identity/Execution.h"
#include "session/ExecutionStore.h"

#include <QJsonValue>

#include <functional>

namespace mandate::api {

/// Writes the audit records of what is not a tool call: delegations (a token minted),
/// revocations and admin changes (registry, policies). The per-call records are the decision
/// pipeline's. Every method returns only once the record is committed; an error means the record
/// is not in the chain and the caller must not report success. Without a log (unit tests of the
/// API alone) nothing is written.
class AuditTrail final
{
public:
    AuditTrail(audit::AuditLog *log, const Clock &clock, QString gatewayId)
        : m_log(log), m_clock(clock), m_gatewayId(std::move(gatewayId)) {}
    Q_DISABLE_COPY_MOVE(AuditTrail)

    /// A record of `type` about `execution`: root human, chain, agent, parent and purpose set.
    static audit::AuditRecord executionRecord(audit::EventType type, const identity::Execution &execution);

    /// Records a token about to be minted to `client`: `execution`'s record (through
    /// `executions`) and its delegation record commit in one transaction, so that neither ever
    /// exists without the other, and a token is handed out only once both are durable. Errors:
    /// create()'s when the store refuses the execution (budget_exhausted, inactive, not_found,
    /// invalid), and an OAuth temporarily_unavailable when the record cannot be written. For
    /// DelegationBroker::exchange(). Without a log, the execution is created alone.
    /// `executions` must be on the audit log's database (error "internal" otherwise, nothing
    /// written): its row is written on the audit writer's connection, inside the record's
    /// transaction.
    Status delegation(const HttpRequest &request, const identity::Execution &execution, const QString &client,
                      session::ExecutionStore &executions);
    /// delegation() without waiting, for DelegationBroker::exchangeThen(): `recorded` is told
    /// the same outcome once the audit writer's batch has committed (or failed), on its thread.
    void delegationThen(const HttpRequest &request, const identity::Execution &execution, const QString &client,
                        session::ExecutionStore &executions, std::function<void(const Status &)> recorded);
    /// One revocation record per revoked execution. `actor` is who asked ("admin:NAME" or
    /// "client:ID"), `cascadeRoot` the execution named in the request; `details` go in as well.
    Status revocations(const HttpRequest &request, const session::ExecutionStore &executions, const QStringList &revoked,
                       const QString &actor, const QString &cause, const QString &cascadeRoot, const QJsonObject &details = {});
    /// One admin_change record; `before` / `after` are null for a create / delete.
    Status adminChange(const HttpRequest &request, const ApiPrincipal &actor, const QString &target,
                       const QJsonValue &before, const QJsonValue &after, const QJsonObject &details = {});
    /// Makes an admin change and its admin_change record commit together: `apply` runs inside
    /// the record's transaction, so a change the audit log cannot record does not happen (fail
    /// closed), and a change that is refused leaves no record. Returns `apply`'s own error when
    /// it fails (a conflict, an invalid record, a store error): it runs in a savepoint, so its
    /// failure is its own and the other records of the batch still commit. Its database writes
    /// must go through store::Database, whose transactions nest. Without a log, `apply` runs alone.
    Status applyAdminChange(const HttpRequest &request, const ApiPrincipal &actor, const QString &target,
                            const QJsonValue &before, const QJsonValue &after, const std::function<Status()> &apply,
                            const QJsonObject &details = {});

private:
    audit::AuditRecord stamped(const HttpRequest &request, audit::AuditRecord record) const;
    audit::AuditRecord adminRecord(const HttpRequest &request, const ApiPrincipal &actor, const QString &target,
                                   const QJsonValue &before, const QJsonValue &after, const QJsonObject &details) const;
    Status append(const audit::AuditRecord &record);

    audit::AuditLog *m_log;
    const Clock &m_clock;
    const QString m_gatewayId;
};

} // namespace mandate::api
