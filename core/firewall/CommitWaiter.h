// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditLog.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace mandate::firewall {

/// Runs what follows an audit append once the append is committed (or has failed), on one
/// thread of its own, so that no caller blocks while its record waits for a batch and the audit
/// writer, which every call's record waits for, only hands each result over. Continuations run
/// in the order their appends were handed off, whatever the order they are told in (a record
/// refused at once is told before the ones ahead of it commit), and the waiter wakes about once
/// per batch, not once per call.
class CommitWaiter final
{
public:
    using Appended = Result<audit::AppendReceipt>;
    using Continuation = std::function<void(Appended)>;

    CommitWaiter();
    Q_DISABLE_COPY_MOVE(CommitWaiter)
    /// Waits for every append handed off and not yet told (the log outlives this), and runs
    /// every continuation.
    ~CommitWaiter();

    /// The completion to give AuditLog::appendThen(): it hands the append's result to `then`,
    /// which runs on the waiter's thread and may hand off more. Its copies share one hand-off,
    /// told once. Should the completion be dropped without being called (the append threw
    /// before it was queued), `then` is told an "internal" error, so that nothing waits for
    /// it for good.
    audit::AuditLog::Appended handOff(Continuation then);
    /// Returns once every append handed off so far (and any their continuations handed off) is
    /// told and its continuation has run.
    void waitUntilIdle();

private:
    class Ticket;
    struct Entry
    {
        Appended result;
        Continuation then;
    };
    void post(qint64 sequence, Entry entry);
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    /// Hand-offs in order, from m_first on: told (an Entry) or still waiting for their append.
    std::deque<std::optional<Entry>> m_slots;
    qint64 m_first = 0;
    qint64 m_outstanding = 0;  ///< handed off and not yet run
    bool m_threadWaits = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace mandate::firewall
