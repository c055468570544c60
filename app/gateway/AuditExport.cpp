// SPDX-License-Identifier: Apache-2.0
#include "AuditExport.h"

#include "common/Logging.h"

#include <QDir>

namespace mandate::gateway {

namespace {

/// Adds `sink` to the log from `resume` on, or from the head when it has no place yet.
Status joinAfter(audit::AuditLog &log, std::shared_ptr<audit::AuditSink> sink, const std::optional<audit::ChainPosition> &resume)
{
    const audit::AuditHead head = log.head();
    return resume ? log.addSink(std::move(sink), resume->sequence, resume->hash) : log.addSink(std::move(sink), head.sequence, head.hash);
}

/// Where a first start begins: the log's head now.
audit::ChainPosition headOf(const audit::AuditLog &log)
{
    const audit::AuditHead head = log.head();
    return {head.sequence, head.hash};
}

} // namespace

Result<std::unique_ptr<AuditExport>> AuditExport::attach(const AuditExportOptions &options, audit::AuditLog &log, const QString &dataDir)
{
    std::unique_ptr<AuditExport> exports(new AuditExport);
    if (!options.jsonLinesFile.isEmpty()) {
        // Resumes after the file's last record, or the bookmark's (which outlives a rotation of
        // the file); with neither, from now on: `mandatectl audit export` gives the history, and
        // a first start does not replay a large log into the SIEM.
        auto inFile = audit::lastPositionInJsonLines(options.jsonLinesFile, log.gatewayId());
        if (!inFile)
            return Error{inFile.error().code, QStringLiteral("audit JSON lines file: ") + inFile.error().message};
        // The file is the better witness when it has this gateway's records; the bookmark counts
        // when the file was rotated away (or emptied) since.
        const QString bookmarkPath = QDir(dataDir).filePath(QStringLiteral("audit-jsonl.bookmark"));
        std::optional<audit::ChainPosition> resume = inFile.value();
        QString source = options.jsonLinesFile;
        if (!resume) {
            auto bookmarked = audit::PositionNote::read(bookmarkPath, log.gatewayId());
            if (!bookmarked)
                return bookmarked.error();
            resume = bookmarked.value();
            source = bookmarkPath;
        }
        const bool firstStart = !resume;
        if (firstStart) {
            // From the head on, noted on disk before anything is written, so that a power loss
            // before the first batch's note reaches the disk does not turn this place back into
            // none (a later start would then begin at its own head, skipping the rest).
            resume = headOf(log);
            if (Status noted = audit::PositionNote(bookmarkPath).writeDurably({log.gatewayId(), *resume}); !noted)
                return noted.error();
        }
        auto sink = audit::JsonLinesSink::open(options.jsonLinesFile, bookmarkPath);
        if (!sink)
            return sink.error();
        exports->m_jsonLines = std::move(sink).value();
        if (Status joined = joinAfter(log, exports->m_jsonLines, resume); !joined)
            return Error{joined.error().code, QStringLiteral("audit JSON lines export, resuming where %1 says: %2").arg(source, joined.error().message)};
        if (firstStart)
            qCInfo(lcGateway) << "audit JSON lines file" << options.jsonLinesFile << "starts after record" << resume->sequence
                              << "(earlier ones: mandatectl audit export)";
        qCInfo(lcGateway) << "audit records are written to" << options.jsonLinesFile;
    }
    if (!options.otlpEndpoint.isEmpty()) {
        audit::OtlpExporter::Options otlp;
        otlp.endpoint = options.otlpEndpoint;
        otlp.spoolDir = QDir(dataDir).filePath(QStringLiteral("otlp-spool"));
        otlp.maxBufferBytes = options.otlpSpoolMaxBytes;
        if (!options.otlpAuthorization.isEmpty())
            otlp.headers.append({QByteArrayLiteral("Authorization"), options.otlpAuthorization});
        auto exporter = audit::OtlpExporter::start(otlp);
        if (!exporter)
            return exporter.error();
        exports->m_otlp = std::move(exporter).value();
        // Records committed but never spooled (a crash between the two) come from the database.
        std::optional<audit::ChainPosition> resume = exports->m_otlp->resumeAfter(log.gatewayId());
        if (!resume) {
            // A first start, noted on disk first (as for the JSON lines file above).
            resume = headOf(log);
            if (Status noted = exports->m_otlp->startAt(log.gatewayId(), *resume); !noted)
                return noted.error();
        }
        const Status joined = joinAfter(log, exports->m_otlp, resume);
        if (!joined)
            return Error{joined.error().code, QStringLiteral("audit OTLP export, resuming where its spool in %1 says: %2")
                                                  .arg(otlp.spoolDir, joined.error().message)};
        // The endpoint without user information or query: either could hold a credential.
        qCInfo(lcGateway) << "audit records are exported to" << options.otlpEndpoint.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    }
    return exports;
}

QByteArray AuditExport::metrics() const
{
    if (!m_jsonLines && !m_otlp)
        return {};
    QByteArray out = "# HELP mandate_audit_export_records_total Audit records the exports handled, by sink and outcome.\n"
                     "# TYPE mandate_audit_export_records_total counter\n";
    const auto line = [&out](const char *sink, const char *outcome, quint64 value) {
        out += "mandate_audit_export_records_total{sink=\"" + QByteArray(sink) + "\",outcome=\"" + QByteArray(outcome) + "\"} "
               + QByteArray::number(value) + '\n';
    };
    if (m_jsonLines) {
        line("jsonl", "written", m_jsonLines->writtenLines());
        line("jsonl", "failed", m_jsonLines->failedLines());
    }
    if (m_otlp) {
        line("otlp", "sent", m_otlp->sent());
        line("otlp", "dropped", m_otlp->dropped());
        line("otlp", "rejected", m_otlp->rejected());
        out += "# HELP mandate_audit_export_failed_attempts_total OTLP requests that failed and are retried.\n"
               "# TYPE mandate_audit_export_failed_attempts_total counter\n"
               "mandate_audit_export_failed_attempts_total{sink=\"otlp\"} " + QByteArray::number(m_otlp->failedAttempts()) + '\n';
        out += "# HELP mandate_audit_export_pending_bytes Spooled audit records not yet acknowledged by the collector.\n"
               "# TYPE mandate_audit_export_pending_bytes gauge\n"
               "mandate_audit_export_pending_bytes{sink=\"otlp\"} " + QByteArray::number(m_otlp->pendingBytes()) + '\n';
    }
    return out;
}

} // namespace mandate::gateway
