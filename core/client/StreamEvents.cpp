// SPDX-License-Identifier: Apache-2.0
#include "client/StreamEvents.h"

#include <QJsonArray>

namespace mandate::client {

ActiveExecution ActiveExecution::fromJson(const QJsonObject &json)
{
    ActiveExecution row;
    row.id = json.value(QStringLiteral("id")).toString();
    row.agent = json.value(QStringLiteral("agent")).toString();
    row.parent = json.value(QStringLiteral("parent")).toString();
    row.purpose = json.value(QStringLiteral("purpose")).toString();
    const QJsonArray chain = json.value(QStringLiteral("chain")).toArray();
    row.rootHuman = chain.isEmpty() ? QString() : chain.first().toString();
    const QJsonObject session = json.value(QStringLiteral("session")).toObject();
    for (const QJsonValue &action : session.value(QStringLiteral("actions")).toArray())
        row.actions.append(action.toString());
    const QJsonObject remaining = json.value(QStringLiteral("remaining")).toObject();
    row.amountLeft = remaining.value(QStringLiteral("amount")).toString();
    row.callsLeft = remaining.value(QStringLiteral("calls")).toInteger();
    const QJsonObject risk = json.value(QStringLiteral("risk")).toObject();
    row.risk = risk.value(QStringLiteral("score")).toInt();
    row.riskCeiling = risk.value(QStringLiteral("ceiling")).toInt();
    row.expiresAt = QDateTime::fromString(json.value(QStringLiteral("expiresAt")).toString(), Qt::ISODate);
    row.depth = json.value(QStringLiteral("depth")).toInt();
    return row;
}

} // namespace mandate::client
