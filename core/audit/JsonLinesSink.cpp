// SPDX-License-Identifier: Apache-2.0
#include "audit/JsonLinesSink.h"

#include "common/Logging.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QDateTime>
#include <QFileInfo>

#include <sys/stat.h>

namespace mandate::audit {

Result<std::unique_ptr<JsonLinesSink>> JsonLinesSink::open(const QString &path, const QString &bookmarkPath, qint64 maxBacklogBytes)
{
    std::unique_ptr<JsonLinesSink> sink(new JsonLinesSink(path, maxBacklogBytes));
    // Unbuffered: a write that fails must leave nothing behind in Qt's buffer to reach the
    // file later, out of order.
    if (!sink->m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
        return Error{QStringLiteral("io"), QStringLiteral("cannot open %1: %2").arg(path, sink->m_file.errorString())};
    if (!bookmarkPath.isEmpty())
        sink->m_bookmark.emplace(bookmarkPath);
    return sink;
}

QByteArray JsonLinesSink::line(const StoredRecord &record)
{
    // The chain attributes are spliced into the stored canonical body instead of parsing and
    // re-encoding it: this runs on the audit writer's thread for every record.
    // A body that is not one JSON object on one line (never so as the gateway writes it) goes
    // through the full encoder: nothing in the database can add lines to the SIEM's feed.
    if (!record.body.startsWith('{') || !record.body.endsWith('}') || record.body.size() < 3 || record.body.contains('\n'))
        return json::writeCompact(record.toExportJson()) + '\n';
    QByteArray out = record.body.chopped(1);
    out += ",\"mandate.audit.hash\":\"" + record.hash.toHex() + "\",\"mandate.audit.prev_hash\":\""
        + record.prevHash.toHex() + '"';
    if (!record.seal.isEmpty())
        out += ",\"mandate.audit.seal\":\"" + record.seal.toHex() + '"';
    out += ",\"mandate.audit.sequence\":" + QByteArray::number(record.sequence) + "}\n";
    return out;
}

void JsonLinesSink::reopenIfMoved()
{
    struct stat open{}, named{};
    if (::fstat(m_file.handle(), &open) == 0 && ::stat(QFile::encodeName(m_file.fileName()).constData(), &named) == 0
        && open.st_dev == named.st_dev && open.st_ino == named.st_ino)
        return;
    const QString path = m_file.fileName();
    const bool wasOpen = m_file.isOpen();
    m_file.close();
    m_file.setFileName(path);
    const bool opened = m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
    // Logged when it happens, and a failure to reopen at most once a minute.
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (opened && wasOpen)
        qCInfo(lcAudit) << "JSON lines sink" << path << "was moved or removed; opened it anew";
    else if (!opened && now - m_lastReopenWarning >= 60) {
        qCWarning(lcAudit) << "JSON lines sink cannot open" << path << ':' << m_file.errorString();
        m_lastReopenWarning = now;
    }
}

void JsonLinesSink::consume(const std::vector<StoredRecord> &batch)
{
    if (batch.empty())
        return;
    QByteArray chunk;
    for (const StoredRecord &record : batch)
        chunk += line(record);
    const std::lock_guard lock(m_mutex);
    if (m_stalled) {
        m_failed += batch.size();  // written after the next start, from the database
        return;
    }
    // Lines that could not be written (disk full, file unwritable) wait here and go first, so
    // the file never has a gap; past the bound the sink stops until the gateway starts again,
    // which then writes everything after the file's last record.
    m_backlog += chunk;
    m_backlogRecords += batch.size();
    m_backlogEnd = ChainPosition{batch.back().sequence, batch.back().hash};
    reopenIfMoved();
    const qint64 before = m_file.isOpen() ? m_file.size() : 0;
    if (!m_file.isOpen() || m_file.write(m_backlog) != m_backlog.size()) {
        if (m_file.isOpen())
            m_file.resize(before);  // no partial line
        m_failed += batch.size();
        if (m_backlog.size() > m_maxBacklog) {
            m_stalled = true;
            m_backlog.clear();
            qCWarning(lcAudit) << "JSON lines sink" << m_file.fileName() << "stops after" << m_backlogRecords
                               << "records it could not write; they come at the gateway's next start:" << m_file.errorString();
        } else if (const qint64 now = QDateTime::currentSecsSinceEpoch(); now - m_lastWriteWarning >= 60) {
            qCWarning(lcAudit) << "JSON lines sink" << m_file.fileName() << "cannot write; keeping" << m_backlogRecords
                               << "records to write first:" << m_file.errorString();
            m_lastWriteWarning = now;
        }
        return;
    }
    m_written += m_backlogRecords;
    m_backlog.clear();
    m_backlogRecords = 0;
    if (m_bookmark)
        m_bookmark->write(NotedPosition{batch.back().gatewayId, m_backlogEnd});
}

Result<qint64> JsonLinesSink::exportAll(const AuditQuery &query, const AuditFilter &filter, QIODevice &out)
{
    qint64 count = 0;
    QString cursor;
    do {
        Result<AuditPage> page = query.find(filter, cursor, AuditQuery::kMaxLimit);
        if (!page)
            return page.error();
        QByteArray chunk;
        for (const StoredRecord &record : page->records)
            chunk += line(record);
        if (out.write(chunk) != chunk.size())
            return Error{QStringLiteral("io"), QStringLiteral("cannot write the export: %1").arg(out.errorString())};
        count += static_cast<qint64>(page->records.size());
        cursor = page->nextCursor;
    } while (!cursor.isEmpty());
    return count;
}

} // namespace mandate::audit
