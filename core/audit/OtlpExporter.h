// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditSink.h"
#include "audit/OtlpSpool.h"
#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <atomic>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

class QNetworkAccessManager;
class QObject;
class QThread;

namespace mandate::audit {

/// Ships committed audit records to an OpenTelemetry collector as OTLP/HTTP JSON logs
/// (POST {endpoint}, normally http://collector:4318/v1/logs). Records first go to a bounded
/// spool file (OtlpSpool), so they survive both a collector outage and a gateway restart; a
/// sender thread reads, encodes and posts them in batches, outside the lock the audit writer's
/// appends take, and retries with exponential backoff and jitter (or after the collector's
/// Retry-After). After a restart the gateway hands the exporter what it missed from
/// resumeAfter() on (AuditLog::addSink). Nothing is dropped silently: records refused because
/// the spool is full count in dropped(), records the collector refuses for good in rejected(),
/// and both are logged. A 400 refuses a batch for good (its content would be refused again); a
/// 413 halves the batch, down to one record refused alone; answers that say nothing of the
/// records (a redirect, which is never followed, 401, 403, 404, 407, 408, 429, 502, 503, 504, no
/// answer) keep them in the spool and are retried as long as it takes: a misconfigured collector
/// must not eat the audit trail. Any other failure (500, 422, …) three times for the same batch
/// halves it, so that a record the collector cannot take is found; alone, it is refused only
/// once the record after it, sent alone, went through and it failed again: a collector that
/// fails on everything refuses nothing.
class OtlpExporter final : public AuditSink
{
public:
    struct Options
    {
        QUrl endpoint;
        QString spoolDir;                       ///< holds otlp-spool.lines and otlp-spool.sent
        qint64 maxBufferBytes = 64ll << 20;     ///< unsent records kept at most
        int maxBatch = 512;                     ///< log records per request
        qint64 maxBatchBytes = 4 << 20;         ///< and spooled bytes per request: collectors cap bodies
        int initialBackoffMs = 200;
        int maxBackoffMs = 30'000;
        int requestTimeoutMs = 10'000;
        QList<QPair<QByteArray, QByteArray>> headers; ///< e.g. an authorization header
    };

    static Result<std::unique_ptr<OtlpExporter>> start(Options options);
    ~OtlpExporter() override;
    OtlpExporter(const OtlpExporter &) = delete;
    OtlpExporter &operator=(const OtlpExporter &) = delete;

    void consume(const std::vector<StoredRecord> &batch) override;

    quint64 sent() const { return m_sent.load(); }          ///< acknowledged by the collector
    quint64 dropped() const { return m_dropped.load(); }    ///< refused: spool full
    quint64 rejected() const { return m_rejected.load(); }  ///< refused by the collector for good (also partly, in a 200)
    quint64 failedAttempts() const { return m_failedAttempts.load(); }
    qint64 pendingBytes() const;
    /// The newest record of `gatewayId`'s chain spooled or sent before (nullopt: none, a first
    /// start, or another gateway's spool).
    std::optional<ChainPosition> resumeAfter(const QString &gatewayId) const;
    /// A first start at `head`: noted on disk before any record is spooled, so that a power loss
    /// before the first note reaches the disk does not skip what was committed meanwhile.
    Status startAt(const QString &gatewayId, const ChainPosition &head) { return m_spool->startAt({gatewayId, head}); }

private:
    explicit OtlpExporter(Options options, std::unique_ptr<OtlpSpool> spool);
    void pump();
    struct Answer
    {
        int httpStatus = 0;
        bool networkOk = false;    ///< an HTTP answer came (any status), or the request went through
        QByteArray body;
        int retryAfterSecs = 0;
        QString problem;           ///< why it failed, for the log: network error or redirect target
    };
    void finish(const OtlpSpool::Batch &batch, const Answer &answer);
    void finishProbe(const Answer &answer);
    void retryLater(const Answer &answer);
    /// The records at the head of the spool have left it: the search for a bad one starts over.
    void newFirstRecord();
    static bool refusesEverything(int status);
    static constexpr int kContentFailures = 3;  ///< same-batch failures (500, 422, …) before it is halved

    const Options m_options;
    const std::unique_ptr<OtlpSpool> m_spool;
    std::atomic<quint64> m_sent{0};
    std::atomic<quint64> m_dropped{0};
    std::atomic<quint64> m_rejected{0};
    std::atomic<quint64> m_failedAttempts{0};
    std::atomic<qint64> m_lastDropWarning{0};  ///< seconds since the epoch; consume() runs on the audit writer

    // Owned by the sender thread.
    QThread *m_thread = nullptr;
    QObject *m_worker = nullptr;
    QNetworkAccessManager *m_network = nullptr;
    bool m_inFlight = false;
    bool m_waiting = false;
    int m_backoffMs = 0;
    int m_batchLimit = 0;            ///< records per request: maxBatch, halved by a 413, doubled back by successes
    int m_batchFailures = 0;         ///< failures of the batch now first in the spool, by answers that may be about it
    int m_batchCeiling = std::numeric_limits<int>::max();  ///< below the size a 413 refused
    bool m_suspect = false;          ///< the first record alone failed kContentFailures times
    bool m_probeAccepted = false;    ///< since, the record after it went through alone
    qint64 m_lastHalvingWarning = 0; ///< seconds since the epoch
    qint64 m_lastRefusalWarning = 0; ///< seconds since the epoch
};

} // namespace mandate::audit
