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
#include <QRandomGenerator>
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
    exporter->m_batchLimit = exporter->m_options.maxBatch;
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
        // Once a minute at most: a full spool meets every commit.
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        if (qint64 last = m_lastDropWarning.load(); now - last >= 60 && m_lastDropWarning.compare_exchange_strong(last, now))
            qCWarning(lcAudit) << "OTLP spool full (" << m_options.maxBufferBytes << "bytes) or unwritable: dropped" << dropped
                               << "records, total" << m_dropped.load();
    }
    QMetaObject::invokeMethod(m_worker, [this] { pump(); }, Qt::QueuedConnection);
}

void OtlpExporter::pump()
{
    if (m_inFlight || m_waiting || !m_network)
        return;
    // A first record that failed alone again and again, and no probe has succeeded since: the
    // record after it goes alone, to tell a record the collector cannot take from a collector
    // that takes nothing. Without a record after it, the first one is tried again.
    const bool probing = m_suspect && !m_probeAccepted;
    OtlpSpool::Batch batch = m_spool->next(probing ? 2 : m_batchLimit, m_options.maxBatchBytes);
    const bool probe = probing && batch.records.size() == 2 && batch.unreadable == 0;
    if (probing && !probe && batch.records.size() > 1)
        batch = m_spool->next(1, m_options.maxBatchBytes);
    if (batch.spoolFailed) {
        // Tried again after the backoff, not only when the next record comes: an idle gateway's
        // backlog would otherwise wait for traffic.
        Answer failed;
        failed.problem = QStringLiteral("cannot read the spool in %1").arg(m_options.spoolDir);
        return retryLater(failed);
    }
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
    if (probe)
        logs.append(OtlpEncoder::logRecord(batch.records.back()));
    else
        for (const StoredRecord &record : batch.records)
            logs.append(OtlpEncoder::logRecord(record));
    QNetworkRequest request(m_options.endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(m_options.requestTimeoutMs);
    // Never followed: a 301/302/303 would turn the POST into a GET that a login page answers 200
    // (the records counted as sent), and a 307/308 would carry the credential to another host.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : m_options.headers)
        request.setRawHeader(name, value);
    m_inFlight = true;
    QNetworkReply *reply = m_network->post(request, json::writeCompact(OtlpEncoder::request(logs)));
    QObject::connect(reply, &QNetworkReply::finished, m_worker, [this, reply, batch, probe] {
        reply->deleteLater();
        Answer answer;
        answer.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.networkOk = reply->error() == QNetworkReply::NoError || answer.httpStatus >= 300;
        answer.body = reply->read(64 << 10);
        answer.retryAfterSecs = retryAfterSecs(reply->rawHeader("Retry-After"), QDateTime::currentDateTimeUtc());
        if (answer.httpStatus >= 300 && answer.httpStatus < 400) {
            // Where to, without user information, path or query: any of them could hold a secret.
            const QUrl target = m_options.endpoint.resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
            answer.problem = QStringLiteral("redirected to %1, which is not followed: configure the collector's own endpoint")
                                 .arg(target.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment));
        } else if (!answer.networkOk) {
            answer.problem = reply->errorString();
        }
        if (probe)
            finishProbe(answer);
        else
            finish(batch, answer);
    });
}

void OtlpExporter::finishProbe(const Answer &answer)
{
    m_inFlight = false;
    if (answer.networkOk && answer.httpStatus >= 200 && answer.httpStatus < 300) {
        // The collector takes other records: the first one is tried once more, and refused if
        // it fails again (the probed record goes again after it, as a duplicate at worst).
        m_probeAccepted = true;
        pump();
        return;
    }
    retryLater(answer);  // the collector takes nothing now: nothing is refused for it
}

