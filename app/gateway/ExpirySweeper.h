// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Result.h"
#include "firewall/ExecutionAuthority.h"
#include "session/ExecutionStore.h"

#include <mutex>

namespace mandate::gateway {

/// Ends executions whose expiry has passed, each with exactly one expiry record: the record and
/// the status change commit in one audit transaction (the change is the record's companion), so
/// a crash leaves both or neither, and a sweep after a restart finds nothing already recorded.
/// Each one ended is published as an execution.expired event. Time is the gateway's clock, so a
/// test clock drives it. Thread-safe.
class ExpirySweeper final
{
public:
    ExpirySweeper(session::ExecutionStore &executions, audit::AuditLog &log, firewall::EventSink &events, const Clock &clock,
                  QString gatewayId);
    Q_DISABLE_COPY_MOVE(ExpirySweeper)

    /// Records and ends every execution due; returns how many this sweep ended.
    Result<int> sweep();

private:
    session::ExecutionStore &m_executions;
    audit::AuditLog &m_log;
    firewall::EventSink &m_events;
    const Clock &m_clock;
    const QString m_gatewayId;
    std::mutex m_sweeping;  ///< one sweep at a time (timer and test-clock route)
};

} // namespace mandate::gateway
