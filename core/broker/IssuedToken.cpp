// SPDX-License-Identifier: Apache-2.0
#include "broker/IssuedToken.h"

#include "broker/AgentExecutionRequest.h"

#include <QJsonObject>

namespace mandate::broker {

QJsonArray IssuedToken::authorizationDetails() const
{
    QJsonArray actions;
    for (const identity::Capability &capability : execution.capabilities)
        actions.append(capability.action);
    const QJsonObject details{{QStringLiteral("type"), QLatin1String(AgentExecutionRequest::kType)},
                              {QStringLiteral("execution"), execution.id},
                              {QStringLiteral("parent"), execution.parent.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(execution.parent)},
                              {QStringLiteral("purpose"), execution.purpose},
                              {QStringLiteral("actions"), actions},
                              {QStringLiteral("budget"), execution.budget.toJson()},
                              {QStringLiteral("risk_ceiling"), execution.riskCeiling},
                              {QStringLiteral("depth"), execution.depth()}};
    return QJsonArray{details};
}

} // namespace mandate::broker
