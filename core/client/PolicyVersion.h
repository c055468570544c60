// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace mandate::client {

/// One version of the gateway's Cedar policy set (GET /v1/policies and its history). Versions
/// count up from 1; version 0 means the gateway has no policy set yet. History entries come
/// without `source`; fetch the version itself to read it.
struct PolicyVersion
{
    qint64 version = 0;
    QString author;
    QString comment;
    QDateTime createdAt;
    QString source;

    static PolicyVersion fromJson(const QJsonObject &json)
    {
        PolicyVersion out;
        out.version = json.value(QStringLiteral("version")).toInteger();
        out.author = json.value(QStringLiteral("author")).toString();
        out.comment = json.value(QStringLiteral("comment")).toString();
        out.createdAt = QDateTime::fromString(json.value(QStringLiteral("createdAt")).toString(), Qt::ISODateWithMs);
        out.source = json.value(QStringLiteral("source")).toString();
        return out;
    }
};

} // namespace mandate::client
