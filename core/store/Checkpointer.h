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
/// checkpoint runs inside whichever commit crosses its threshold, fsync included, so every
/// thousandth page written by a mint, a budget charge or an audit batch waited for one.
///
/// Connections report their commits through attach(). Each time the WAL has grown by
/// kWalPages the thread runs a PASSIVE checkpoint, which never blocks readers or writers.
/// SQLite starts the WAL over only when a writer begins while every frame is copied, which a
/// checkpoint running beside busy writers rarely achieves: past kWalLimit pages, the committing
/// connection therefore checkpoints itself, as SQLite would have, and the thread having
/// copied nearly everything already, that catch-up is short. If the thread is checkpointing
/// at that moment, SQLite refuses a second checkpoint: the commit waits for the thread's to
/// end and then catches up, or a starved thread would let the WAL grow without bound. Should
/// the thread be unusable, commits fall back to checkpointing every kWalPages themselves.
///
/// The database must outlive every connection attached to it: the hook points here.
class Checkpointer
{
public:
    static constexpr int kWalPages = 1000;  ///< SQLite's own default threshold
    /// Where commits start catching up themselves: 16,000 pages (125 MiB of WAL at the 8 KiB
    /// of new files, 63 MiB at 4 KiB; measured when pages were 4 KiB). At
    /// 4,000 the audit writer under a steady load ran most of those catch-ups itself (8% of its
    /// time, and the appends with it); at 16,000 the thread keeps up (appends +12%), and 32,000
    /// gained nothing more.
    static constexpr int kWalLimit = 16 * kWalPages;

    Checkpointer() = default;
    ~Checkpointer();
    Checkpointer(const Checkpointer &) = delete;
    Checkpointer &operator=(const Checkpointer &) = delete;

    /// Reports `connection`'s commits to this checkpointer instead of checkpointing in them.
    void attach(sqlite3 *connection);
    /// Checkpoints completed by the thread (for tests).
    quint64 checkpoints() const;

private:
    static int onCommit(void *self, sqlite3 *connection, const char *schema, int walPages);
    /// False when the thread cannot run: the caller checkpoints itself.
    bool request();
    void run();
    /// Waits (at most the busy timeout) until the thread is not checkpointing; false on timeout.
    bool waitForThreadCheckpoint();
    static void catchUp(Checkpointer *checkpointer, sqlite3 *connection, const char *schema);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;  ///< the thread's checkpoint ended
    bool m_running = false;          ///< the thread is inside a checkpoint
    quint64 m_ended = 0;             ///< the thread's checkpoints ended so far, failed ones too
    QByteArray m_path;  ///< as SQLite resolved it for the first connection attached
    bool m_requested = false;
    bool m_stopping = false;
    quint64 m_checkpoints = 0;
    std::thread m_thread;
    std::atomic<bool> m_broken{false};
    std::atomic<int> m_requestedAt{0};  ///< WAL size at the last request: one per kWalPages written
};

} // namespace mandate::store
