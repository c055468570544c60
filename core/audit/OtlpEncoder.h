// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"

#include <QJsonArray>
#include <QJsonObject>

namespace mandate::audit {

/// Audit records as OpenTelemetry logs in OTLP/JSON (opentelemetry-proto ExportLogsServiceRequest):
/// the record time as timeUnixNano, trace and span ids, the event type as body and eventName,
/// every other field (and the chain position) as attributes; objects become kvlistValue.
class OtlpEncoder
{
public:
    static QJsonObject logRecord(const StoredRecord &record);
    /// From a record's export form (StoredRecord::toExportJson()).
    static QJsonObject logRecord(QJsonObject exported);
    /// A request carrying `logRecords` under one resource (service.name "mandated").
    static QJsonObject request(const QJsonArray &logRecords);
    static QJsonObject anyValue(const QJsonValue &value);
};

} // namespace mandate::audit
