// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "session/ExecutionStore.h"

#include <QHash>
#include <QStringList>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace mandate::session {

/// Write-behind for the per-call session counters and risk score. Request threads only queue
/// their update; one thread applies everything queued in a single transaction. Without it every
/// call made its own write and the worker threads queued on SQLite's write lock (whose busy
/// handler sleeps), which capped a gateway at about two thousand calls a second. Until an update
/// is committed, pending() reports it, so this gateway's decisions see it at once; the budget
/// is not deferred (it is charged atomically in the store).
class SessionRecorder final
{
public:
    explicit SessionRecorder(ExecutionStore &store);
    ~SessionRecorder();  ///< applies what is still queued
    SessionRecorder(const SessionRecorder &) = delete;
    SessionRecorder &operator=(const SessionRecorder &) = delete;

    void record(ExecutionStore::SessionUpdate update);

    /// The effect on one execution that is queued or being written.
    struct Pending
    {
        qint64 calls = 0;
        qint64 denied = 0;
        int risk = 0;
        QStringList actions;
    };
    Pending pending(const QString &executionId) const;

private:
    void run();
    static void add(QHash<QString, Pending> &into, const ExecutionStore::SessionUpdate &update);

    ExecutionStore &m_store;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<ExecutionStore::SessionUpdate> m_queue;
    QHash<QString, Pending> m_queued;   ///< effect of m_queue
    QHash<QString, Pending> m_writing;  ///< effect of the batch being committed
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace mandate::session
