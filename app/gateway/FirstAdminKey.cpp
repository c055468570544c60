// SPDX-License-Identifier: Apache-2.0
#include "FirstAdminKey.h"

#include "common/Logging.h"
#include "common/PrivateFile.h"

#include <QDir>

namespace mandate::gateway {

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
    if (Status written = PrivateFile::replace(path, key->text.toLatin1() + '\n'); !written)
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
