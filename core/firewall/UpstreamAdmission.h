// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>

namespace mandate::firewall {

/// A bulkhead between upstreams: at most `perUpstream` tool calls wait for one upstream (one
/// origin: scheme, host and port) at once. A call holds a tool worker for as long as its
/// upstream takes, so without a bound one slow or stalled upstream would take every worker and
/// stop the calls to all other upstreams behind it. The bound is per origin, not per tool: the
/// upstream is what stalls, and several tools often share one. Thread-safe.
class UpstreamAdmission
{
public:
    explicit UpstreamAdmission(int perUpstream);
    Q_DISABLE_COPY_MOVE(UpstreamAdmission)

    /// Holds one place of an upstream until the last copy goes.
    using Place = std::shared_ptr<void>;

    /// A place for a call to `origin`, or none when it is at its bound. The place must not
    /// outlive this object.
    Place enter(const QString &origin);

    int perUpstream() const { return m_perUpstream; }
    int inFlight(const QString &origin) const;
    /// Calls refused since the start.
    quint64 refused() const { return m_refused.load(std::memory_order_relaxed); }

private:
    void leave(const QString &origin);

    const int m_perUpstream;
    mutable std::mutex m_mutex;
    QHash<QString, int> m_inFlight;  ///< origins with calls in flight only
    std::atomic<quint64> m_refused{0};
};

} // namespace mandate::firewall
