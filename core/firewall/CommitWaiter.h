// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditLog.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace mandate::firewall {

/// Runs what follows an audit append once the append is committed (or has failed), on one
/// thread of its own, so that no caller blocks while its record waits for a batch. The audit
/// writer completes appends in the order they were queued, so waiting for the oldest one and
/// then running every one that is ready costs one wake-up per batch instead of one blocked
/// thread, and one wake-up, per call.
class CommitWaiter final
{
public:
    using Appended = Result<audit::AppendReceipt>;
    using Continuation = std::function<void(Appended)>;

    CommitWaiter();
    Q_DISABLE_COPY_MOVE(CommitWaiter)
    /// Runs every continuation still pending (their appends complete: the log outlives this).
    ~CommitWaiter();

    /// Calls `then` with the append's result once `append` is ready. `then` runs on the
    /// waiter's thread; it may queue more work here.
    void whenCommitted(std::future<Appended> append, Continuation then);
    /// Returns once every continuation queued so far (and any they queued) has run.
    void waitUntilIdle();

private:
    struct Entry
    {
        std::future<Appended> append;
        Continuation then;
    };
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Entry> m_queue;
    bool m_running = false;  ///< entries taken from the queue are being run
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace mandate::firewall
