// SPDX-License-Identifier: Apache-2.0
#include "firewall/CommitWaiter.h"

#include <memory>
#include <utility>

namespace mandate::firewall {

/// One hand-off, shared by the copies of its completion: tells its continuation once, and an
/// error if the last copy goes without having been called.
class CommitWaiter::Ticket
{
public:
    Ticket(CommitWaiter &waiter, Continuation then) : m_waiter(waiter), m_then(std::move(then)) {}
    ~Ticket()
    {
        if (m_then)
            tell(Error{QStringLiteral("internal"), QStringLiteral("the audit append's completion was dropped")});
    }
    Q_DISABLE_COPY_MOVE(Ticket)

    void tell(Appended result) { m_waiter.post(Entry{std::move(result), std::exchange(m_then, {})}); }

private:
    CommitWaiter &m_waiter;
    Continuation m_then;
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
    }
    m_wake.notify_one();
    m_thread.join();
}

audit::AuditLog::Appended CommitWaiter::handOff(Continuation then)
{
    {
        const std::lock_guard lock(m_mutex);
        ++m_outstanding;
    }
    auto ticket = std::make_shared<Ticket>(*this, std::move(then));
    return [ticket](Appended result) { ticket->tell(std::move(result)); };
}

void CommitWaiter::post(Entry entry)
{
    bool wake = false;
    {
        const std::lock_guard lock(m_mutex);
        if (!entry.then)
            return;  // told already
        m_queue.push_back(std::move(entry));
        wake = m_threadWaits;  // a busy waiter takes it with what it has: no system call per record
    }
    if (wake)
        m_wake.notify_one();
}

void CommitWaiter::waitUntilIdle()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_outstanding == 0; });
}

void CommitWaiter::run()
{
    std::deque<Entry> taken;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_threadWaits = true;
        m_wake.wait(lock, [this] { return !m_queue.empty() || (m_stopping && m_outstanding == 0); });
        m_threadWaits = false;
        if (m_queue.empty())
            return;  // stopping, and every append handed off has run
        taken.swap(m_queue);
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
