// SPDX-License-Identifier: Apache-2.0
#include "audit/OtlpExporter.h"

#include "audit/OtlpEncoder.h"
#include "common/Logging.h"
#include "json/JsonWriter.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSaveFile>
#include <QThread>
#include <QTimer>

namespace mandate::audit {

namespace {

/// A spool line is built by concatenation, without parsing the body: consume() runs on the audit
/// writer's thread, so the OTLP encoding is left to the sender thread.
QByteArray spoolLine(const StoredRecord &record)
{
    return "{\"b\":" + record.body + ",\"mandate.audit.hash\":\"" + record.hash.toHex() + "\",\"mandate.audit.prev_hash\":\""
        + record.prevHash.toHex() + "\",\"mandate.audit.sequence\":" + QByteArray::number(record.sequence) + "}\n";
}

} // namespace

OtlpExporter::OtlpExporter(Options options) : m_options(std::move(options)) {}

Result<std::unique_ptr<OtlpExporter>> OtlpExporter::start(Options options)
{
    if (!options.endpoint.isValid() || !options.endpoint.scheme().startsWith(QLatin1String("http")))
        return Error{QStringLiteral("invalid"), QStringLiteral("the OTLP endpoint must be an http(s) URL")};
    if (options.spoolDir.isEmpty() || !QDir().mkpath(options.spoolDir))
        return Error{QStringLiteral("io"), QStringLiteral("cannot create the OTLP spool directory %1").arg(options.spoolDir)};
    options.maxBatch = std::max(1, options.maxBatch);
    options.initialBackoffMs = std::max(1, options.initialBackoffMs);
    std::unique_ptr<OtlpExporter> exporter(new OtlpExporter(std::move(options)));
    exporter->m_offset = exporter->readOffset();
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

QString OtlpExporter::spoolPath() const
{
    return QDir(m_options.spoolDir).filePath(QStringLiteral("otlp-spool.jsonl"));
}

QString OtlpExporter::offsetPath() const
{
    return QDir(m_options.spoolDir).filePath(QStringLiteral("otlp-spool.offset"));
}

qint64 OtlpExporter::readOffset() const
{
    QFile file(offsetPath());
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const qint64 offset = file.readAll().trimmed().toLongLong();
    return std::clamp<qint64>(offset, 0, QFileInfo(spoolPath()).size());
}

qint64 OtlpExporter::pendingBytes() const
{
    const std::lock_guard lock(m_mutex);
    return QFileInfo(spoolPath()).size() - m_offset;
}

void OtlpExporter::consume(const std::vector<StoredRecord> &batch)
{
    {
        const std::lock_guard lock(m_mutex);
        QFile spool(spoolPath());
        if (!spool.open(QIODevice::WriteOnly | QIODevice::Append)) {
            m_dropped += batch.size();
            qCWarning(lcAudit) << "OTLP spool unwritable, dropped" << batch.size() << "records:" << spool.errorString();
            return;
        }
        qint64 pending = spool.size() - m_offset;
        quint64 dropped = 0;
        QByteArray chunk;
        for (const StoredRecord &record : batch) {
            const QByteArray line = spoolLine(record);
            if (pending + line.size() > m_options.maxBufferBytes) {
                ++dropped;
                continue;
            }
            pending += line.size();
            chunk += line;
        }
        if (spool.write(chunk) != chunk.size() || !spool.flush()) {
            dropped += batch.size() - dropped; // conservatively: the whole batch may be incomplete
            qCWarning(lcAudit) << "OTLP spool write failed:" << spool.errorString();
        }
        if (dropped > 0) {
            m_dropped += dropped;
            qCWarning(lcAudit) << "OTLP spool full (" << m_options.maxBufferBytes << "bytes): dropped" << dropped
                               << "records, total" << m_dropped.load();
        }
    }
    QMetaObject::invokeMethod(m_worker, [this] { pump(); }, Qt::QueuedConnection);
}

void OtlpExporter::pump()
{
    if (m_inFlight || m_waiting || !m_network)
        return;
    QJsonArray logs;
    qint64 bytes = 0;
    {
        const std::lock_guard lock(m_mutex);
        QFile spool(spoolPath());
        if (!spool.open(QIODevice::ReadOnly) || !spool.seek(m_offset))
            return;
        while (logs.size() < m_options.maxBatch) {
            const QByteArray line = spool.readLine();
            if (!line.endsWith('\n'))
                break; // nothing more, or a line still being written
            bytes += line.size();
            const QJsonObject spooled = QJsonDocument::fromJson(line).object();
            QJsonObject exported = spooled.value(QStringLiteral("b")).toObject();
            if (!exported.isEmpty()) {
                for (const char *key : {"mandate.audit.sequence", "mandate.audit.hash", "mandate.audit.prev_hash"})
                    exported.insert(QLatin1String(key), spooled.value(QLatin1String(key)));
                logs.append(OtlpEncoder::logRecord(exported));
            } else {
                ++m_dropped; // a torn line from a crash: counted, never sent half
                qCWarning(lcAudit) << "OTLP spool: skipped an unreadable line";
            }
        }
    }
    if (bytes == 0)
        return;
    if (logs.isEmpty()) {
        acknowledge(bytes);
        return;
    }
    QNetworkRequest request(m_options.endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(m_options.requestTimeoutMs);
    for (const auto &[name, value] : m_options.headers)
        request.setRawHeader(name, value);
    m_inFlight = true;
    const int records = static_cast<int>(logs.size());
    QNetworkReply *reply = m_network->post(request, json::writeCompact(OtlpEncoder::request(logs)));
    QObject::connect(reply, &QNetworkReply::finished, m_worker, [this, reply, bytes, records] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        finish(status, reply->error() == QNetworkReply::NoError || status >= 400, bytes, records);
    });
}

void OtlpExporter::finish(int httpStatus, bool networkOk, qint64 bytes, int records)
{
    m_inFlight = false;
    if (networkOk && httpStatus >= 200 && httpStatus < 300) {
        acknowledge(bytes);
        m_sent += static_cast<quint64>(records);
        m_backoffMs = m_options.initialBackoffMs;
        pump();
        return;
    }
    // OTLP/HTTP retries only 429, 502, 503 and 504 (and a request that got no answer): any other
    // status would fail again for the same batch, and hold up every record behind it.
    const bool retryable = !networkOk || httpStatus == 0 || httpStatus == 429 || httpStatus == 502 || httpStatus == 503 || httpStatus == 504;
    if (!retryable) {
        acknowledge(bytes);
        m_rejected += static_cast<quint64>(records);
        qCWarning(lcAudit) << "OTLP collector rejected" << records << "records with HTTP" << httpStatus;
        pump();
        return;
    }
    ++m_failedAttempts;
    qCInfo(lcAudit) << "OTLP export failed (HTTP" << httpStatus << "), retrying in" << m_backoffMs << "ms";
    m_waiting = true;
    QTimer::singleShot(m_backoffMs, m_worker, [this] {
        m_waiting = false;
        pump();
    });
    m_backoffMs = std::min(m_backoffMs * 2, m_options.maxBackoffMs);
}

void OtlpExporter::acknowledge(qint64 bytes)
{
    const std::lock_guard lock(m_mutex);
    m_offset += bytes;
    QFile spool(spoolPath());
    if (m_offset >= spool.size()) {
        // Everything delivered: start the spool afresh instead of letting it grow.
        spool.resize(0);
        m_offset = 0;
    } else if (m_offset > m_options.maxBufferBytes / 2 && spool.open(QIODevice::ReadOnly) && spool.seek(m_offset)) {
        const QByteArray rest = spool.readAll();
        spool.close();
        QSaveFile compacted(spoolPath());
        if (compacted.open(QIODevice::WriteOnly) && compacted.write(rest) == rest.size() && compacted.commit())
            m_offset = 0;
    }
    QSaveFile offset(offsetPath());
    if (!offset.open(QIODevice::WriteOnly) || offset.write(QByteArray::number(m_offset)) < 0 || !offset.commit())
        qCWarning(lcAudit) << "cannot persist the OTLP spool offset; records may be sent twice after a restart";
}

} // namespace mandate::audit
