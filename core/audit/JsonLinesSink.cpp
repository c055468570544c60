// SPDX-License-Identifier: Apache-2.0
#include "audit/JsonLinesSink.h"

#include "common/Logging.h"
#include "json/JsonWriter.h"

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

void JsonLinesSink::consume(const std::vector<StoredRecord> &batch)
{
    QByteArray chunk;
    for (const StoredRecord &record : batch)
        chunk += line(record);
    const std::lock_guard lock(m_mutex);
    if (m_file.write(chunk) != chunk.size() || !m_file.flush()) {
        m_failed += batch.size();
        qCWarning(lcAudit) << "JSON lines sink" << m_file.fileName() << "lost" << batch.size()
                           << "records:" << m_file.errorString();
    }
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
