// SPDX-License-Identifier: Apache-2.0
#include "PolicyTemplates.h"

namespace mandate::ui {

std::vector<PolicyTemplate> PolicyTemplate::all()
{
    return {
        {tr("Permit an agent's executions an action"),
         tr("Executions of one agent, and the executions they delegate to, may call an action."),
         QStringLiteral("@id(\"agent-may-act\")\n"
                        "permit (\n"
                        "    principal in Agent::\"support-agent\",\n"
                        "    action == Action::\"ticket:read\",\n"
                        "    resource\n"
                        ");\n")},
        {tr("Forbid an action for every agent"),
         tr("No execution may call this action, whatever else permits it."),
         QStringLiteral("@id(\"no-account-deletion\")\n"
                        "forbid (principal, action == Action::\"account:delete\", resource);\n")},
        {tr("Cap an amount argument"),
         tr("Permits the call only while the tool call's amount stays under a limit."),
         QStringLiteral("@id(\"refunds-up-to-50\")\n"
                        "permit (\n"
                        "    principal in Agent::\"support-agent\",\n"
                        "    action == Action::\"refund:create\",\n"
                        "    resource\n"
                        ")\n"
                        "when { context.args has amount && context.args.amount.lessThanOrEqual(decimal(\"50.00\")) };\n")},
        {tr("Stop calls above the risk ceiling"),
         tr("Forbids any call once the execution's risk score exceeds its ceiling."),
         QStringLiteral("@id(\"risk-ceiling\")\n"
                        "forbid (principal, action, resource)\n"
                        "when { context.risk.score > context.risk.ceiling };\n")},
        {tr("Limit the delegation depth"),
         tr("Forbids calls from executions delegated further than a given depth."),
         QStringLiteral("@id(\"max-depth-1\")\n"
                        "forbid (principal, action, resource)\n"
                        "when { context.delegation.depth > 1 };\n")},
        {tr("Only on behalf of one human"),
         tr("Forbids an action unless the delegation chain starts at a given person."),
         QStringLiteral("@id(\"refunds-only-for-alice\")\n"
                        "forbid (principal, action == Action::\"refund:create\", resource)\n"
                        "unless { context.delegation.root == \"alice\" };\n")},
        {tr("Cap the calls per execution"),
         tr("Forbids calls once an execution has made more than a number of them."),
         QStringLiteral("@id(\"at-most-20-calls\")\n"
                        "forbid (principal, action, resource)\n"
                        "when { context.session.calls >= 20 };\n")},
    };
}

} // namespace mandate::ui
