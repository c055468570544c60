// SPDX-License-Identifier: Apache-2.0
#include "audit/PositionNote.h"

#include "common/Logging.h"

#include <QDateTime>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

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
    const auto failed = [this](const QString &why) {
        return Error{QStringLiteral("io"), QStringLiteral("cannot write %1: %2").arg(m_path, why)};
    };
    m_file.close();  // the note is replaced: later writes go to the new file
    const QByteArray line = lineOf(noted);
    const QString fresh = m_path + QStringLiteral(".new");
    QFile target(fresh);
    if (!target.open(QIODevice::WriteOnly | QIODevice::Truncate) || target.write(line) != line.size() || !target.flush()) {
        const QString why = target.errorString();
        target.close();
        QFile::remove(fresh);
        return failed(why);
    }
    if (::fdatasync(target.handle()) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        target.close();
        QFile::remove(fresh);
        return failed(why);
    }
    target.close();
    if (std::rename(QFile::encodeName(fresh).constData(), QFile::encodeName(m_path).constData()) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        QFile::remove(fresh);
        return failed(why);
    }
    // The rename is on disk only once the directory is. (EINVAL: a file system that cannot sync
    // a directory, where nothing more can be done.)
    const int dir = ::open(QFile::encodeName(QFileInfo(m_path).absolutePath()).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return failed(QStringLiteral("cannot open its directory: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    const bool synced = ::fsync(dir) == 0 || errno == EINVAL;
    const QString why = QString::fromLocal8Bit(std::strerror(errno));
    ::close(dir);
    return synced ? Status::success() : failed(QStringLiteral("cannot sync its directory: %1").arg(why));
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
