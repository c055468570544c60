// SPDX-License-Identifier: Apache-2.0
#include "store/GroupCommitter.h"

#include "store/Database.h"

namespace mandate::store {

GroupCommitter::GroupCommitter(const Database &database) : m_db(database) {}

Status GroupCommitter::run(const std::function<Status()> &write, Undo undo)
{
    // Inside a transaction of the caller's own, the write rides on it: queueing it for another
    // thread's batch would report it committed before its caller's transaction is.
    if (m_db.inTransaction())
        return m_db.transaction(write);
    Pending mine;
    mine.write = &write;
    mine.undo = undo;
    std::unique_lock lock(m_mutex);
    m_queue.push_back(&mine);
    // Waiters are woken with the lock released: on a busy core the scheduler may run a woken
    // thread at once, and one woken while the lock is held blocks on it again (two more context
    // switches per waiter, a measurable share of a mint with 8 in flight on one core).
    if (m_gatherUntil != 0 && m_queue.size() >= m_gatherUntil) {
        lock.unlock();
        m_arrived.notify_one();  // wake a gathering leader only when its batch is complete
        lock.lock();
    }
    // Leader/follower: a thread that finds nobody committing takes the whole queue (its own
    // write included) and commits it; the others wait and are woken when their batch is done.
    while (!mine.done) {
        if (m_leading) {
            m_committed.wait(lock);
            continue;
        }
        m_leading = true;
        gather(lock);
        std::vector<Pending *> batch;
        batch.swap(m_queue);
        lock.unlock();
        commit(batch);
        lock.lock();
        m_leading = false;
        m_previousBatch = batch.size();
        ++m_batches;
        for (Pending *pending : batch)
            pending->done = true;  // mine among them
        lock.unlock();
        m_committed.notify_all();  // also wakes the writes queued since: one of them leads next
    }
    return mine.status;
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

void GroupCommitter::commit(const std::vector<Pending *> &batch)
{
    if (batch.size() == 1) {
        batch.front()->status = m_db.transaction(*batch.front()->write);
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
