// SPDX-License-Identifier: Apache-2.0
#include "store/GroupCommitter.h"

#include "store/Database.h"

#include <QScopeGuard>

#include <memory>

namespace mandate::store {

GroupCommitter::GroupCommitter(const Database &database) : m_db(database) {}

GroupCommitter::~GroupCommitter()
{
    stop();
}

void GroupCommitter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_committerWake.notify_one();
    if (m_committer.joinable())
        m_committer.join();
}

namespace {

/// The committer whose batches this thread is leading: a completion it runs that writes through
/// the same committer must not queue behind its own thread's lead.
thread_local const GroupCommitter *t_leading = nullptr;

} // namespace

Status GroupCommitter::run(const std::function<Status()> &write, Undo undo)
{
    // Inside a transaction of the caller's own, the write rides on it: queueing it for another
    // thread's batch would report it committed before its caller's transaction is. From a
    // completion this thread runs as the leader, between two batches, it commits alone, here.
    if (m_db.inTransaction() || t_leading == this)
        return m_db.transaction(write);
    Pending mine;
    mine.write = &write;
    mine.undo = undo;
    std::unique_lock lock(m_mutex);
    enqueue(lock, &mine);
    // Leader/follower: a thread that finds nobody committing takes the whole queue (its own
    // write included) and commits it; the others wait and are woken when their batch is done.
    while (!mine.done) {
        if (m_leading) {
            batchDone(mine.batch).wait(lock);
            continue;
        }
        lead(lock);
        break;
    }
    return mine.status;
}

void GroupCommitter::submit(std::function<Status()> write, Undo undo, Done done)
{
    if (!done)
        done = [](const Status &) {};
    // As in run(): inside the caller's transaction the write rides on it, here and now.
    if (m_db.inTransaction()) {
        done(m_db.transaction(write));
        return;
    }
    auto pending = std::make_unique<Pending>();
    pending->submittedWrite = std::move(write);
    pending->write = &pending->submittedWrite;
    pending->undo = undo;
    pending->submittedDone = std::move(done);
    pending->owned = true;
    std::unique_lock lock(m_mutex);
    if (m_stopping) {
        lock.unlock();
        pending->submittedDone(Error{QStringLiteral("closed"), QStringLiteral("the store is shutting down")});
        return;
    }
    if (!m_committer.joinable()) {
        try {
            m_committer = std::thread([this] { commitSubmitted(); });
        } catch (...) {
            lock.unlock();
            pending->submittedDone(Database::currentException("starting the group committer's thread"));
            return;
        }
    }
    enqueue(lock, pending.get());
    pending.release();  // queued: the leader that commits it deletes it (tellSubmitted())
    // Nobody leads: the committer's thread does. Woken only when it waits, so a caller
    // submitting while a batch is being committed makes no system call.
    const bool wake = !m_leading && m_committerIdle;
    lock.unlock();
    if (wake)
        m_committerWake.notify_one();
}

void GroupCommitter::enqueue(std::unique_lock<std::mutex> &lock, Pending *pending)
{
    pending->batch = m_queueBatch;
    m_queue.push_back(pending);
    // Waiters are woken with the lock released: on a busy core the scheduler may run a woken
    // thread at once, and one woken while the lock is held blocks on it again (two more context
    // switches per waiter, a measurable share of a mint with 8 in flight on one core).
    if (m_gatherUntil != 0 && m_queue.size() >= m_gatherUntil) {
        lock.unlock();
        m_arrived.notify_one();  // wake a gathering leader only when its batch is complete
        lock.lock();
    }
}

void GroupCommitter::commitSubmitted()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_committerIdle = true;
        m_committerWake.wait(lock, [&] { return !m_leading && (m_stopping || !m_queue.empty()); });
        m_committerIdle = false;
        if (m_queue.empty())
            break;  // stopping, with nothing left to commit
        lead(lock);
        lock.lock();
    }
    lock.unlock();
    m_db.closeThreadConnection();
}

void GroupCommitter::tellSubmitted(const std::vector<Pending *> &submitted)
{
    for (Pending *pending : submitted) {
        const std::unique_ptr<Pending> owned(pending);
        try {
            pending->submittedDone(pending->status);
        } catch (...) {
            // Logged; the leader must go on telling the rest of its batch.
            (void)Database::currentException("a group commit's completion");
        }
    }
}

