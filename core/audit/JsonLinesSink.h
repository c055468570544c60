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
class JsonLinesSink final : public AuditSink
{
public:
    static Result<std::unique_ptr<JsonLinesSink>> open(const QString &path);

    void consume(const std::vector<StoredRecord> &batch) override;
    /// Lines that could not be written (disk full, file removed); logged as warnings too.
    quint64 failedLines() const { return m_failed.load(); }

    static QByteArray line(const StoredRecord &record);
    /// Writes every record matching `filter` to `out`, page by page; returns the count.
    static Result<qint64> exportAll(const AuditQuery &query, const AuditFilter &filter, QIODevice &out);

private:
    explicit JsonLinesSink(const QString &path) : m_file(path) {}

    std::mutex m_mutex;
    QFile m_file;
    std::atomic<quint64> m_failed{0};
};

} // namespace mandate::audit
