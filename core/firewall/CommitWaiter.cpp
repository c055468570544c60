// SPDX-License-Identifier: Apache-2.0
#include "firewall/CommitWaiter.h"

#include <atomic>
#include <memory>

namespace mandate::firewall {

/// One hand-off, shared by the copies of its completion: tells its continuation once, and an
/// error if the last copy goes without having been called.
class CommitWaiter::Ticket
{
public:
    Ticket(CommitWaiter &waiter, Continuation then) : m_waiter(waiter), m_then(std::move(then)) {}
    ~Ticket()
    {
        if (m_sequence >= 0 && !m_told.exchange(true))  // counted (handOff() got that far), never told
            m_waiter.post(m_sequence, Entry{Error{QStringLiteral("internal"), QStringLiteral("the audit append's completion was dropped")},
                                            std::move(m_then)});
    }
    Q_DISABLE_COPY_MOVE(Ticket)

    void setSequence(qint64 sequence) { m_sequence = sequence; }
    void tell(Appended result)
    {
        if (!m_told.exchange(true))
            m_waiter.post(m_sequence, Entry{std::move(result), std::move(m_then)});
    }

private:
    CommitWaiter &m_waiter;
    Continuation m_then;
    qint64 m_sequence = -1;  ///< its place among the hand-offs, once counted
    std::atomic<bool> m_told{false};
};

CommitWaiter::CommitWaiter()
{
    m_thread = std::thread([this] { run(); });
}

CommitWaiter::~CommitWaiter()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_wake.notify_one();
    }
    m_thread.join();
}

audit::AuditLog::Appended CommitWaiter::handOff(Continuation then)
{
    if (!then)
        then = [](const Appended &) {};
    // Allocated before it is counted: nothing that throws leaves a count nobody will take back.
    auto ticket = std::make_shared<Ticket>(*this, std::move(then));
    audit::AuditLog::Appended completion = [ticket](Appended result) { ticket->tell(std::move(result)); };
    const std::lock_guard lock(m_mutex);
    m_slots.emplace_back();
    ticket->setSequence(m_first + qint64(m_slots.size()) - 1);
    ++m_outstanding;
    return completion;
}

void CommitWaiter::post(qint64 sequence, Entry entry)
{
    // Notified under the lock: once the entry is in, the waiter may run it and, stopping, be
    // destroyed before a notify made after the unlock.
    const std::lock_guard lock(m_mutex);
    m_slots[size_t(sequence - m_first)] = std::move(entry);
    // Woken only when the next one in order is told and the waiter sleeps: a busy waiter takes
    // what is ready with what it has, so a batch told together costs one wake-up.
    if (sequence == m_first && m_threadWaits)
        m_wake.notify_one();
}

void CommitWaiter::waitUntilIdle()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_outstanding == 0; });
}

void CommitWaiter::run()
{
    std::vector<Entry> taken;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_threadWaits = true;
        m_wake.wait(lock, [this] { return (!m_slots.empty() && m_slots.front()) || (m_stopping && m_outstanding == 0); });
        m_threadWaits = false;
        if (m_slots.empty() || !m_slots.front())
            return;  // stopping, and every append handed off has run
        while (!m_slots.empty() && m_slots.front()) {
            taken.push_back(std::move(*m_slots.front()));
            m_slots.pop_front();
            ++m_first;
        }
        lock.unlock();
        for (Entry &entry : taken)
            entry.then(std::move(entry.result));
        const auto ran = qint64(taken.size());
        taken.clear();
        lock.lock();
        m_outstanding -= ran;
        if (m_outstanding == 0)
            m_idle.notify_all();
    }
}

} // namespace mandate::firewall
