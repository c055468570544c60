// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditQuery.h"
#include "audit/AuditSink.h"
#include "common/Result.h"

#include <QFile>
#include <QIODevice>

#include <atomic>
#include <memory>
#include <mutex>

namespace mandate::audit {

/// JSON lines for a SIEM: one record per line (StoredRecord::toExportJson), appended to a file
/// as records commit, and flushed per batch so that a tailing collector sees them at once.
///
/// The file is its own bookmark: resumePoint() reads the last sequence of a gateway's chain in
/// it, for AuditLog::addSink(sink, after), so that records committed but not written before a
/// crash are written when the gateway starts again, and none twice. A file moved or removed
/// under the sink (log rotation) is noticed before the next batch and opened anew.
class JsonLinesSink final : public AuditSink
{
public:
    static Result<std::unique_ptr<JsonLinesSink>> open(const QString &path);
    /// The last sequence of `gatewayId`'s chain in the file at `path` (0: none, or no file).
    /// A last line cut short by a crash is removed first: its record is written again.
    static Result<qint64> resumePoint(const QString &path, const QString &gatewayId);

    void consume(const std::vector<StoredRecord> &batch) override;
    /// Lines written, and lines that could not be written (disk full); the latter logged too.
    quint64 writtenLines() const { return m_written.load(); }
    quint64 failedLines() const { return m_failed.load(); }

    static QByteArray line(const StoredRecord &record);
    /// Writes every record matching `filter` to `out`, page by page; returns the count.
    static Result<qint64> exportAll(const AuditQuery &query, const AuditFilter &filter, QIODevice &out);

private:
    explicit JsonLinesSink(const QString &path) : m_file(path) {}

    /// Reopens the path when the open file is no longer the one it names. m_mutex held.
    void reopenIfMoved();

    std::mutex m_mutex;
    QFile m_file;
    std::atomic<quint64> m_written{0};
    std::atomic<quint64> m_failed{0};
};

} // namespace mandate::audit
