// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiKeyStore.h"
#include "api/HttpRequest.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "identity/Execution.h"
#include "session/ExecutionStore.h"

#include <QJsonValue>

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

    /// One delegation record for a token just minted to `client`.
    Status delegation(const HttpRequest &request, const identity::Execution &execution, const QString &client,
                      const QString &scope);
    /// One revocation record per revoked execution. `actor` is who asked ("admin:NAME" or
    /// "client:ID"), `cascadeRoot` the execution named in the request.
    Status revocations(const HttpRequest &request, const session::ExecutionStore &executions, const QStringList &revoked,
                       const QString &actor, const QString &cause, const QString &cascadeRoot);
    /// One admin_change record; `before` / `after` are null for a create / delete.
    Status adminChange(const HttpRequest &request, const ApiPrincipal &actor, const QString &target,
                       const QJsonValue &before, const QJsonValue &after, const QJsonObject &details = {});

private:
    audit::AuditRecord stamped(const HttpRequest &request, audit::AuditRecord record) const;
    Status append(const audit::AuditRecord &record);

    audit::AuditLog *m_log;
    const Clock &m_clock;
    const QString m_gatewayId;
};

} // namespace mandate::api
