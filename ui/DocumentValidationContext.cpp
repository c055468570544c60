// SPDX-License-Identifier: Apache-2.0
#include "DocumentValidationContext.h"

#include "RegistryDocument.h"

namespace mandate::ui {

DocumentValidationContext::DocumentValidationContext(const RegistryDocument &document)
{
    for (const identity::Human &human : document.humans())
        m_humans.insert(human.id);
    m_agents.reserve(static_cast<qsizetype>(document.agents().size()));
    for (const AgentEntry &entry : document.agents()) {
        if (entry.deleted)
            continue;
        m_agents.insert(entry.record.id);
        m_agentIds.insert(entry.record.id, 1);
    }
    for (const QString &action : document.knownActions())
        m_actions.insert(action);
}

} // namespace mandate::ui
