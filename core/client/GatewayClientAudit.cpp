// SPDX-License-Identifier: Apache-2.0
// GatewayClient's read side of the audit log: record pages and lineage graphs.
#include "client/GatewayClient.h"

#include "client/RecordCodec.h"
#include "client/ReplyDecoding.h"

#include <QJsonArray>

namespace mandate::client {

namespace {

/// One exported record: the chain fields come off before the strict typed parse.
ClientResult<AuditEntry> entryFrom(const QJsonObject &exported)
{
    AuditEntry entry;
    entry.exported = exported;
    QJsonObject body = exported;
    const QJsonValue sequence = body.take(QStringLiteral("mandate.audit.sequence"));
    entry.hash = body.take(QStringLiteral("mandate.audit.hash")).toString();
    entry.prevHash = body.take(QStringLiteral("mandate.audit.prev_hash")).toString();
    body.remove(QStringLiteral("mandate.audit.seal"));
    if (!sequence.isDouble())
        return ClientError::protocol(GatewayClient::tr("an audit record has no sequence number"));
    entry.sequence = static_cast<qint64>(sequence.toDouble());
    Result<audit::AuditRecord> record = audit::AuditRecord::fromJson(body);
    if (!record)
        return ClientError::protocol(GatewayClient::tr("audit record %1: %2").arg(entry.sequence).arg(record.error().toString()));
    entry.record = std::move(record).value();
    return entry;
}

ClientResult<AuditPage> pageFrom(const QByteArray &body)
{
    ClientResult<QJsonObject> object = RecordCodec::object(body);
    if (!object)
        return object.error();
    const QJsonValue items = object->value(QStringLiteral("items"));
    if (!items.isArray())
        return ClientError::protocol(GatewayClient::tr("the audit page has no items array"));
    AuditPage page;
    page.nextCursor = object->value(QStringLiteral("next_cursor")).toString();
    const QJsonArray array = items.toArray();
    page.entries.reserve(static_cast<size_t>(array.size()));
    for (const QJsonValue &item : array) {
        ClientResult<AuditEntry> entry = entryFrom(item.toObject());
        if (!entry)
            return entry.error();
        page.entries.push_back(std::move(entry).value());
    }
    return page;
}

ClientResult<audit::LineageGraph> graphFrom(const QByteArray &body)
{
    ClientResult<QJsonObject> object = RecordCodec::object(body);
    if (!object)
        return object.error();
    Result<audit::LineageGraph> graph = audit::LineageGraph::fromJson(object.value());
    if (!graph)
        return ClientError::protocol(GatewayClient::tr("the lineage graph is malformed: %1").arg(graph.error().toString()));
    return std::move(graph).value();
}

} // namespace

QUrlQuery LineageStart::toQuery() const
{
    QUrlQuery query;
    switch (kind) {
    case Kind::Execution: query.addQueryItem(QStringLiteral("execution"), id); break;
    case Kind::Human: query.addQueryItem(QStringLiteral("human"), id); break;
    case Kind::Agent: query.addQueryItem(QStringLiteral("agent"), id); break;
    case Kind::Trace: query.addQueryItem(QStringLiteral("trace_id"), id); break;
    case Kind::TimeRange:
        query.addQueryItem(QStringLiteral("from"), from.toUTC().toString(Qt::ISODateWithMs));
        query.addQueryItem(QStringLiteral("to"), to.toUTC().toString(Qt::ISODateWithMs));
        break;
    }
    return query;
}

void GatewayClient::queryAudit(const QUrlQuery &filter, const QString &cursor, int limit, QObject *context,
                               Callback<AuditPage> done)
{
    QUrlQuery query = filter;
    if (!cursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), cursor);
    if (limit > 0)
        query.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    const QString encoded = query.toString(QUrl::FullyEncoded);
    const QString path = QStringLiteral("/v1/audit") + (encoded.isEmpty() ? QString() : QStringLiteral("?") + encoded);
    send("GET", path, std::nullopt, std::nullopt, context, decodedBy<AuditPage>(std::move(done), pageFrom));
}

void GatewayClient::lineage(const LineageStart &start, QObject *context, Callback<audit::LineageGraph> done)
{
    const QString path = QStringLiteral("/v1/lineage?") + start.toQuery().toString(QUrl::FullyEncoded);
    send("GET", path, std::nullopt, std::nullopt, context, decodedBy<audit::LineageGraph>(std::move(done), graphFrom));
}

void GatewayClient::executionState(const QString &id, QObject *context, Callback<QJsonObject> done)
{
    const QString path = QStringLiteral("/v1/executions/") + QString::fromLatin1(QUrl::toPercentEncoding(id));
    send("GET", path, std::nullopt, std::nullopt, context, decodedBy<QJsonObject>(std::move(done), &RecordCodec::object));
}

} // namespace mandate::client
