// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mandate::store {

class Database;

/// Commits the writes of concurrent threads together: one transaction, one WAL append and one
/// lock round for a whole batch instead of one each. A caller's write runs on whichever waiting
/// thread leads the batch, on that thread's connection, so it must only touch the database and
/// what it captured.
///
/// On a busy core the other writers are not running while a leader commits, so batches do not
/// form by themselves. The size of the previous batch predicts the next one: a leader waits
/// (at most kGatherWait) until as many writes are queued as the previous batch held, as
/// PostgreSQL's commit_delay waits for commit_siblings. A lone writer never waits, and after a
/// quiet spell the batches shrink back to one within a few commits.
///
/// Each write runs in a savepoint of the batch's transaction: a write that fails is rolled back
/// alone and the rest of its batch commits. A write of one statement needs no savepoint (SQLite
/// undoes a failed statement by itself), and skips its two extra statements. Only a failure of
/// the transaction itself (it cannot begin or commit, or SQLite aborts it) fails every write of
/// the batch. A lone write of one statement needs no transaction around it either. A caller
/// already inside a transaction of its own writes in it directly. A write that throws fails
/// like one that returns an Error (Database::runCatching()); one of one statement fails its
/// whole batch, since nothing would undo what its statement changed, and alone in its batch
/// (autocommit) what its statement did before the exception stays, reported as failed.
///
/// submit() queues a write without waiting for it (a server thread that moves on to its next
/// request): such writes are committed by whichever thread leads, or by the committer's own
/// thread when nobody else does, and their callers are told through a callback.
class GroupCommitter final
{
public:
    static constexpr std::chrono::microseconds kGatherWait{500};
    /// Consecutive batches one leader commits when writes keep queuing behind it.
    static constexpr int kBatchesPerLeader = 4;

    /// What undoes a write that fails within its batch.
    enum class Undo {
        Savepoint,  ///< any write: it runs in a savepoint of its own
        Statement,  ///< the write is one statement, which it fails only when that statement
                    ///< changed nothing; no afterCommit() effects. Alone in its batch it runs as
                    ///< that statement's own transaction (autocommit)
    };

    explicit GroupCommitter(const Database &database);
    /// stop()s.
    ~GroupCommitter();
    GroupCommitter(const GroupCommitter &) = delete;
    GroupCommitter &operator=(const GroupCommitter &) = delete;

    /// Runs `write` in a shared transaction; returns once it is committed (success) or failed.
    Status run(const std::function<Status()> &write, Undo undo = Undo::Savepoint);

    using Done = std::function<void(const Status &)>;
    /// Queues `write` as run() does and returns at once; `done` is told its outcome once its
    /// batch is committed or has failed. Both run on the thread that commits the batch: a
    /// caller of run() that leads it, or the committer's own thread (started by the first
    /// submit(), with a connection of its own), which leads whenever writes are queued and no
    /// other thread does. A caller that keeps many writes in flight this way has them share
    /// commits without a thread waiting for each, even alone on one core. `done` should not
    /// throw (what it throws is logged and dropped); a run() from it commits alone, at once.
    /// After stop(), `done` is told at once that the committer is closed.
    void submit(std::function<Status()> write, Undo undo, Done done);

    /// Commits what was submit()ted and is still queued, telling its callers, then stops the
    /// committer's thread: for an owner whose callbacks use what it destroys before this
    /// committer. Every run() must have returned; nothing may be submitted after.
    void stop();

    /// Number of transactions committed so far (writes run / batches is the group-commit factor).
    quint64 batches() const;
    /// Writes queued behind the batch being committed.
    size_t waiting() const;

private:
    struct Pending
    {
        const std::function<Status()> *write = nullptr;
        Undo undo = Undo::Savepoint;
        Status status;
        bool done = false;
        quint64 batch = 0;  ///< the queue it joined, counted from the first batch
        // submit()'s: the queue owns the Pending, its write, and whom to tell.
        bool owned = false;
        std::function<Status()> submittedWrite;
        Done submittedDone;
    };
    void enqueue(std::unique_lock<std::mutex> &lock, Pending *pending);
    /// Commits the queue, and what queues meanwhile (kBatchesPerLeader batches at most); the
    /// caller holds the lock, which is released on return.
    void lead(std::unique_lock<std::mutex> &lock);
    std::condition_variable &batchDone(quint64 batch);
    void gather(std::unique_lock<std::mutex> &lock);
    void commitCatching(const std::vector<Pending *> &batch);
    void commit(const std::vector<Pending *> &batch);
    static void tellSubmitted(const std::vector<Pending *> &submitted);
    void commitSubmitted();  ///< the committer's own thread

    const Database &m_db;
    mutable std::mutex m_mutex;
    std::condition_variable m_batchDone[2];  ///< a batch is done: its writers return (batchDone())
    std::condition_variable m_arrived;       ///< the batch a leader gathers is complete
    std::vector<Pending *> m_queue;
    quint64 m_queueBatch = 0;  ///< the batch m_queue will become
    size_t m_previousBatch = 1;
    size_t m_gatherUntil = 0;  ///< while a leader gathers: the queue length it waits for
    bool m_leading = false;  ///< a thread is committing a batch; the others queue behind it
    quint64 m_batches = 0;
    std::thread m_committer;  ///< started by the first submit()
    std::condition_variable m_committerWake;
    bool m_committerIdle = false;  ///< waiting on m_committerWake
    bool m_stopping = false;
};

} // namespace mandate::store
