// SPDX-License-Identifier: Apache-2.0
#include "firewall/CommitWaiter.h"

namespace mandate::firewall {

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

void CommitWaiter::whenCommitted(std::future<Appended> append, Continuation then)
{
    {
        const std::lock_guard lock(m_mutex);
        m_queue.push_back({std::move(append), std::move(then)});
    }
    m_wake.notify_one();
}

void CommitWaiter::waitUntilIdle()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_queue.empty() && !m_running; });
}

void CommitWaiter::run()
{
    std::deque<Entry> taken;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_running = false;
            if (m_queue.empty())
                m_idle.notify_all();
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return;  // stopping, and everything queued has run
            m_running = true;
            taken.swap(m_queue);
        }
        // In queue order: the first wait usually covers the whole batch, the rest are ready.
        for (Entry &entry : taken)
            entry.then(entry.append.get());
        taken.clear();
    }
}

} // namespace mandate::firewall
