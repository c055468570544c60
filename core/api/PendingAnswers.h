// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace mandate::api {

/// Requests taken and not answered yet, wherever they are: a token exchange's answer comes from
/// the audit writer's thread once its records commit, after the worker that took it has moved on.
/// The owner waits for none to be left before whatever the answers go through is destroyed.
class PendingAnswers
{
public:
    void taken()
    {
        std::lock_guard lock(m_mutex);
        ++m_pending;
    }
    void answered()
    {
        std::lock_guard lock(m_mutex);
        if (--m_pending == 0)
            m_none.notify_all();
    }
    /// False when some are still unanswered after `timeout`.
    bool waitForNone(std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        return m_none.wait_for(lock, timeout, [this] { return m_pending == 0; });
    }
    int pending()
    {
        std::lock_guard lock(m_mutex);
        return m_pending;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_none;
    int m_pending = 0;
};

} // namespace mandate::api
