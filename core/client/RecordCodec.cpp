// SPDX-License-Identifier: Apache-2.0
#include "client/RecordCodec.h"

#include "identity/Agent.h"
#include "identity/Human.h"
#include "identity/Machine.h"
#include "identity/Tool.h"
#include "json/JsonReader.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace mandate::client {

ClientResult<QJsonObject> RecordCodec::object(const QByteArray &body)
{
    json::Limits limits;
    limits.maxBytes = qsizetype(256) << 20;
    limits.maxMembers = 10'000'000;
    Result<QJsonObject> parsed = json::parseObject(body, limits);
    if (!parsed)
        return ClientError::protocol(parsed.error().toString());
    return parsed.value();
}

template<typename Record>
ClientResult<Record> RecordCodec::record(const QJsonObject &json)
{
    std::vector<Error> errors;
    Record record = Record::fromJson(json, QString(), errors);
    if (!errors.empty())
        return ClientError::protocol(QCoreApplication::translate("mandate::client::RecordCodec", "unexpected %1 record: %2")
                                 .arg(QLatin1String(Record::kind), errors.front().toString()));
    return record;
}

template<typename Record>
ClientResult<std::vector<Record>> RecordCodec::list(const QJsonObject &json)
{
    const QJsonValue items = json.value(QStringLiteral("items"));
    if (!items.isArray())
        return ClientError::protocol(QCoreApplication::translate("mandate::client::RecordCodec", "the list has no \"items\" array"));
    const QJsonArray array = items.toArray();
    std::vector<Record> records;
    records.reserve(static_cast<size_t>(array.size()));
    for (const QJsonValue &item : array) {
        ClientResult<Record> decoded = record<Record>(item.toObject());
        if (!decoded)
            return decoded.error();
        records.push_back(std::move(decoded).value());
    }
    return records;
}

template ClientResult<identity::Agent> RecordCodec::record<identity::Agent>(const QJsonObject &);
template ClientResult<identity::Tool> RecordCodec::record<identity::Tool>(const QJsonObject &);
template ClientResult<identity::Human> RecordCodec::record<identity::Human>(const QJsonObject &);
template ClientResult<identity::Machine> RecordCodec::record<identity::Machine>(const QJsonObject &);
template ClientResult<std::vector<identity::Agent>> RecordCodec::list<identity::Agent>(const QJsonObject &);
template ClientResult<std::vector<identity::Tool>> RecordCodec::list<identity::Tool>(const QJsonObject &);
template ClientResult<std::vector<identity::Human>> RecordCodec::list<identity::Human>(const QJsonObject &);
template ClientResult<std::vector<identity::Machine>> RecordCodec::list<identity::Machine>(const QJsonObject &);

} // namespace mandate::client
