// SPDX-License-Identifier: Apache-2.0
#include "firewall/CallDecision.h"

#include <QJsonArray>

namespace mandate::firewall {

QJsonObject CallDecision::toJson() const
{
    QJsonObject json{{QStringLiteral("decision"), allowed ? QStringLiteral("allow") : QStringLiteral("deny")},
                     {QStringLiteral("reasons"), QJsonArray::fromStringList(reasons)},
                     {QStringLiteral("errors"), QJsonArray::fromStringList(errors)},
                     {QStringLiteral("decision_id"), decisionId}};
    if (!allowed) {
        json.insert(QStringLiteral("step"), step);
        json.insert(QStringLiteral("message"), message);
    }
    if (hasExecution) {
        json.insert(QStringLiteral("execution"), view.execution.id);
        json.insert(QStringLiteral("budget"), view.remaining.toJson());
        json.insert(QStringLiteral("risk"), QJsonObject{{QStringLiteral("score"), view.riskScore},
                                                        {QStringLiteral("ceiling"), view.execution.riskCeiling}});
    }
    return json;
}

} // namespace mandate::firewall
