// SPDX-License-Identifier: Apache-2.0
#include "session/ExecutionStateCache.h"

namespace mandate::session {

ExecutionStateCache::ExecutionStateCache(const Clock &clock, qsizetype capacity)
    : m_clock(clock), m_capacity(capacity < 1 ? 1 : capacity)
{
    m_entries.reserve(m_capacity);  // no rehashing on the per-call path
}

std::optional<ExecutionState> ExecutionStateCache::find(const QString &id) const
{
    const qint64 now = m_clock.nowSecs();
    std::optional<ExecutionState> found;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_entries.constFind(id);
        // A clock that went backwards makes an entry's age unknown: treat it as stale.
        if (it == m_entries.constEnd() || !it->fresh || now - it->loadedAt >= kMaxAgeSecs || now < it->loadedAt)
            return std::nullopt;
        found = it->state;
    }
    // As the store derives it: an active execution past its expiry is expired.
    if (found->execution.status == identity::Execution::Status::Active && found->execution.expiresAt.toSecsSinceEpoch() <= now)
        found->status = identity::Execution::Status::Expired;
    else
        found->status = found->execution.status;
    return found;
}

quint64 ExecutionStateCache::generation() const
{
    std::lock_guard lock(m_mutex);
    return m_generation;
}

ExecutionStateCache::Entry *ExecutionStateCache::entryFor(const QString &id)
{
    // Oldest first, one for one: the memory an evicted entry frees is what the new one takes,
    // where dropping everything at once cost a burst of frees every kCapacity inserts. When full,
    // the oldest goes even if `id` is already cached: one hash lookup fewer on every insert.
    if (m_entries.size() >= m_capacity && !m_order.empty()) {
        m_entries.remove(m_order.front());
        m_order.pop_front();
    }
    const qsizetype before = m_entries.size();
    Entry *entry = &m_entries[id];
    if (m_entries.size() != before)
        m_order.push_back(id);
    return entry;
}

bool ExecutionStateCache::insert(ExecutionState state, quint64 readAt)
{
    const qint64 now = m_clock.nowSecs();
    std::lock_guard lock(m_mutex);
    Entry &entry = *entryFor(state.execution.id);
    if (invalidatedSince(state.execution.id, readAt)) {
        // The state may predate the change that invalidated it; the record cannot.
        if (!entry.hasRecord) {
            entry.state.execution = std::move(state.execution);
            entry.hasRecord = true;
        }
        return false;
    }
    entry.state = std::move(state);
    entry.loadedAt = now;
    entry.fresh = true;
    entry.hasRecord = true;
    return true;
}

bool ExecutionStateCache::invalidatedSince(const QString &id, quint64 readAt) const
{
    if (readAt == m_generation)
        return false;
    // Unless the log still reaches back to the first invalidation after `readAt`, any may have
    // been this one's.
    if (m_invalidations.empty() || m_invalidations.front().generation > readAt + 1)
        return true;
    for (auto it = m_invalidations.crbegin(); it != m_invalidations.crend() && it->generation > readAt; ++it) {
        if (it->id.isEmpty() || it->id == id)
            return true;
    }
    return false;
}

void ExecutionStateCache::noteInvalidation(const QString &id)
{
    ++m_generation;
    if (m_invalidations.size() >= kInvalidationsKept)
        m_invalidations.pop_front();
    m_invalidations.push_back(Invalidation{m_generation, id});
}

void ExecutionStateCache::invalidate(const QString &id)
{
    std::lock_guard lock(m_mutex);
    noteInvalidation(id);
    const auto it = m_entries.find(id);
    if (it == m_entries.end() || !it->fresh)
        return;
    // Keeps the record alone: what else the state held is about to be out of date.
    identity::Execution record = std::move(it->state.execution);
    it->state = ExecutionState();
    it->state.execution = std::move(record);
    it->fresh = false;
}

void ExecutionStateCache::invalidateAll()
{
    std::lock_guard lock(m_mutex);
    noteInvalidation(QString());
    m_entries.clear();
    m_order.clear();
}

qsizetype ExecutionStateCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

std::optional<identity::Execution> ExecutionStateCache::record(const QString &id) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.constFind(id);
    if (it == m_entries.constEnd() || !it->hasRecord)
        return std::nullopt;
    return it->state.execution;
}

void ExecutionStateCache::insertRecord(const QString &id, const identity::Execution &execution)
{
    std::lock_guard lock(m_mutex);
    Entry &entry = *entryFor(id);
    if (!entry.hasRecord) {
        entry.state.execution = execution;
        entry.hasRecord = true;
    }
}

} // namespace mandate::session
