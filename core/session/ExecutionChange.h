// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace mandate::session {

/// An execution started or ended: what the gateway publishes to the live monitor and audits.
struct ExecutionChange
{
    enum class Kind { Started, Completed, Expired, Revoked };

    Kind kind = Kind::Started;
    QString id;
    QString agent;
    QString rootHuman;
    QString parent;
    QString reason;   ///< revocations: why (and by whom, when the caller says so)
    QDateTime at;

    static QString kindName(Kind kind);
    /// {"type":"execution.started"|…, "execution", "agent", "root", "parent", "reason", "at"}
    QJsonObject toJson() const;
};

} // namespace mandate::session

Q_DECLARE_METATYPE(mandate::session::ExecutionChange)
