// SPDX-License-Identifier: Apache-2.0
#include "session/SessionRecorder.h"

#include "common/Logging.h"

namespace mandate::session {

SessionRecorder::SessionRecorder(ExecutionStore &store)
    : m_store(store), m_thread([this]() { run(); })
{
}

SessionRecorder::~SessionRecorder()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void SessionRecorder::add(QHash<QString, Pending> &into, const ExecutionStore::SessionUpdate &update)
{
    Pending &pending = into[update.id];
    if (update.countsAsCall) {
        ++pending.calls;
        if (!update.allowed)
            ++pending.denied;
        else if (!update.action.isEmpty() && !pending.actions.contains(update.action))
            pending.actions.append(update.action);
    }
    pending.risk += update.riskDelta;
}

void SessionRecorder::record(ExecutionStore::SessionUpdate update)
{
    {
        std::lock_guard lock(m_mutex);
        add(m_queued, update);
        m_queue.push_back(std::move(update));
    }
    m_wake.notify_one();
}

SessionRecorder::Pending SessionRecorder::pending(const QString &executionId) const
{
    std::lock_guard lock(m_mutex);
    Pending total = m_writing.value(executionId);
    const Pending queued = m_queued.value(executionId);
    total.calls += queued.calls;
    total.denied += queued.denied;
    total.risk += queued.risk;
    for (const QString &action : queued.actions) {
        if (!total.actions.contains(action))
            total.actions.append(action);
    }
    return total;
}

void SessionRecorder::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this]() { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty())
            return;  // stopping, and everything is written
        std::vector<ExecutionStore::SessionUpdate> batch;
        batch.swap(m_queue);
        m_writing = std::exchange(m_queued, {});
        lock.unlock();
        if (Status written = m_store.recordCalls(batch); !written)
            qCWarning(lcStore) << "cannot record" << batch.size() << "session updates:" << written.error().message;
        lock.lock();
        m_writing.clear();
    }
}

} // namespace mandate::session
