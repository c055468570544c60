// SPDX-License-Identifier: Apache-2.0
#include "firewall/ExecutionLocks.h"

namespace mandate::firewall {

ExecutionLocks::Guard::Guard(Guard &&other) noexcept
    : m_locks(std::exchange(other.m_locks, nullptr)), m_id(std::move(other.m_id)), m_slot(std::exchange(other.m_slot, nullptr))
{
}

ExecutionLocks::Guard &ExecutionLocks::Guard::operator=(Guard &&other) noexcept
{
    if (this != &other) {
        unlock();
        m_locks = std::exchange(other.m_locks, nullptr);
        m_id = std::move(other.m_id);
        m_slot = std::exchange(other.m_slot, nullptr);
    }
    return *this;
}

void ExecutionLocks::Guard::unlock()
{
    if (!m_slot)
        return;
    m_slot->mutex.unlock();
    m_locks->release(m_id, std::exchange(m_slot, nullptr));
}

ExecutionLocks::Guard ExecutionLocks::lock(const QString &executionId)
{
    Slot *slot = nullptr;
    {
        std::lock_guard lock(m_mutex);
        std::unique_ptr<Slot> &entry = m_slots[executionId];
        if (!entry)
            entry = std::make_unique<Slot>();
        ++entry->users;  // kept in the map, and so alive, until this user is done
        slot = entry.get();
    }
    slot->mutex.lock();
    return Guard(this, executionId, slot);
}

void ExecutionLocks::release(const QString &executionId, Slot *slot)
{
    std::unique_ptr<Slot> last;  // freed after the map's lock is let go
    std::lock_guard lock(m_mutex);
    if (--slot->users == 0) {
        const auto it = m_slots.find(executionId);
        last = std::move(it->second);
        m_slots.erase(it);
    }
}

qsizetype ExecutionLocks::inUse() const
{
    std::lock_guard lock(m_mutex);
    return qsizetype(m_slots.size());
}

int ExecutionLocks::users(const QString &executionId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_slots.find(executionId);
    return it == m_slots.end() ? 0 : it->second->users;
}

} // namespace mandate::firewall
