// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditQuery.h"
#include "audit/AuditSink.h"
#include "audit/JsonLinesPosition.h"
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
/// Where the export stands survives a crash and a rotation (JsonLinesPosition.h): the file's
/// own last line, and a bookmark beside the data directory that the sink rewrites after each
/// batch. The gateway resumes from the file's position, or the bookmark's when the file has
/// none of its records (AuditLog::addSink(sink, after)), so that records committed but never
/// written come when it starts again, and none twice. A file moved or removed under the sink
/// (log rotation) is noticed before the next batch and opened anew.
class JsonLinesSink final : public AuditSink
{
public:
    /// `bookmarkPath` empty: no bookmark (a one-off export, the tests).
    static Result<std::unique_ptr<JsonLinesSink>> open(const QString &path, const QString &bookmarkPath = {});

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
    std::optional<JsonLinesBookmark> m_bookmark;
    qint64 m_lastReopenWarning = 0;
    std::atomic<quint64> m_written{0};
    std::atomic<quint64> m_failed{0};
};

} // namespace mandate::audit
