// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "common/Result.h"

#include <QFile>
#include <QString>

#include <mutex>
#include <optional>
#include <vector>

namespace mandate::audit {

/// The OTLP exporter's on-disk queue: committed records not yet acknowledged by the collector.
///
/// One text line per record ("sequence gateway hash prev-hash seal body", the bytes in base64 or
/// hex), appended by the audit writer's thread and read by the sender's. What was sent is kept
/// as a sequence number (otlp-spool.sent), not a byte offset, so that no rewrite of the spool,
/// and no crash between a rewrite and that note, can make it skip a record: at start the spool
/// is read from its first record after that sequence, and a last line a crash cut short is
/// removed. The lock is held for file appends and reads only; parsing and encoding are the
/// caller's, outside it.
class OtlpSpool
{
public:
    struct Batch
    {
        std::vector<StoredRecord> records;
        qint64 bytes = 0;          ///< spool bytes they take, for acknowledge()
        quint64 unreadable = 0;    ///< lines skipped (counted as dropped by the exporter)
    };

    /// Opens (creates) the spool in `dir`; `maxPendingBytes` bounds what is kept unsent.
    static Result<std::unique_ptr<OtlpSpool>> open(const QString &dir, qint64 maxPendingBytes);

    /// Appends what fits; returns how many records did not (spool full or unwritable).
    quint64 append(const std::vector<StoredRecord> &records);
    /// Up to `max` records after the last acknowledged one, in order.
    Batch next(int max);
    /// The collector has the records of `batch`: they are dropped from the spool.
    void acknowledge(const Batch &batch);

    qint64 pendingBytes() const;
    /// The newest sequence spooled or sent, if any: where the exporter resumes after a restart.
    std::optional<qint64> lastSequence() const;

private:
    OtlpSpool(const QString &dir, qint64 maxPendingBytes);
    Status load();
    void compact();
    void writeSent(qint64 sequence);

    const QString m_dir;
    const qint64 m_maxPending;
    mutable std::mutex m_mutex;
    QFile m_file;                   ///< otlp-spool.lines, open for reading and appending
    qint64 m_readOffset = 0;        ///< the first unsent line
    qint64 m_sentSequence = 0;      ///< persisted in otlp-spool.sent
    std::optional<qint64> m_lastSpooled;
};

} // namespace mandate::audit
