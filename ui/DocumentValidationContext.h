// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Validator.h"

#include <QSet>

namespace mandate::ui {

class RegistryDocument;

/// What the core Validator needs to know about the rest of the registry, taken from the console's
/// working copy (the lists fetched from the gateway plus local edits), so the form can show the
/// gateway's own rules inline before anything is pushed.
class DocumentValidationContext final : public identity::ValidationContext
{
public:
    explicit DocumentValidationContext(const RegistryDocument &document);

    bool hasHuman(const QString &id) const override { return m_humans.contains(id); }
    bool hasAgent(const QString &id) const override { return m_agents.contains(id); }
    bool hasAction(const QString &action) const override { return m_actions.contains(action); }
    /// How many working-copy agents use `id` (the Validator does not check uniqueness).
    int agentIdCount(const QString &id) const { return static_cast<int>(m_agentIds.count(id)); }

private:
    QSet<QString> m_humans;
    QSet<QString> m_agents;
    QSet<QString> m_actions;
    QMultiHash<QString, int> m_agentIds;
};

} // namespace mandate::ui
