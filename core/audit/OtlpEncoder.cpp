// SPDX-License-Identifier: Apache-2.0
#include "audit/OtlpEncoder.h"

#include <QDateTime>

namespace mandate::audit {

namespace {

QJsonObject keyValue(const QString &key, const QJsonValue &value)
{
    return {{QStringLiteral("key"), key}, {QStringLiteral("value"), OtlpEncoder::anyValue(value)}};
}

} // namespace

QJsonObject OtlpEncoder::anyValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return {{QStringLiteral("boolValue"), value.toBool()}};
    case QJsonValue::Double: {
        const double d = value.toDouble();
        // proto3 JSON carries int64 as a string
        if (d == static_cast<double>(value.toInteger()))
            return {{QStringLiteral("intValue"), QString::number(value.toInteger())}};
        return {{QStringLiteral("doubleValue"), d}};
    }
    case QJsonValue::String:
        return {{QStringLiteral("stringValue"), value.toString()}};
    case QJsonValue::Array: {
        QJsonArray values;
        for (const QJsonValue &v : value.toArray())
            values.append(anyValue(v));
        return {{QStringLiteral("arrayValue"), QJsonObject{{QStringLiteral("values"), values}}}};
    }
    case QJsonValue::Object: {
        QJsonArray values;
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            values.append(keyValue(it.key(), it.value()));
        return {{QStringLiteral("kvlistValue"), QJsonObject{{QStringLiteral("values"), values}}}};
    }
    default:
        return {};
    }
}

QJsonObject OtlpEncoder::logRecord(const StoredRecord &record)
{
    return logRecord(record.toExportJson());
}

QJsonObject OtlpEncoder::logRecord(QJsonObject body)
{
    QJsonObject log;
    const QDateTime time = QDateTime::fromString(body.take(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    const QString nanos = QString::number(time.toMSecsSinceEpoch()) + QStringLiteral("000000");
    log.insert(QStringLiteral("timeUnixNano"), nanos);
    log.insert(QStringLiteral("observedTimeUnixNano"), nanos);
    log.insert(QStringLiteral("severityNumber"), 9);
    log.insert(QStringLiteral("severityText"), QStringLiteral("INFO"));
    const QString event = body.value(QStringLiteral("mandate.event.type")).toString();
    log.insert(QStringLiteral("eventName"), QString(QStringLiteral("mandate.audit.") + event));
    log.insert(QStringLiteral("body"), anyValue(event));
    if (const QString trace = body.take(QStringLiteral("trace_id")).toString(); !trace.isEmpty())
        log.insert(QStringLiteral("traceId"), trace);
    if (const QString span = body.take(QStringLiteral("span_id")).toString(); !span.isEmpty())
        log.insert(QStringLiteral("spanId"), span);
    QJsonArray attributes;
    for (auto it = body.begin(); it != body.end(); ++it)
        attributes.append(keyValue(it.key(), it.value()));
    log.insert(QStringLiteral("attributes"), attributes);
    return log;
}

QJsonObject OtlpEncoder::request(const QJsonArray &logRecords)
{
    const QJsonObject resource{{QStringLiteral("attributes"),
                                QJsonArray{keyValue(QStringLiteral("service.name"), QStringLiteral("mandated"))}}};
    const QJsonObject scope{{QStringLiteral("name"), QStringLiteral("mandate.audit")},
                            {QStringLiteral("version"), QStringLiteral(MANDATE_VERSION)}};
    const QJsonObject scopeLogs{{QStringLiteral("scope"), scope}, {QStringLiteral("logRecords"), logRecords}};
    const QJsonObject resourceLogs{{QStringLiteral("resource"), resource},
                                   {QStringLiteral("scopeLogs"), QJsonArray{scopeLogs}}};
    return {{QStringLiteral("resourceLogs"), QJsonArray{resourceLogs}}};
}

} // namespace mandate::audit
