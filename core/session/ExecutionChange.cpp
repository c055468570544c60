// SPDX-License-Identifier: Apache-2.0
#include "session/ExecutionChange.h"

namespace mandate::session {

QString ExecutionChange::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Started: return QStringLiteral("started");
    case Kind::Completed: return QStringLiteral("completed");
    case Kind::Expired: return QStringLiteral("expired");
    case Kind::Revoked: return QStringLiteral("revoked");
    }
    return {};
}

QJsonObject ExecutionChange::toJson() const
{
    QJsonObject json{{QStringLiteral("type"), QString(QStringLiteral("execution.") + kindName(kind))},
                     {QStringLiteral("execution"), id},
                     {QStringLiteral("agent"), agent},
                     {QStringLiteral("root"), rootHuman},
                     {QStringLiteral("at"), at.toUTC().toString(Qt::ISODateWithMs)}};
    if (!parent.isEmpty())
        json.insert(QStringLiteral("parent"), parent);
    if (!reason.isEmpty())
        json.insert(QStringLiteral("reason"), reason);
    return json;
}

} // namespace mandate::session
