// SPDX-License-Identifier: Apache-2.0
#include "session/SessionRecorder.h"

#include "common/Logging.h"

namespace mandate::session {

SessionRecorder::SessionRecorder(ExecutionStore &store) : m_store(store) {}

SessionRecorder::~SessionRecorder()
{
    if (Status written = flush(); !written)
        qCWarning(lcStore) << "cannot record the last session updates:" << written.error().message;
}

void SessionRecorder::setWake(std::function<void()> wake)
{
    m_wake = std::move(wake);
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

void SessionRecorder::queue(ExecutionStore::SessionUpdate update)
{
    add(m_queued, update);
    m_queue.push_back(std::move(update));
}

void SessionRecorder::record(ExecutionStore::SessionUpdate update)
{
    {
        std::lock_guard lock(m_mutex);
        queue(std::move(update));
    }
    if (m_wake)
        m_wake();
}

void SessionRecorder::reserve(const ExecutionStore::SessionUpdate &update)
{
    std::lock_guard lock(m_mutex);
    reserveLocked(update);
}

void SessionRecorder::reserveLocked(const ExecutionStore::SessionUpdate &update)
{
    Reserved &reserved = m_reserved[update.id];
    ++reserved.updates;
    if (update.countsAsCall) {
        ++reserved.calls;
        if (!update.allowed)
            ++reserved.denied;
        else if (!update.action.isEmpty())
            ++reserved.actions[update.action];
    }
    reserved.risk += update.riskDelta;
}

void SessionRecorder::unreserveLocked(const ExecutionStore::SessionUpdate &update)
{
    const auto it = m_reserved.find(update.id);
    if (it == m_reserved.end())
        return;
    Reserved &reserved = it.value();
    if (update.countsAsCall) {
        --reserved.calls;
        if (!update.allowed)
            --reserved.denied;
        else if (const auto action = reserved.actions.find(update.action); action != reserved.actions.end() && --action.value() <= 0)
            reserved.actions.erase(action);
    }
    reserved.risk -= update.riskDelta;
    if (--reserved.updates <= 0)
        m_reserved.erase(it);
}

void SessionRecorder::settle(const ExecutionStore::SessionUpdate &update, const std::optional<ExecutionStore::SessionUpdate> &final)
{
    {
        std::lock_guard lock(m_mutex);
        // In one step: no pending() may see neither the reservation nor what replaces it.
        unreserveLocked(update);
        if (final)
            queue(*final);
    }
    if (final && m_wake)
        m_wake();
}

void SessionRecorder::stage(const ExecutionStore::SessionUpdate &reserved)
{
    std::lock_guard lock(m_mutex);
    // In one step, as settle(): pending() sees the effect once, reserved or being written.
    unreserveLocked(reserved);
    add(m_writing, reserved);
    m_staged.push_back(reserved);
}

quint64 SessionRecorder::written() const
{
    std::lock_guard lock(m_mutex);
    return m_written;
}

SessionRecorder::Pending SessionRecorder::pending(const QString &executionId, quint64 *lastWrite) const
{
    std::lock_guard lock(m_mutex);
    if (lastWrite)
        *lastWrite = m_lastWrite[bucketOf(executionId)];
    Pending total = m_writing.value(executionId);
    const auto merge = [&total](const Pending &more) {
        total.calls += more.calls;
        total.denied += more.denied;
        total.risk += more.risk;
        for (const QString &action : more.actions) {
            if (!total.actions.contains(action))
                total.actions.append(action);
        }
    };
    merge(m_queued.value(executionId));
    if (const auto it = m_reserved.constFind(executionId); it != m_reserved.constEnd())
        merge(Pending{it->calls, it->denied, it->risk, it->actions.keys()});
    return total;
}

bool SessionRecorder::claimAction(const QString &executionId, const QString &action, const QStringList &known,
                                  const QDateTime &expiresAt, const QDateTime &now)
{
    if (known.contains(action))
        return false;
    std::lock_guard lock(m_mutex);
    Claims &claims = m_claims[executionId];
    if (claims.actions.contains(action))
        return false;
    claims.actions.append(action);
    claims.expiresAt = expiresAt;
    if (m_claims.size() >= m_pruneAt)
        pruneClaims(now);
    return true;
}

void SessionRecorder::releaseAction(const QString &executionId, const QString &action)
{
    std::lock_guard lock(m_mutex);
    if (const auto it = m_claims.find(executionId); it != m_claims.end()) {
        it->actions.removeOne(action);
        if (it->actions.isEmpty())
            m_claims.erase(it);
    }
}

void SessionRecorder::pruneClaims(const QDateTime &now)
{
    m_claims.removeIf([&now](const QHash<QString, Claims>::iterator &it) { return it->expiresAt < now; });
    // Amortized: the next pass only once the live claims have doubled.
    m_pruneAt = std::max<qsizetype>(1024, 2 * m_claims.size());
}

Status SessionRecorder::writePending()
{
    std::vector<ExecutionStore::SessionUpdate> batch;
    {
        std::lock_guard lock(m_mutex);
        for (ExecutionStore::SessionUpdate &update : m_queue) {
            add(m_writing, update);
            m_writingQueue.push_back(std::move(update));
        }
        m_queue.clear();
        m_queued.clear();
        batch = m_writingQueue;
        batch.insert(batch.end(), m_staged.cbegin(), m_staged.cend());
    }
    for (const ExecutionStore::SessionUpdate &update : batch) {
        Status written = m_store.applyUpdate(update);
        // An execution that is gone must not hold every other update back: skip it, not the batch.
        if (!written && written.error().code != QLatin1String("not_found"))
            return written;
    }
    return Status::success();
}

void SessionRecorder::finishWrite(bool committed)
{
    std::lock_guard lock(m_mutex);
    const auto eachWritten = [this](const auto &apply) {
        for (const auto &update : m_writingQueue)
            apply(update);
        for (const auto &update : m_staged)
            apply(update);
    };
    // The transaction that wrote them is over: cached states must be read again.
    eachWritten([this](const ExecutionStore::SessionUpdate &update) { m_store.forgetRecentState(update.id); });
    if (!committed) {
        // Not written: queued updates back to the front of the queue, in order, to ride on the
        // next batch; staged ones reserved again, for their calls to settle (their records did
        // not commit either).
        m_writingQueue.insert(m_writingQueue.end(), m_queue.begin(), m_queue.end());
        m_queue.swap(m_writingQueue);
        m_queued.clear();
        for (const auto &update : m_queue)
            add(m_queued, update);
        for (const auto &update : m_staged)
            reserveLocked(update);
    } else if (!m_writingQueue.empty() || !m_staged.empty()) {
        ++m_written;
        eachWritten([this](const ExecutionStore::SessionUpdate &update) { m_lastWrite[bucketOf(update.id)] = m_written; });
    }
    m_writingQueue.clear();
    m_staged.clear();
    m_writing.clear();
}

Status SessionRecorder::flush()
{
    std::vector<ExecutionStore::SessionUpdate> batch;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_queue);
        m_queued.clear();
    }
    return m_store.recordCalls(batch);
}

} // namespace mandate::session
