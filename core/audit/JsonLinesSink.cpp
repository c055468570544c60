// SPDX-License-Identifier: Apache-2.0
#include "audit/JsonLinesSink.h"

#include "common/Logging.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QFileInfo>

#include <sys/stat.h>

namespace mandate::audit {

Result<std::unique_ptr<JsonLinesSink>> JsonLinesSink::open(const QString &path)
{
    std::unique_ptr<JsonLinesSink> sink(new JsonLinesSink(path));
    if (!sink->m_file.open(QIODevice::WriteOnly | QIODevice::Append))
        return Error{QStringLiteral("io"), QStringLiteral("cannot open %1: %2").arg(path, sink->m_file.errorString())};
    return sink;
}

QByteArray JsonLinesSink::line(const StoredRecord &record)
{
    // The chain attributes are spliced into the stored canonical body instead of parsing and
    // re-encoding it: this runs on the audit writer's thread for every record.
    if (!record.body.startsWith('{') || !record.body.endsWith('}') || record.body.size() < 3)
        return json::writeCompact(record.toExportJson()) + '\n';
    QByteArray out = record.body.chopped(1);
    out += ",\"mandate.audit.hash\":\"" + record.hash.toHex() + "\",\"mandate.audit.prev_hash\":\""
        + record.prevHash.toHex() + '"';
    if (!record.seal.isEmpty())
        out += ",\"mandate.audit.seal\":\"" + record.seal.toHex() + '"';
    out += ",\"mandate.audit.sequence\":" + QByteArray::number(record.sequence) + "}\n";
    return out;
}

Result<qint64> JsonLinesSink::resumePoint(const QString &path, const QString &gatewayId)
{
    QFile file(path);
    if (!file.exists())
        return qint64(0);
    if (!file.open(QIODevice::ReadWrite))
        return Error{QStringLiteral("io"), QStringLiteral("cannot open %1: %2").arg(path, file.errorString())};
    // A write cut short leaves a line without its newline: drop it, its record comes again.
    qint64 end = file.size();
    if (end > 0) {
        qint64 at = end;
        char c = 0;
        while (at > 0 && file.seek(at - 1) && file.getChar(&c) && c != '\n')
            --at;
        if (at != end) {
            qCWarning(lcAudit) << "JSON lines sink" << path << "ends in a partial line of" << (end - at) << "bytes; removing it";
            if (!file.resize(at))
                return Error{QStringLiteral("io"), QStringLiteral("cannot repair %1: %2").arg(path, file.errorString())};
            end = at;
        }
    }
    // Lines end, newest last, in blocks read backwards; another gateway's lines are skipped.
    constexpr qint64 kBlock = 64 << 10;
    QByteArray tail;
    qint64 from = end;
    while (from > 0) {
        const qint64 start = std::max<qint64>(0, from - kBlock);
        if (!file.seek(start))
            return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
        tail.prepend(file.read(from - start));
        from = start;
        // Whole lines only: the first one may be cut unless the block reached the file's start.
        qsizetype lineEnd = tail.size();
        while (lineEnd > 0) {
            const qsizetype lineStart = lineEnd >= 2 ? tail.lastIndexOf('\n', lineEnd - 2) + 1 : 0;
            if (lineStart == 0 && from > 0)
                break;
            const QByteArrayView text = QByteArrayView(tail).sliced(lineStart, lineEnd - lineStart).trimmed();
            lineEnd = lineStart;
            if (text.isEmpty())
                continue;
            json::Limits limits;  // a record holds whole tool arguments: larger than a request's JSON
            limits.maxBytes = limits.maxStringBytes = 64 << 20;
            auto object = json::parseObject(text, limits);
            if (!object)
                return Error{QStringLiteral("invalid"), QStringLiteral("%1 has a line that is not a record: %2").arg(path, object.error().message)};
            if (object->value(QStringLiteral("mandate.gateway.id")).toString() != gatewayId)
                continue;
            const QJsonValue sequence = object->value(QStringLiteral("mandate.audit.sequence"));
            if (!sequence.isDouble() || sequence.toInteger(-1) < 1)
                return Error{QStringLiteral("invalid"), QStringLiteral("%1 has a record without a sequence").arg(path)};
            return sequence.toInteger();
        }
        tail.truncate(lineEnd);
    }
    return qint64(0);
}

void JsonLinesSink::reopenIfMoved()
{
    struct stat open{}, named{};
    if (::fstat(m_file.handle(), &open) == 0 && ::stat(QFile::encodeName(m_file.fileName()).constData(), &named) == 0
        && open.st_dev == named.st_dev && open.st_ino == named.st_ino)
        return;
    const QString path = m_file.fileName();
    qCInfo(lcAudit) << "JSON lines sink" << path << "was moved or removed; opening it anew";
    m_file.close();
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append))
        qCWarning(lcAudit) << "JSON lines sink cannot open" << path << ':' << m_file.errorString();
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
