// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditLog.h"
#include "audit/JsonLinesPosition.h"
#include "audit/JsonLinesSink.h"
#include "audit/OtlpExporter.h"
#include "common/Result.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <memory>

namespace mandate::gateway {

/// Where the gateway streams its audit records besides its database ([audit] in the config).
struct AuditExportOptions
{
    QString jsonLinesFile;        ///< [audit] jsonl-file: JSON lines for a SIEM
    QUrl otlpEndpoint;            ///< [audit] otlp-endpoint: an OTLP/HTTP logs endpoint
    QByteArray otlpAuthorization; ///< [audit] otlp-authorization: the Authorization header sent (never logged)
    qint64 otlpSpoolMaxBytes = 64ll << 20; ///< [audit] otlp-spool-max-bytes
};

/// The audit log's continuous exports, attached once the log is open and before the gateway
/// takes calls: a JSON lines file (which first catches up with the records its file lacks,
/// JsonLinesSink::resumePoint()) and an OTLP exporter spooling in DATA/otlp-spool.
class AuditExport
{
public:
    static Result<std::unique_ptr<AuditExport>> attach(const AuditExportOptions &options, audit::AuditLog &log, const QString &dataDir);

    /// The exports' counters in Prometheus text format, for /metrics (empty without exports).
    QByteArray metrics() const;

private:
    std::shared_ptr<audit::JsonLinesSink> m_jsonLines;
    std::shared_ptr<audit::OtlpExporter> m_otlp;
};

} // namespace mandate::gateway
