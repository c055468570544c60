// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

struct sqlite3;

namespace mandate::store {

/// Copies a database's WAL back into the file on a thread of its own. SQLite's automatic
/// checkpoint runs inside whichever commit crosses the threshold, fsync included, so every
/// thousandth write of a mint, a budget charge or an audit batch waited milliseconds for it.
/// Connections report their commits through attach(); a checkpoint is asked for each time
/// the WAL has grown by kWalPages, and the first request starts the thread. PASSIVE checkpoints never block readers or writers: what one cannot copy
/// yet, the next one does.
class Checkpointer
{
public:
    /// SQLite's own default threshold.
    static constexpr int kWalPages = 1000;

    explicit Checkpointer(QByteArray pathUtf8);
    ~Checkpointer();
    Checkpointer(const Checkpointer &) = delete;
    Checkpointer &operator=(const Checkpointer &) = delete;

    /// Reports `connection`'s commits to this checkpointer instead of checkpointing in them.
    void attach(sqlite3 *connection);
    /// Checkpoints that ran (for tests).
    quint64 checkpoints() const;

private:
    static int onCommit(void *self, sqlite3 *connection, const char *schema, int walPages);
    void request();
    void run();

    const QByteArray m_path;
    std::atomic<int> m_requestedAt{0};  ///< WAL size at the last request: one per kWalPages written
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_requested = false;
    bool m_stopping = false;
    quint64 m_checkpoints = 0;
    std::thread m_thread;
};

} // namespace mandate::store
