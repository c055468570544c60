// SPDX-License-Identifier: Apache-2.0
#include "audit/OtlpExporter.h"

#include "audit/OtlpEncoder.h"
#include "common/Logging.h"
#include "common/RetryAfter.h"
#include "json/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace mandate::audit {

namespace {

/// ExportLogsPartialSuccess.rejectedLogRecords: proto3 JSON gives an int64 as a string, or as a
/// number; anything else, or negative, is none.
quint64 rejectedIn(const QJsonObject &partialSuccess)
{
    const QJsonValue count = partialSuccess.value(QStringLiteral("rejectedLogRecords"));
    const qint64 said = count.isString() ? count.toString().toLongLong() : count.toInteger();
    return said > 0 ? quint64(said) : 0;
}

} // namespace

OtlpExporter::OtlpExporter(Options options, std::unique_ptr<OtlpSpool> spool)
    : m_options(std::move(options)), m_spool(std::move(spool))
{
}

Result<std::unique_ptr<OtlpExporter>> OtlpExporter::start(Options options)
{
    if (!options.endpoint.isValid() || !options.endpoint.scheme().startsWith(QLatin1String("http")))
        return Error{QStringLiteral("invalid"), QStringLiteral("the OTLP endpoint must be an http(s) URL")};
    options.maxBatch = std::max(1, options.maxBatch);
    options.initialBackoffMs = std::max(1, options.initialBackoffMs);
    auto spool = OtlpSpool::open(options.spoolDir, options.maxBufferBytes);
    if (!spool)
        return spool.error();
    std::unique_ptr<OtlpExporter> exporter(new OtlpExporter(std::move(options), std::move(spool).value()));
    exporter->m_backoffMs = exporter->m_options.initialBackoffMs;
    exporter->m_thread = new QThread;
    exporter->m_thread->setObjectName(QStringLiteral("otlp-exporter"));
    exporter->m_worker = new QObject;
    exporter->m_worker->moveToThread(exporter->m_thread);
    QObject::connect(exporter->m_thread, &QThread::finished, exporter->m_worker, &QObject::deleteLater);
    exporter->m_thread->start();
    OtlpExporter *self = exporter.get();
    QMetaObject::invokeMethod(self->m_worker, [self] {
        self->m_network = new QNetworkAccessManager(self->m_worker);
        self->pump(); // whatever an earlier run left in the spool
    }, Qt::QueuedConnection);
    return exporter;
}

OtlpExporter::~OtlpExporter()
{
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

qint64 OtlpExporter::pendingBytes() const
{
    return m_spool->pendingBytes();
}

std::optional<ChainPosition> OtlpExporter::resumeAfter(const QString &gatewayId) const
{
    return m_spool->lastPosition(gatewayId);
}

void OtlpExporter::consume(const std::vector<StoredRecord> &batch)
{
    // On the audit writer's thread: an append to the spool, nothing more.
    if (const quint64 dropped = m_spool->append(batch); dropped > 0) {
        m_dropped += dropped;
        qCWarning(lcAudit) << "OTLP spool full (" << m_options.maxBufferBytes << "bytes) or unwritable: dropped" << dropped
                           << "records, total" << m_dropped.load();
    }
    QMetaObject::invokeMethod(m_worker, [this] { pump(); }, Qt::QueuedConnection);
}

void OtlpExporter::pump()
{
    if (m_inFlight || m_waiting || !m_network)
        return;
    const OtlpSpool::Batch batch = m_spool->next(m_options.maxBatch, m_options.maxBatchBytes);
    if (batch.bytes == 0)
        return;
    if (batch.unreadable > 0) {
        m_dropped += batch.unreadable;  // a damaged line: counted, never sent half
        qCWarning(lcAudit) << "OTLP spool: skipped" << batch.unreadable << "unreadable lines";
    }
    if (batch.records.empty()) {
        m_spool->acknowledge(batch);
        pump();
        return;
    }
    QJsonArray logs;
    for (const StoredRecord &record : batch.records)
        logs.append(OtlpEncoder::logRecord(record));
    QNetworkRequest request(m_options.endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(m_options.requestTimeoutMs);
    for (const auto &[name, value] : m_options.headers)
        request.setRawHeader(name, value);
    m_inFlight = true;
    QNetworkReply *reply = m_network->post(request, json::writeCompact(OtlpEncoder::request(logs)));
    QObject::connect(reply, &QNetworkReply::finished, m_worker, [this, reply, batch] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        finish(status, reply->error() == QNetworkReply::NoError || status >= 400, batch, reply->read(64 << 10),
               retryAfterSecs(reply->rawHeader("Retry-After"), QDateTime::currentDateTimeUtc()));
    });
}

void OtlpExporter::finish(int httpStatus, bool networkOk, const OtlpSpool::Batch &batch, const QByteArray &answer,
                          int retryAfterSecs)
{
    m_inFlight = false;
    const quint64 records = batch.records.size();
    if (networkOk && httpStatus >= 200 && httpStatus < 300) {
        // A success may still refuse some records (ExportLogsPartialSuccess): those are rejected.
        const QJsonObject partial = QJsonDocument::fromJson(answer).object().value(QStringLiteral("partialSuccess")).toObject();
        const quint64 refused = std::min(records, rejectedIn(partial));
        if (refused > 0) {
            m_rejected += refused;
            qCWarning(lcAudit) << "OTLP collector accepted" << records - refused << "records and rejected" << refused << ':'
                               << partial.value(QStringLiteral("errorMessage")).toString().left(200);
        }
        m_spool->acknowledge(batch);
        m_sent += records - refused;
        m_backoffMs = m_options.initialBackoffMs;
        pump();
        return;
    }
    // OTLP/HTTP retries only 429, 502, 503 and 504 (and a request that got no answer): any other
    // status would fail again for the same batch, and hold up every record behind it.
    const bool retryable = !networkOk || httpStatus == 0 || httpStatus == 429 || httpStatus == 502 || httpStatus == 503 || httpStatus == 504;
    if (!retryable) {
        m_spool->acknowledge(batch);
        m_rejected += records;
        qCWarning(lcAudit) << "OTLP collector rejected" << records << "records with HTTP" << httpStatus;
        pump();
        return;
    }
    ++m_failedAttempts;
    // A collector that says when to come back (Retry-After, in seconds, on any retried answer) is
    // waited for, within the longest backoff.
    const int delayMs = std::max(m_backoffMs, std::min(retryAfterSecs, m_options.maxBackoffMs / 1000) * 1000);
    qCInfo(lcAudit) << "OTLP export failed (HTTP" << httpStatus << "), retrying in" << delayMs << "ms";
    m_waiting = true;
    QTimer::singleShot(delayMs, m_worker, [this] {
        m_waiting = false;
        pump();
    });
    m_backoffMs = std::min(m_backoffMs * 2, m_options.maxBackoffMs);
}

} // namespace mandate::audit
