// SPDX-License-Identifier: Apache-2.0
#include "firewall/UpstreamAdmission.h"

#include <algorithm>

namespace mandate::firewall {

UpstreamAdmission::UpstreamAdmission(int perUpstream) : m_perUpstream(std::max(1, perUpstream)) {}

UpstreamAdmission::Place UpstreamAdmission::enter(const QString &origin)
{
    {
        std::lock_guard lock(m_mutex);
        int &count = m_inFlight[origin];
        if (count >= m_perUpstream) {
            m_refused.fetch_add(1, std::memory_order_relaxed);
            return {};
        }
        ++count;
    }
    // The deleter gives the place back; the pointer itself only marks that there is one.
    return Place(this, [origin](UpstreamAdmission *admission) { admission->leave(origin); });
}

void UpstreamAdmission::leave(const QString &origin)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_inFlight.find(origin);
    if (it == m_inFlight.end())
        return;
    if (--it.value() <= 0)
        m_inFlight.erase(it);
}

int UpstreamAdmission::inFlight(const QString &origin) const
{
    std::lock_guard lock(m_mutex);
    return m_inFlight.value(origin);
}

} // namespace mandate::firewall
