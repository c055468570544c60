// SPDX-License-Identifier: Apache-2.0
#include "ExpirySweeper.h"

#include "api/AuditTrail.h"
#include "common/Logging.h"
#include "firewall/TraceContext.h"
#include "session/ExecutionChange.h"

namespace mandate::gateway {

namespace {

constexpr int SweepBatch = 256;
const QString kAlreadyEnded = QStringLiteral("already_ended");

} // namespace

ExpirySweeper::ExpirySweeper(session::ExecutionStore &executions, audit::AuditLog &log, firewall::EventSink &events,
                             const Clock &clock, QString gatewayId)
    : m_executions(executions), m_log(log), m_events(events), m_clock(clock), m_gatewayId(std::move(gatewayId))
{
}

Result<int> ExpirySweeper::sweep()
{
    const std::lock_guard lock(m_sweeping);
    int ended = 0;
    for (;;) {
        auto due = m_executions.dueForExpiry(SweepBatch);
        if (!due)
            return due.error();
        int refused = 0;
        for (const identity::Execution &execution : due.value()) {
            audit::AuditRecord record = api::AuditTrail::executionRecord(audit::EventType::Expiry, execution);
            const firewall::TraceContext trace = firewall::TraceContext::continueOrStart(QString());
            record.time = m_clock.now();
            record.gatewayId = m_gatewayId;
            record.traceId = trace.traceId;
            record.spanId = trace.spanId;
            record.details = {{QStringLiteral("expired_at"), execution.expiresAt.toUTC().toString(Qt::ISODateWithMs)}};
            // Revoked or completed since it was read: not expired, so no record.
            audit::AuditLog::Companion markExpired{[executions = &m_executions, id = execution.id]() {
                                                       return executions->expireInTransaction(id);
                                                   },
                                                   Error{kAlreadyEnded, QStringLiteral("execution %1 already ended").arg(execution.id)}, {}};
            auto appended = m_log.append(record, std::move(markExpired));
            if (!appended && appended.error().code == kAlreadyEnded) {
                ++refused;
                continue;
            }
            if (!appended) {
                qCWarning(lcGateway) << "cannot record the expiry of" << execution.id << ':' << appended.error().toString();
                return appended.error();
            }
            ++ended;
            session::ExecutionChange change{session::ExecutionChange::Kind::Expired, execution.id, execution.agent,
                                            execution.rootHuman(), execution.parent, QStringLiteral("expired"), m_clock.now()};
            QJsonObject event = change.toJson();
            event.insert(QStringLiteral("type"), QStringLiteral("execution"));
            m_events.publish(event);
        }
        // A short batch was the last; a batch of refusals alone cannot make progress.
        if (due->size() < size_t(SweepBatch) || refused == int(due->size()))
            return ended;
    }
}

} // namespace mandate::gateway
