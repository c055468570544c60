// SPDX-License-Identifier: Apache-2.0
#include "store/GroupCommitter.h"

#include "store/Database.h"

namespace mandate::store {

GroupCommitter::GroupCommitter(const Database &database) : m_db(database) {}

Status GroupCommitter::run(const std::function<Status()> &write)
{
    Pending mine;
    mine.write = &write;
    std::unique_lock lock(m_mutex);
    m_queue.push_back(&mine);
    if (m_gatherUntil != 0 && m_queue.size() >= m_gatherUntil)
        m_arrived.notify_one();  // wake a gathering leader only when its batch is complete
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
            pending->done = true;
        m_committed.notify_all();
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
    if (batch.size() > 1) {
        const Status together = m_db.transaction([&]() -> Status {
            for (Pending *pending : batch) {
                if (Status written = (*pending->write)(); !written)
                    return written;
            }
            return Status::success();
        });
        if (together) {
            for (Pending *pending : batch)
                pending->status = Status::success();
            return;
        }
    }
    for (Pending *pending : batch)
        pending->status = m_db.transaction(*pending->write);
}

} // namespace mandate::store
