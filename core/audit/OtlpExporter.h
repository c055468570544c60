// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditSink.h"
#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <atomic>
#include <memory>
#include <mutex>

class QNetworkAccessManager;
class QObject;
class QThread;

namespace mandate::audit {

/// Ships committed audit records to an OpenTelemetry collector as OTLP/HTTP JSON logs
/// (POST {endpoint}, normally http://collector:4318/v1/logs). Records first go to a bounded
/// spool file, so they survive both a collector outage and a gateway restart; a sender thread
/// posts them in batches and retries with exponential backoff. Nothing is dropped silently:
/// records refused because the spool is full count in dropped(), records the collector
/// refuses for good (any status but 429, 502, 503 and 504, which are retried) in rejected(),
/// and both are logged.
class OtlpExporter final : public AuditSink
{
public:
    struct Options
    {
        QUrl endpoint;
        QString spoolDir;                       ///< holds otlp-spool.jsonl and otlp-spool.offset
        qint64 maxBufferBytes = 64ll << 20;     ///< unsent records kept at most
        int maxBatch = 512;                     ///< log records per request
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
    quint64 rejected() const { return m_rejected.load(); }  ///< refused by the collector for good
    quint64 failedAttempts() const { return m_failedAttempts.load(); }
    qint64 pendingBytes() const;

private:
    explicit OtlpExporter(Options options);
    void pump();
    void finish(int httpStatus, bool networkOk, qint64 bytes, int records);
    void acknowledge(qint64 bytes);
    QString spoolPath() const;
    QString offsetPath() const;
    qint64 readOffset() const;

    const Options m_options;
    mutable std::mutex m_mutex;     ///< guards the spool files and m_offset
    qint64 m_offset = 0;
    std::atomic<quint64> m_sent{0};
    std::atomic<quint64> m_dropped{0};
    std::atomic<quint64> m_rejected{0};
    std::atomic<quint64> m_failedAttempts{0};

    // Owned by the sender thread.
    QThread *m_thread = nullptr;
    QObject *m_worker = nullptr;
    QNetworkAccessManager *m_network = nullptr;
    bool m_inFlight = false;
    bool m_waiting = false;
    int m_backoffMs = 0;
};

} // namespace mandate::audit
