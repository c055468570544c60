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
        std::shared_ptr<Slot> &entry = m_slots[executionId];
        if (!entry)
            entry = std::make_shared<Slot>();
        ++entry->users;  // kept in the map, and so alive, until this user is done
        slot = entry.get();
    }
    slot->mutex.lock();
    return Guard(this, executionId, slot);
}

void ExecutionLocks::release(const QString &executionId, Slot *slot)
{
    std::lock_guard lock(m_mutex);
    if (--slot->users == 0)
        m_slots.remove(executionId);
}

qsizetype ExecutionLocks::inUse() const
{
    std::lock_guard lock(m_mutex);
    return m_slots.size();
}

} // namespace mandate::firewall
