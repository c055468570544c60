// SPDX-License-Identifier: Apache-2.0
// GatewayClient's policy side: the current Cedar policy set, publishing with If-Match, the
// version history and restoring an earlier version.
#include "client/GatewayClient.h"

#include "client/RecordCodec.h"
#include "client/ReplyDecoding.h"

#include <QJsonArray>

namespace mandate::client {

namespace {

ClientResult<PolicyVersion> versionFrom(const QByteArray &body)
{
    ClientResult<QJsonObject> object = RecordCodec::object(body);
    if (!object)
        return object.error();
    if (!object->value(QStringLiteral("version")).isDouble()) {
        return ClientError::protocol(GatewayClient::tr("the policy set has no version number"));
    }
    return PolicyVersion::fromJson(object.value());
}

ClientResult<std::vector<PolicyVersion>> historyFrom(const QByteArray &body)
{
    ClientResult<QJsonObject> object = RecordCodec::object(body);
    if (!object)
        return object.error();
    const QJsonValue items = object->value(QStringLiteral("items"));
    if (!items.isArray()) {
        return ClientError::protocol(GatewayClient::tr("the policy history has no items array"));
    }
    std::vector<PolicyVersion> versions;
    for (const QJsonValue &item : items.toArray())
        versions.push_back(PolicyVersion::fromJson(item.toObject()));
    return versions;
}

} // namespace

void GatewayClient::currentPolicy(QObject *context, Callback<PolicyVersion> done)
{
    send("GET", QStringLiteral("/v1/policies"), std::nullopt, std::nullopt, context,
         decodedBy<PolicyVersion>(std::move(done), versionFrom));
}

void GatewayClient::policySchema(QObject *context, Callback<QString> done)
{
    send("GET", QStringLiteral("/v1/policies/schema"), std::nullopt, std::nullopt, context,
         decodedBy<QString>(std::move(done), [](const QByteArray &body) -> ClientResult<QString> {
             ClientResult<QJsonObject> object = RecordCodec::object(body);
             if (!object)
                 return object.error();
             if (!object->value(QStringLiteral("source")).isString()) {
                 return ClientError::protocol(GatewayClient::tr("the gateway's answer has no schema source"));
             }
             return object->value(QStringLiteral("source")).toString();
         }));
}

void GatewayClient::policyVersion(qint64 version, QObject *context, Callback<PolicyVersion> done)
{
    send("GET", QStringLiteral("/v1/policies/versions/%1").arg(version), std::nullopt, std::nullopt, context,
         decodedBy<PolicyVersion>(std::move(done), versionFrom));
}

void GatewayClient::publishPolicy(const QString &source, const QString &comment, qint64 baseVersion, QObject *context,
                                  Callback<PolicyVersion> done)
{
    const QJsonObject body{{QStringLiteral("source"), source}, {QStringLiteral("comment"), comment}};
    send("PUT", QStringLiteral("/v1/policies"), body, baseVersion, context,
         decodedBy<PolicyVersion>(std::move(done), versionFrom));
}

void GatewayClient::policyHistory(QObject *context, Callback<std::vector<PolicyVersion>> done)
{
    send("GET", QStringLiteral("/v1/policies/versions"), std::nullopt, std::nullopt, context,
         decodedBy<std::vector<PolicyVersion>>(std::move(done), historyFrom));
}

void GatewayClient::restorePolicy(qint64 version, qint64 baseVersion, QObject *context, Callback<PolicyVersion> done)
{
    send("POST", QStringLiteral("/v1/policies/versions/%1/restore").arg(version), std::nullopt, baseVersion, context,
         decodedBy<PolicyVersion>(std::move(done), versionFrom));
}

} // namespace mandate::client
