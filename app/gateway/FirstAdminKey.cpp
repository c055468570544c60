// SPDX-License-Identifier: Apache-2.0
#include "FirstAdminKey.h"

#include "common/Logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace mandate::gateway {

namespace {

Error ioError(const QString &what, const QString &path, const QString &why)
{
    return Error{QStringLiteral("io"), QStringLiteral("%1 %2: %3").arg(what, path, why)};
}

/// Writes `text` to `path` readable by the owner only, replacing a file left by an older
/// database. The secret never sits in a file with wider permissions, nor in a half-written one.
Status writePrivately(const QString &path, const QByteArray &text)
{
    const QString temporary = path + QStringLiteral(".new");
    QFile::remove(temporary);
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return ioError(QStringLiteral("cannot create"), temporary, file.errorString());
    const bool written = file.write(text) == text.size() && file.flush() && ::fsync(file.handle()) == 0;
    file.close();
    if (!written) {
        QFile::remove(temporary);
        return ioError(QStringLiteral("cannot write"), temporary, file.errorString());
    }
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(temporary);
        return ioError(QStringLiteral("cannot replace"), path, QString::fromLocal8Bit(std::strerror(errno)));
    }
    // The rename itself must survive a crash, or the key stored next would have no file.
    const QByteArray directory = QFile::encodeName(QFileInfo(path).absolutePath());
    const int handle = ::open(directory.constData(), O_RDONLY | O_DIRECTORY);
    const bool synced = handle >= 0 && ::fsync(handle) == 0;
    if (handle >= 0)
        ::close(handle);
    if (!synced)
        return ioError(QStringLiteral("cannot sync"), QString::fromLocal8Bit(directory), QString::fromLocal8Bit(std::strerror(errno)));
    return Status::success();
}

} // namespace

Result<QString> FirstAdminKey::ensure(api::ApiKeyStore &keys, api::AuditTrail &trail, const QString &dataDir)
{
    const Result<qint64> admins = keys.adminCount();
    if (!admins)
        return admins.error();
    if (admins.value() > 0)
        return QString();
    const Result<api::NewApiKey> key = keys.generate(QStringLiteral("first-admin"), api::Role::Admin);
    if (!key)
        return key.error();
    // The file first: a key stored but never written down would lock every admin out, since the
    // next start finds an admin key and makes no other. A file whose key was not stored is
    // merely stale, and is replaced at the next start.
    const QString path = QDir(dataDir).absoluteFilePath(QLatin1String(FileName));
    if (Status written = writePrivately(path, key->text.toLatin1() + '\n'); !written)
        return written.error();
    const api::ApiPrincipal gateway{QString(), QStringLiteral("mandated"), api::Role::Admin};
    const QJsonObject details{{QStringLiteral("operation"), QStringLiteral("create")},
                              {QStringLiteral("reason"), QStringLiteral("first start: the store has no admin key")},
                              {QStringLiteral("file"), path}};
    const Status made = trail.applyAdminChange(api::HttpRequest{}, gateway, QStringLiteral("api-key:") + key->info.id, QJsonValue(),
                                               key->info.toJson(), [&]() { return keys.store(key.value()); }, details);
    if (!made) {
        QFile::remove(path);
        return made.error();
    }
    qCInfo(lcGateway).noquote() << "created the first admin API key" << key->info.id << "in" << path;
    return path;
}

} // namespace mandate::gateway