std::condition_variable &GroupCommitter::batchDone(quint64 batch)
{
    // A batch's writers wait on the one of its parity, the writes queued behind it on the other:
    // telling a batch it is done does not wake the queue behind it, only for them to wait again.
    // Two suffice: a batch is only taken from the queue after the one before it was told.
    return m_batchDone[batch % 2];
}

void GroupCommitter::lead(std::unique_lock<std::mutex> &lock)
{
    m_leading = true;
    t_leading = this;
    const auto notLeading = qScopeGuard([] { t_leading = nullptr; });
    // The leader also commits what queued meanwhile, a few batches at most: on its connection,
    // which has just written, SQLite keeps its page cache, where another thread's connection
    // would start by dropping its own and reading the pages again.
    for (int led = 1;; ++led) {
        gather(lock);
        std::vector<Pending *> batch;
        batch.swap(m_queue);
        const quint64 taken = m_queueBatch++;
        lock.unlock();
        commitCatching(batch);
        // A run() writer's Pending lives on its stack, gone once it sees `done`: the submitted
        // ones, which the queue owns, are picked out before then (and before the lock, which
        // must not be held by an allocation that may throw).
        std::vector<Pending *> submitted;
        for (Pending *pending : batch) {
            if (pending->owned)
                submitted.push_back(pending);
        }
        lock.lock();
        m_previousBatch = batch.size();
        ++m_batches;
        for (Pending *pending : batch)
            pending->done = true;  // the leader's own among the first
        const bool again = !m_queue.empty() && led < kBatchesPerLeader;
        const bool handOver = !again && !m_queue.empty();
        const bool committerWaits = handOver && m_committerIdle;
        const quint64 queued = m_queueBatch;
        if (!again)
            m_leading = false;
        lock.unlock();
        batchDone(taken).notify_all();  // this batch's run() writers return
        tellSubmitted(submitted);
        if (!again) {
            if (handOver) {
                // One of the writes queued since leads next: a run() writer, or for submitted
                // writes, which nobody waits for, the committer's thread (whichever comes first).
                batchDone(queued).notify_one();
                if (committerWaits)
                    m_committerWake.notify_one();
            }
            return;
        }
        lock.lock();
    }
}

void GroupCommitter::gather(std::unique_lock<std::mutex> &lock)
{
    if (m_queue.size() >= m_previousBatch)
        return;
    // Only the leader waits on m_arrived, so notify_one() in run() always reaches it.
    m_gatherUntil = m_previousBatch;
    m_arrived.wait_for(lock, kGatherWait, [&] { return m_queue.size() >= m_gatherUntil; });
    m_gatherUntil = 0;
}

quint64 GroupCommitter::batches() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

size_t GroupCommitter::waiting() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

void GroupCommitter::commitCatching(const std::vector<Pending *> &batch)
{
    // Whatever happens, the batch's writers must be told and the lead given up: an exception
    // out of here would leave them waiting for good. A write that throws inside a transaction
    // fails that transaction (Database::transaction()): in a savepoint, the write alone; one of
    // one statement has none, so the batch's whole transaction. What is left lands here: a lone
    // statement's write, or an allocation in the commit itself.
    try {
        commit(batch);
    } catch (...) {
        const Error failed = Database::currentException();
        for (Pending *pending : batch)
            pending->status = failed;
    }
}

void GroupCommitter::commit(const std::vector<Pending *> &batch)
{
    if (batch.size() == 1) {
        // A lone write of one statement commits as that statement (autocommit): SQLite takes the
        // same locks and undoes it just as well, without the BEGIN and COMMIT around it.
        Pending &only = *batch.front();
        only.status = only.undo == Undo::Statement ? (*only.write)() : m_db.transaction(*only.write);
        return;
    }
    // Each write in a savepoint of its own (Database::transaction nests), or for one statement
    // in that statement's own undo: one that fails is rolled back alone and the others commit.
    // Only a failure of the transaction itself (BEGIN, COMMIT, or SQLite aborting it) fails
    // them all.
    const Status whole = m_db.transaction([&]() -> Status {
        for (Pending *pending : batch) {
            pending->status = pending->undo == Undo::Statement ? (*pending->write)() : m_db.transaction(*pending->write);
            if (!m_db.inTransaction())
                return pending->status;
        }
        return Status::success();
    });
    if (whole)
        return;
    for (Pending *pending : batch) {
        if (pending->status)
            pending->status = whole;
    }
}

} // namespace mandate::store
