// SPDX-License-Identifier: Apache-2.0
#include "audit/OtlpSpool.h"

#include "common/Logging.h"

#include <QDir>

#include <cstdio>

#include <unistd.h>

namespace mandate::audit {

namespace {

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

OtlpSpool::OtlpSpool(const QString &dir, qint64 maxPendingBytes)
    : m_dir(dir), m_maxPending(maxPendingBytes), m_sentNote(QDir(dir).filePath(QStringLiteral("otlp-spool.sent")))
{
}

QString OtlpSpool::path(const char *name) const
{
    return QDir(m_dir).filePath(QLatin1String(name));
}

Result<std::unique_ptr<OtlpSpool>> OtlpSpool::open(const QString &dir, qint64 maxPendingBytes)
{
    if (dir.isEmpty() || !QDir().mkpath(dir))
        return Error{QStringLiteral("io"), QStringLiteral("cannot create the OTLP spool directory %1").arg(dir)};
    std::unique_ptr<OtlpSpool> spool(new OtlpSpool(dir, maxPendingBytes));
    if (Status loaded = spool->load(); !loaded)
        return loaded.error();
    return spool;
}

bool OtlpSpool::ensureOpen()
{
    if (m_file.isOpen())
        return true;
    m_file.setFileName(path("otlp-spool.lines"));
    return m_file.open(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

Status OtlpSpool::load()
{
    Result<std::optional<NotedPosition>> sent = PositionNote::read(path("otlp-spool.sent"));
    if (!sent)
        return sent.error();
    m_sent = sent.value().value_or(NotedPosition{});  // none: the whole spool is unsent
    if (!ensureOpen())
        return Error{QStringLiteral("io"), QStringLiteral("cannot open %1: %2").arg(m_file.fileName(), m_file.errorString())};
    // Where sending resumes: right after the line the note names (whatever follows, readable or
    // not, is unsent: a damaged line is counted); when a compaction took that line away before a
    // crash let the note catch up, at the first record past it. Read through a buffered handle.
    QFile reader(m_file.fileName());
    if (!reader.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(reader.fileName(), reader.errorString())};
    qint64 at = 0;
    qint64 wholeEnd = 0;
    std::optional<qint64> afterNoted;
    std::optional<qint64> firstUnsent;
    while (!reader.atEnd()) {
        const QByteArray line = reader.readLine();
        if (!line.endsWith('\n'))
            break;
        if (const std::optional<StoredRecord> record = recordOf(line)) {
            m_lastSpooled = NotedPosition{record->gatewayId, {record->sequence, record->hash}};
            if (record->gatewayId == m_sent.gatewayId && record->sequence == m_sent.position.sequence && record->hash == m_sent.position.hash)
                afterNoted = at + line.size();
            if (!firstUnsent && (record->gatewayId != m_sent.gatewayId || record->sequence > m_sent.position.sequence))
                firstUnsent = at;
        }
        at += line.size();
        wholeEnd = at;
    }
    if (afterNoted)
        firstUnsent = afterNoted;
    m_readOffset = firstUnsent.value_or(wholeEnd);
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
    if (!ensureOpen()) {
        qCWarning(lcAudit) << "OTLP spool cannot be opened:" << m_file.errorString();
        return records.size();
    }
    const qint64 size = m_file.size();
    qint64 pending = size - m_readOffset;
    // Acknowledged lines wait for a compaction; the file itself stays under twice the bound.
    const qint64 room = std::min(m_maxPending - pending, 2 * m_maxPending - size);
    quint64 refused = 0;
    QByteArray chunk;
    const StoredRecord *last = nullptr;
    for (const StoredRecord &record : records) {
        const QByteArray line = lineOf(record);
        if (chunk.size() + line.size() > room) {
            ++refused;
            continue;
        }
        chunk += line;
        last = &record;
    }
    if (!chunk.isEmpty() && (!m_file.seek(size) || m_file.write(chunk) != chunk.size())) {
        qCWarning(lcAudit) << "OTLP spool write failed:" << m_file.errorString();
        m_file.resize(size);  // no partial line: the next append must start on a line of its own
        return records.size();
    }
    if (last)
        m_lastSpooled = NotedPosition{last->gatewayId, {last->sequence, last->hash}};
    return refused;
}

OtlpSpool::Batch OtlpSpool::next(int max, qint64 maxBytes)
{
    Batch batch;
    qint64 from = 0;
    qint64 size = 0;
    {
        const std::lock_guard lock(m_mutex);
        if (!ensureOpen()) {
            batch.spoolFailed = true;
            return batch;
        }
        from = m_readOffset;
        size = m_file.size();
    }
    // Read without the lock: bytes below `size` change only on this (the sender's) thread, and
    // the audit writer's appends must not wait for a long line to be read.
    QFile reader(path("otlp-spool.lines"));
    if (!reader.open(QIODevice::ReadOnly) || !reader.seek(from)) {
        batch.spoolFailed = true;
        return batch;
    }
    QList<QByteArray> lines;
    qint64 at = from;
    while (lines.size() < max && at < size) {
        QByteArray line = reader.readLine(size - at + 1);
        if (!line.endsWith('\n') || (!lines.isEmpty() && at - from + line.size() > maxBytes))
            break;
        at += line.size();
        lines.append(std::move(line));
    }
    batch.bytes = at - from;
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
    NotedPosition sent;
    {
        const std::lock_guard lock(m_mutex);
        m_readOffset += batch.bytes;
        if (!batch.records.empty()) {
            const StoredRecord &last = batch.records.back();
            m_sent = {last.gatewayId, {last.sequence, last.hash}};
        }
        sent = m_sent;
        if (m_readOffset >= m_file.size() && m_file.resize(0)) {
            m_readOffset = 0;  // everything delivered: start afresh instead of growing
            m_compactAfter = 0;
        }
    }
    {
        const std::lock_guard note(m_noteMutex);  // outside the spool's lock: the writer appends meanwhile
        m_sentNote.write(sent);
    }
    compact();
}

void OtlpSpool::compact()
{
    qint64 from = 0;
    qint64 to = 0;
    {
        const std::lock_guard lock(m_mutex);
        if (m_readOffset < std::max(m_maxPending / 2, m_compactAfter))
            return;
        from = m_readOffset;
        to = m_file.size();
    }
    // The unsent rest as it is now, copied outside the lock: the audit writer keeps appending.
    const QString fresh = path("otlp-spool.lines.new");
    QFile source(path("otlp-spool.lines"));
    QFile target(fresh);
    const auto failed = [&](const QString &why) {
        // Tried again only once as much more has been sent: not after every batch.
        qCWarning(lcAudit) << "OTLP spool compaction failed:" << why;
        target.close();
        QFile::remove(fresh);
        const std::lock_guard lock(m_mutex);
        m_compactAfter = m_readOffset + m_maxPending / 2;
    };
    if (!source.open(QIODevice::ReadOnly) || !source.seek(from) || !target.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return failed(source.errorString() + u' ' + target.errorString());
    for (qint64 left = to - from; left > 0;) {
        const QByteArray block = source.read(std::min<qint64>(left, 1 << 20));
        if (block.isEmpty() || target.write(block) != block.size())
            return failed(target.errorString());
        left -= block.size();
    }
    // Made durable here, outside the lock: under it, the sync of up to maxPending bytes would
    // hold up the audit writer's appends, and with them every call, for as long as it takes.
    if (!target.flush() || ::fdatasync(target.handle()) != 0)
        return failed(QStringLiteral("cannot write %1: %2").arg(fresh, target.errorString()));
    std::unique_lock lock(m_mutex);
    // What was appended meanwhile, then the swap. The sent note is a place in the chain, so a
    // crash at any point here leaves at worst a record sent twice, never one skipped.
    const qint64 end = m_file.size();
    const QByteArray tail = m_file.seek(to) ? m_file.read(end - to) : QByteArray();
    if (tail.size() != end - to || target.write(tail) != tail.size() || !target.flush() || ::fdatasync(target.handle()) != 0) {
        lock.unlock();
        return failed(QStringLiteral("cannot write %1: %2").arg(fresh, target.errorString()));
    }
    target.close();
    if (std::rename(QFile::encodeName(fresh).constData(), QFile::encodeName(m_file.fileName()).constData()) != 0) {
        lock.unlock();
        return failed(QStringLiteral("cannot replace the spool"));
    }
    m_file.close();
    if (!ensureOpen())
        qCWarning(lcAudit) << "cannot reopen the OTLP spool (tried again at the next append):" << m_file.errorString();
    m_readOffset = 0;
    m_compactAfter = 0;
}

Status OtlpSpool::startAt(const NotedPosition &start)
{
    {
        const std::lock_guard lock(m_mutex);
        const bool placed = (m_sent.gatewayId == start.gatewayId)
                            || (m_lastSpooled && m_lastSpooled->gatewayId == start.gatewayId);
        if (placed)
            return Status::success();
        m_sent = start;  // over another gateway's place (an id changed): its records may go twice
    }
    const std::lock_guard note(m_noteMutex);
    return m_sentNote.writeDurably(start);
}

qint64 OtlpSpool::pendingBytes() const
{
    const std::lock_guard lock(m_mutex);
    return m_file.size() - m_readOffset;
}

std::optional<ChainPosition> OtlpSpool::lastPosition(const QString &gatewayId) const
{
    const std::lock_guard lock(m_mutex);
    std::optional<ChainPosition> position;
    if (!gatewayId.isEmpty() && m_sent.gatewayId == gatewayId)  // sequence 0: from the chain's start
        position = m_sent.position;
    if (m_lastSpooled && m_lastSpooled->gatewayId == gatewayId && (!position || m_lastSpooled->position.sequence > position->sequence))
        position = m_lastSpooled->position;
    return position;
}

} // namespace mandate::audit
