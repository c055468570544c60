// SPDX-License-Identifier: Apache-2.0
#include "api/ToolAdmission.h"

#include <algorithm>

namespace mandate::api {

ToolAdmission::ToolAdmission(int perTool) : m_perTool(std::max(1, perTool)) {}

ToolAdmission::Place ToolAdmission::enter(const QString &tool)
{
    {
        std::lock_guard lock(m_mutex);
        int &count = m_inFlight[tool];
        if (count >= m_perTool) {
            m_refused.fetch_add(1, std::memory_order_relaxed);
            return {};
        }
        ++count;
    }
    // The deleter gives the place back; the pointer itself only marks that there is one.
    return Place(this, [tool](ToolAdmission *admission) { admission->leave(tool); });
}

void ToolAdmission::leave(const QString &tool)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_inFlight.find(tool);
    if (it == m_inFlight.end())
        return;
    if (--it.value() <= 0)
        m_inFlight.erase(it);
}

int ToolAdmission::inFlight(const QString &tool) const
{
    std::lock_guard lock(m_mutex);
    return m_inFlight.value(tool);
}

} // namespace mandate::api
