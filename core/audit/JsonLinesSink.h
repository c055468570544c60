// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditQuery.h"
#include "audit/AuditSink.h"
#include "audit/PositionNote.h"
#include "common/Result.h"

#include <QFile>
#include <QIODevice>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

namespace mandate::audit {

/// JSON lines for a SIEM: one record per line (StoredRecord::toExportJson), appended to a file
/// as records commit, and flushed per batch so that a tailing collector sees them at once.
///
/// Where the export stands survives a crash and a rotation: the file's own last line
/// (JsonLinesPosition.h), and a bookmark (PositionNote) beside the data directory that the sink rewrites after each
/// batch. The gateway resumes from the file's position, or the bookmark's when the file has
/// none of its records (AuditLog::addSink(sink, after)), so that records committed but never
/// written come when it starts again, and none twice. A file moved or removed under the sink
/// (log rotation) is noticed before the next batch and opened anew.
class JsonLinesSink final : public AuditSink
{
public:
    static constexpr qint64 kMaxBacklogBytes = 64ll << 20;

    /// `bookmarkPath` empty: no bookmark (a one-off export, the tests). Lines that cannot be
    /// written are kept to go first, up to `maxBacklogBytes`; beyond, the sink stops until the
    /// next start, whose catch-up writes them (no gap either way).
    static Result<std::unique_ptr<JsonLinesSink>> open(const QString &path, const QString &bookmarkPath = {},
                                                        qint64 maxBacklogBytes = kMaxBacklogBytes);

    void consume(const std::vector<StoredRecord> &batch) override;
    /// Lines written, and lines that could not be written when they came (disk full, the file
    /// unwritable), kept to be written first or, past the backlog's bound, at the next start.
    quint64 writtenLines() const { return m_written.load(); }
    quint64 failedLines() const { return m_failed.load(); }

    static QByteArray line(const StoredRecord &record);
    /// Writes every record matching `filter` to `out`, page by page; returns the count.
    static Result<qint64> exportAll(const AuditQuery &query, const AuditFilter &filter, QIODevice &out);

private:
    JsonLinesSink(const QString &path, qint64 maxBacklogBytes) : m_file(path), m_maxBacklog(maxBacklogBytes) {}

    /// Reopens the path when the open file is no longer the one it names. m_mutex held.
    void reopenIfMoved();

    std::mutex m_mutex;
    QFile m_file;
    std::optional<PositionNote> m_bookmark;
    qint64 m_lastReopenWarning = 0;
    const qint64 m_maxBacklog;
    QByteArray m_backlog;        ///< lines not written yet, oldest first
    quint64 m_backlogRecords = 0;
    ChainPosition m_backlogEnd;  ///< the newest record in m_backlog (or just written)
    bool m_stalled = false;      ///< the backlog overflowed: nothing more until the next start
    qint64 m_lastWriteWarning = 0;
    std::atomic<quint64> m_written{0};
    std::atomic<quint64> m_failed{0};
};

} // namespace mandate::audit
