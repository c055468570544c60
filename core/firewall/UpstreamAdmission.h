// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>

namespace mandate::api {

/// A bulkhead between tools: at most `perTool` calls to one tool run or wait for a tool worker
/// at once. A call blocks its worker for as long as its upstream takes, so without a bound one
/// slow or stalled upstream would hold every worker and stop the calls to all other tools
/// behind it. A call beyond its tool's bound is refused at once (503 with Retry-After) rather
/// than queued. Thread-safe.
class ToolAdmission
{
public:
    explicit ToolAdmission(int perTool);
    Q_DISABLE_COPY_MOVE(ToolAdmission)

    /// Holds one place of a tool until destroyed. Shared, so that a copyable job can carry it.
    using Place = std::shared_ptr<void>;

    /// A place for a call to `tool`, or none when the tool is at its bound. The place must not
    /// outlive this object.
    Place enter(const QString &tool);

    int perTool() const { return m_perTool; }
    int inFlight(const QString &tool) const;
    /// Calls refused since the start.
    quint64 refused() const { return m_refused.load(std::memory_order_relaxed); }

private:
    void leave(const QString &tool);

    const int m_perTool;
    mutable std::mutex m_mutex;
    QHash<QString, int> m_inFlight;  ///< tools with calls in flight only: names come from URLs
    std::atomic<quint64> m_refused{0};
};

} // namespace mandate::api
