// SPDX-License-Identifier: Apache-2.0
#include "session/ExecutionState.h"

#include <QDateTime>
#include <QJsonArray>

namespace mandate::session {

QJsonObject ExecutionState::toJson() const
{
    QJsonObject json = execution.toJson();
    json.insert(QStringLiteral("status"), identity::Execution::statusName(status));
    json.insert(QStringLiteral("used"), used.toJson());
    json.insert(QStringLiteral("remaining"), remaining.toJson());
    json.insert(QStringLiteral("risk"), QJsonObject{{QStringLiteral("score"), riskScore},
                                                    {QStringLiteral("ceiling"), execution.riskCeiling}});
    json.insert(QStringLiteral("session"), QJsonObject{{QStringLiteral("calls"), sessionCalls},
                                                       {QStringLiteral("denied"), sessionDenied},
                                                       {QStringLiteral("actions"), QJsonArray::fromStringList(sessionActions)}});
    if (endedAt > 0) {
        json.insert(QStringLiteral("endedAt"), QDateTime::fromSecsSinceEpoch(endedAt, Qt::UTC).toString(Qt::ISODate));
        json.insert(QStringLiteral("endReason"), endReason);
    }
    return json;
}

} // namespace mandate::session
