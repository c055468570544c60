// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "audit/PositionNote.h"
#include "common/Result.h"

#include <QFile>
#include <QString>

#include <limits>
#include <mutex>
#include <optional>
#include <vector>

namespace mandate::audit {

/// The OTLP exporter's on-disk queue: committed records not yet acknowledged by the collector.
///
/// One text line per record ("sequence gateway hash prev-hash seal body", the bytes in base64 or
/// hex), appended by the audit writer's thread and read by the sender's. What was sent is kept
/// as a position in a chain (otlp-spool.sent: gateway, sequence, hash), not a byte offset, so
/// that no rewrite of the spool, and no crash between a rewrite and that note, can make it skip
/// a record: at start the spool is read from its first record not yet sent, and a last line a
/// crash cut short is removed. The lock is held for file appends and reads only; parsing,
/// encoding, the note and a compaction's copy happen outside it. The file stays under
/// twice the bound: appends beyond that are refused (and counted as dropped by the exporter).
class OtlpSpool
{
public:
    struct Batch
    {
        std::vector<StoredRecord> records;
        qint64 bytes = 0;          ///< spool bytes they take, for acknowledge()
        quint64 unreadable = 0;    ///< lines skipped (counted as dropped by the exporter)
        bool spoolFailed = false;  ///< the spool could not be read at all (out of file handles, say)
    };

    /// Opens (creates) the spool in `dir`; `maxPendingBytes` bounds what is kept unsent.
    static Result<std::unique_ptr<OtlpSpool>> open(const QString &dir, qint64 maxPendingBytes);

    /// Appends what fits; returns how many records did not (spool full or unwritable).
    quint64 append(const std::vector<StoredRecord> &records);
    /// Up to `max` records after the last acknowledged one, in order, taking at most `maxBytes`
    /// of spool (but at least one record, however large).
    Batch next(int max, qint64 maxBytes = std::numeric_limits<qint64>::max());
    /// The collector has the records of `batch`: they are dropped from the spool.
    void acknowledge(const Batch &batch);

    /// A first start: with no place in any chain yet (nothing sent, nothing spooled), `start`
    /// becomes the place, written to disk before it returns; otherwise nothing changes.
    Status startAt(const NotedPosition &start);
    qint64 pendingBytes() const;
    /// The newest record of `gatewayId`'s chain spooled or sent, if any: where the exporter
    /// resumes after a restart (a position of another gateway's chain is no place in this one).
    std::optional<ChainPosition> lastPosition(const QString &gatewayId) const;

private:
    OtlpSpool(const QString &dir, qint64 maxPendingBytes);
    Status load();
    /// Opens the spool file if it is not (at start, or after a failed reopen). m_mutex held.
    bool ensureOpen();
    /// Drops acknowledged lines from the file. On the sender thread, without m_mutex.
    void compact();
    QString path(const char *name) const;

    const QString m_dir;
    const qint64 m_maxPending;
    mutable std::mutex m_mutex;
    QFile m_file;                   ///< otlp-spool.lines, unbuffered, for reading and appending
    qint64 m_readOffset = 0;        ///< the first unsent line; moved by the sender thread only
    qint64 m_compactAfter = 0;      ///< after a failed compaction: not before this offset
    std::mutex m_noteMutex;         ///< m_sentNote: the sender's acknowledge() and a first start's startAt()
    NotedPosition m_sent;           ///< the newest record acknowledged
    PositionNote m_sentNote;        ///< otlp-spool.sent; guarded by m_noteMutex
    std::optional<NotedPosition> m_lastSpooled;
};

} // namespace mandate::audit
