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
        if (it == m_entries.constEnd() || now - it->loadedAt >= kMaxAgeSecs || now < it->loadedAt)
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

bool ExecutionStateCache::insert(ExecutionState state, quint64 readAt)
{
    const qint64 now = m_clock.nowSecs();
    const QString id = state.execution.id;
    std::lock_guard lock(m_mutex);
    if (readAt != m_generation)
        return false;
    if (m_entries.size() >= m_capacity && !m_entries.contains(id)) {
        m_entries.clear();
        m_entries.reserve(m_capacity);
    }
    m_entries.emplace(id, Entry{std::move(state), now});
    return true;
}

void ExecutionStateCache::invalidate(const QString &id)
{
    std::lock_guard lock(m_mutex);
    ++m_generation;
    m_entries.remove(id);
}

void ExecutionStateCache::invalidateAll()
{
    std::lock_guard lock(m_mutex);
    ++m_generation;
    m_entries.clear();
}

qsizetype ExecutionStateCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

} // namespace mandate::session