void OtlpExporter::finish(const OtlpSpool::Batch &batch, const Answer &answer)
{
    m_inFlight = false;
    const quint64 records = batch.records.size();
    const int status = answer.httpStatus;
    if (answer.networkOk && status >= 200 && status < 300) {
        // A success may still refuse some records (ExportLogsPartialSuccess): those are rejected.
        const QJsonObject partial = QJsonDocument::fromJson(answer.body).object().value(QStringLiteral("partialSuccess")).toObject();
        const quint64 refused = std::min(records, rejectedIn(partial));
        if (refused > 0) {
            m_rejected += refused;
            qCWarning(lcAudit) << "OTLP collector accepted" << records - refused << "records and rejected" << refused << ':'
                               << partial.value(QStringLiteral("errorMessage")).toString().left(200);
        }
        m_spool->acknowledge(batch);
        m_sent += records - refused;
        m_backoffMs = m_options.initialBackoffMs;
        newFirstRecord();
        // Back up after a halving for a bad record; never above what a 413 refused.
        m_batchLimit = std::min({m_options.maxBatch, m_batchCeiling, m_batchLimit * 2});
        pump();
        return;
    }
    const auto reject = [&] {
        // Sent again, it would be refused again, and hold up every record behind it.
        m_spool->acknowledge(batch);
        m_rejected += records;
        newFirstRecord();
        qCWarning(lcAudit) << "OTLP collector rejected" << records << "records with HTTP" << status << ':'
                           << QString::fromUtf8(answer.body.left(200));
        pump();
    };
    const auto halve = [&](const char *why) {
        // The same records again in smaller requests, until the one at fault is alone.
        ++m_failedAttempts;
        m_batchFailures = 0;
        m_batchLimit = std::max(1, int(records / 2));
        if (const qint64 now = QDateTime::currentSecsSinceEpoch(); now - m_lastHalvingWarning >= 60) {
            m_lastHalvingWarning = now;
            qCWarning(lcAudit) << "OTLP collector refused a request of" << records << "records" << why << "; sending at most"
                               << m_batchLimit << "per request";
        }
        pump();
    };
    if (status == 400)
        return reject();  // the content itself
    if (status == 413) {
        m_batchCeiling = std::max(1, int(records / 2));  // the collector's size: not grown past again
        return records > 1 ? halve("as too large") : reject();
    }
    if (answer.networkOk && !refusesEverything(status)) {
        // A 500 or 422 again and again for the same records may be one record the collector
        // cannot take: isolated by halving; alone, refused only once the record after it has
        // gone through (a probe), so that a collector failing on everything refuses nothing.
        if (m_suspect && m_probeAccepted && records == 1)
            return reject();
        if (++m_batchFailures >= kContentFailures) {
            if (records > 1)
                return halve("again and again");
            m_suspect = true;
            m_batchFailures = 0;
        }
    } else if (m_suspect) {
        m_probeAccepted = false;  // the collector's trouble now: the probe tells again later
    }
    retryLater(answer);
}

void OtlpExporter::newFirstRecord()
{
    m_batchFailures = 0;
    m_suspect = m_probeAccepted = false;
}

bool OtlpExporter::refusesEverything(int status)
{
    // Answers that say nothing about the records: a redirect, a credential, a path or a proxy
    // that is wrong, or a collector that is busy or down. Retried as long as it takes.
    return (status >= 300 && status < 400) || status == 401 || status == 403 || status == 404 || status == 407 || status == 408
           || status == 429 || status == 502 || status == 503 || status == 504;
}

void OtlpExporter::retryLater(const Answer &answer)
{
    ++m_failedAttempts;
    const int status = answer.httpStatus;
    const bool transient = !answer.networkOk || status == 429 || status == 502 || status == 503 || status == 504;
    const QString why = answer.problem.isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                                                 : status > 0 ? QStringLiteral("HTTP %1, %2").arg(status).arg(answer.problem) : answer.problem;
    // A collector that will not take anything until someone fixes it (a redirect, 401, 404, a
    // TLS error) is worth a warning; one that is briefly down is not. Once a minute at most.
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if ((!transient || !answer.networkOk) && now - m_lastRefusalWarning >= 60) {
        m_lastRefusalWarning = now;
        qCWarning(lcAudit) << "OTLP export failing (" << why << "); the records wait in the spool," << m_spool->pendingBytes()
                           << "bytes, and are sent once the collector takes them";
    }
    // A collector that says when to come back (Retry-After, in seconds, on any retried answer) is
    // waited for, within the longest backoff; otherwise the backoff, with up to a fifth of it
    // taken off at random so that gateways that failed together do not retry together.
    const int jitter = m_backoffMs >= 5 ? int(QRandomGenerator::global()->bounded(m_backoffMs / 5)) : 0;
    const int delayMs = std::max(m_backoffMs - jitter, std::min(answer.retryAfterSecs, m_options.maxBackoffMs / 1000) * 1000);
    qCInfo(lcAudit) << "OTLP export failed (" << why << "), retrying in" << delayMs << "ms";
    m_waiting = true;
    QTimer::singleShot(delayMs, m_worker, [this] {
        m_waiting = false;
        pump();
    });
    m_backoffMs = std::min(m_backoffMs * 2, m_options.maxBackoffMs);
}

} // namespace mandate::audit
