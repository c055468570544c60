// SPDX-License-Identifier: Apache-2.0
#include "audit/PositionNote.h"

#include "common/Logging.h"
#include "common/PrivateFile.h"

#include <QDateTime>

namespace mandate::audit {

Result<std::optional<NotedPosition>> PositionNote::read(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return std::optional<NotedPosition>();
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    const QList<QByteArray> fields = file.read(4096).trimmed().split(' ');
    bool ok = false;
    const qint64 sequence = fields.value(1).toLongLong(&ok);
    if (fields.size() != 3 || !ok || sequence < 0 || fields[2].size() != 64) {  // 0: the chain's start
        qCWarning(lcAudit) << "the export's position note" << path << "does not read (cut short by a crash?); ignoring it";
        return std::optional<NotedPosition>();
    }
    return std::optional<NotedPosition>(
        NotedPosition{QString::fromUtf8(QByteArray::fromBase64(fields[0])), {sequence, QByteArray::fromHex(fields[2])}});
}

Result<std::optional<ChainPosition>> PositionNote::read(const QString &path, const QString &gatewayId)
{
    Result<std::optional<NotedPosition>> noted = read(path);
    if (!noted)
        return noted.error();
    if (!noted.value() || noted.value()->gatewayId != gatewayId)
        return std::optional<ChainPosition>();
    return std::optional<ChainPosition>(noted.value()->position);
}

namespace {

QByteArray lineOf(const NotedPosition &noted)
{
    return noted.gatewayId.toUtf8().toBase64() + ' ' + QByteArray::number(noted.position.sequence) + ' ' + noted.position.hash.toHex() + '\n';
}

} // namespace

Status PositionNote::writeDurably(const NotedPosition &noted)
{
    m_file.close();  // the note is replaced: later writes go to the new file
    return PrivateFile::replace(m_path, lineOf(noted));
}

void PositionNote::write(const NotedPosition &noted)
{
    const QByteArray line = lineOf(noted);
    if (!m_file.isOpen()) {
        m_file.setFileName(m_path);
        m_file.open(QIODevice::ReadWrite | QIODevice::Unbuffered);
    }
    const bool written = m_file.isOpen() && m_file.seek(0) && m_file.write(line) == line.size()
                         && (m_file.size() == line.size() || m_file.resize(line.size()));
    if (!written) {
        if (const qint64 now = QDateTime::currentSecsSinceEpoch(); now - m_lastWarning >= 60) {
            qCWarning(lcAudit) << "cannot update the export's position note" << m_path << ':' << m_file.errorString();
            m_lastWarning = now;
        }
    }
}

} // namespace mandate::audit
