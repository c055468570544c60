// SPDX-License-Identifier: Apache-2.0
#include "audit/OtlpSpool.h"

#include "common/Logging.h"

#include <QDir>
#include <QSaveFile>

namespace mandate::audit {

namespace {

/// Compaction rewrites the unsent rest of the spool, under the lock: only when that rest is small.
constexpr qint64 kCompactBelowBytes = 1 << 20;

QByteArray lineOf(const StoredRecord &r)
{
    return QByteArray::number(r.sequence) + ' ' + r.gatewayId.toUtf8().toBase64() + ' ' + r.hash.toHex() + ' '
           + r.prevHash.toHex() + ' ' + (r.seal.isEmpty() ? QByteArray("-") : r.seal.toHex()) + ' ' + r.body.toBase64() + '\n';
}

std::optional<StoredRecord> recordOf(QByteArrayView line)
{
    const QList<QByteArray> f = line.trimmed().toByteArray().split(' ');
    bool ok = false;
    StoredRecord r;
    r.sequence = f.value(0).toLongLong(&ok);
    if (f.size() != 6 || !ok || r.sequence < 1)
        return std::nullopt;
    r.gatewayId = QString::fromUtf8(QByteArray::fromBase64(f[1]));
    r.hash = QByteArray::fromHex(f[2]);
    r.prevHash = QByteArray::fromHex(f[3]);
    if (f[4] != "-")
        r.seal = QByteArray::fromHex(f[4]);
    auto body = QByteArray::fromBase64Encoding(f[5], QByteArray::AbortOnBase64DecodingErrors);
    if (!body || r.hash.size() != 32 || r.prevHash.size() != 32)
        return std::nullopt;
    r.body = std::move(*body);
    return r;
}

} // namespace

OtlpSpool::OtlpSpool(const QString &dir, qint64 maxPendingBytes) : m_dir(dir), m_maxPending(maxPendingBytes) {}

Result<std::unique_ptr<OtlpSpool>> OtlpSpool::open(const QString &dir, qint64 maxPendingBytes)
{
    if (dir.isEmpty() || !QDir().mkpath(dir))
        return Error{QStringLiteral("io"), QStringLiteral("cannot create the OTLP spool directory %1").arg(dir)};
    std::unique_ptr<OtlpSpool> spool(new OtlpSpool(dir, maxPendingBytes));
    if (Status loaded = spool->load(); !loaded)
        return loaded.error();
    return spool;
}

Status OtlpSpool::load()
{
    QFile sent(QDir(m_dir).filePath(QStringLiteral("otlp-spool.sent")));
    if (sent.open(QIODevice::ReadOnly))
        m_sentSequence = std::max<qint64>(0, sent.readAll().trimmed().toLongLong());
    m_file.setFileName(QDir(m_dir).filePath(QStringLiteral("otlp-spool.lines")));
    if (!m_file.open(QIODevice::ReadWrite))
        return Error{QStringLiteral("io"), QStringLiteral("cannot open %1: %2").arg(m_file.fileName(), m_file.errorString())};
    // The first line after the sent sequence, and the end of the last whole line.
    qint64 at = 0;
    qint64 wholeEnd = 0;
    bool found = false;
    m_file.seek(0);
    while (!m_file.atEnd()) {
        const QByteArray line = m_file.readLine();
        if (!line.endsWith('\n'))
            break;
        const std::optional<StoredRecord> record = recordOf(line);
        if (record)
            m_lastSpooled = record->sequence;
        if (!found && (!record || record->sequence > m_sentSequence)) {
            m_readOffset = at;
            found = true;
        }
        at += line.size();
        wholeEnd = at;
    }
    if (!found)
        m_readOffset = wholeEnd;
    if (wholeEnd < m_file.size()) {
        qCWarning(lcAudit) << "OTLP spool ended in a partial line of" << (m_file.size() - wholeEnd) << "bytes; removed it";
        if (!m_file.resize(wholeEnd))
            return Error{QStringLiteral("io"), QStringLiteral("cannot repair %1: %2").arg(m_file.fileName(), m_file.errorString())};
    }
    return Status::success();
}

quint64 OtlpSpool::append(const std::vector<StoredRecord> &records)
{
    const std::lock_guard lock(m_mutex);
    qint64 pending = m_file.size() - m_readOffset;
    quint64 refused = 0;
    QByteArray chunk;
    qint64 last = 0;
    for (const StoredRecord &record : records) {
        const QByteArray line = lineOf(record);
        if (pending + line.size() > m_maxPending) {
            ++refused;
            continue;
        }
        pending += line.size();
        chunk += line;
        last = record.sequence;
    }
    const qint64 before = m_file.size();
    if (!chunk.isEmpty() && (!m_file.seek(before) || m_file.write(chunk) != chunk.size() || !m_file.flush())) {
        qCWarning(lcAudit) << "OTLP spool write failed:" << m_file.errorString();
        m_file.resize(before);  // no partial line: the next append must start on a line of its own
        return records.size();
    }
    if (last > 0)
        m_lastSpooled = last;
    return refused;
}

OtlpSpool::Batch OtlpSpool::next(int max)
{
    Batch batch;
    QList<QByteArray> lines;
    {
        const std::lock_guard lock(m_mutex);
        if (!m_file.seek(m_readOffset))
            return batch;
        while (lines.size() < max) {
            QByteArray line = m_file.readLine();
            if (!line.endsWith('\n'))
                break;
            batch.bytes += line.size();
            lines.append(std::move(line));
        }
    }
    for (const QByteArray &line : std::as_const(lines)) {
        if (std::optional<StoredRecord> record = recordOf(line))
            batch.records.push_back(std::move(*record));
        else
            ++batch.unreadable;
    }
    return batch;
}

void OtlpSpool::acknowledge(const Batch &batch)
{
    qint64 sent = 0;
    {
        const std::lock_guard lock(m_mutex);
        m_readOffset += batch.bytes;
        if (!batch.records.empty())
            m_sentSequence = std::max(m_sentSequence, batch.records.back().sequence);
        sent = m_sentSequence;
        compact();
    }
    writeSent(sent);  // outside the lock: it syncs to disk
}

void OtlpSpool::compact()
{
    const qint64 size = m_file.size();
    if (m_readOffset >= size) {
        m_file.resize(0);  // everything delivered: start afresh instead of growing
        m_readOffset = 0;
        return;
    }
    if (m_readOffset < m_maxPending / 2 || size - m_readOffset > kCompactBelowBytes)
        return;  // a large unsent rest is left until it drains (the file stays under twice the bound)
    if (!m_file.seek(m_readOffset))
        return;
    const QByteArray rest = m_file.readAll();
    QSaveFile compacted(m_file.fileName());
    if (!compacted.open(QIODevice::WriteOnly) || compacted.write(rest) != rest.size() || !compacted.commit())
        return;  // the old file stays, whole
    m_file.close();
    if (!m_file.open(QIODevice::ReadWrite))
        qCWarning(lcAudit) << "cannot reopen the OTLP spool:" << m_file.errorString();
    m_readOffset = 0;
}

void OtlpSpool::writeSent(qint64 sequence)
{
    QSaveFile sent(QDir(m_dir).filePath(QStringLiteral("otlp-spool.sent")));
    if (!sent.open(QIODevice::WriteOnly) || sent.write(QByteArray::number(sequence)) < 0 || !sent.commit())
        qCWarning(lcAudit) << "cannot note the OTLP export's position; records may be sent twice after a restart";
}

qint64 OtlpSpool::pendingBytes() const
{
    const std::lock_guard lock(m_mutex);
    return m_file.size() - m_readOffset;
}

std::optional<qint64> OtlpSpool::lastSequence() const
{
    const std::lock_guard lock(m_mutex);
    if (!m_lastSpooled && m_sentSequence == 0)
        return std::nullopt;
    return std::max(m_lastSpooled.value_or(0), m_sentSequence);
}

} // namespace mandate::audit
