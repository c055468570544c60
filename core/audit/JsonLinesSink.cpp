// SPDX-License-Identifier: Apache-2.0
#include "audit/JsonLinesSink.h"

#include "common/Logging.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QDateTime>
#include <QFileInfo>

#include <sys/stat.h>

namespace mandate::audit {

Result<std::unique_ptr<JsonLinesSink>> JsonLinesSink::open(const QString &path, const QString &bookmarkPath)
{
    std::unique_ptr<JsonLinesSink> sink(new JsonLinesSink(path));
    if (!sink->m_file.open(QIODevice::WriteOnly | QIODevice::Append))
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
    const bool opened = m_file.open(QIODevice::WriteOnly | QIODevice::Append);
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
    QByteArray chunk;
    for (const StoredRecord &record : batch)
        chunk += line(record);
    const std::lock_guard lock(m_mutex);
    reopenIfMoved();
    if (!m_file.isOpen() || m_file.write(chunk) != chunk.size() || !m_file.flush()) {
        m_failed += batch.size();
        qCWarning(lcAudit) << "JSON lines sink" << m_file.fileName() << "lost" << batch.size()
                           << "records:" << m_file.errorString();
        return;
    }
    m_written += batch.size();
    if (m_bookmark && !batch.empty())
        m_bookmark->write(batch.back().gatewayId, ChainPosition{batch.back().sequence, batch.back().hash});
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
