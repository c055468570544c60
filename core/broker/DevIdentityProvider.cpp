// SPDX-License-Identifier: Apache-2.0
#include "broker/DevIdentityProvider.h"

#include "common/Logging.h"
#include "common/PrivateFile.h"
#include "crypto/Base64Url.h"
#include "crypto/CompactJws.h"
#include "crypto/Jwk.h"
#include "crypto/Random.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mandate::broker {

namespace {

Error idpError(const QString &message)
{
    return Error{QStringLiteral("dev_idp"), message};
}

} // namespace

DevIdentityProvider::DevIdentityProvider(QString dataDir, const Clock &clock)
    : m_dir(QDir(dataDir).filePath(QStringLiteral("dev-idp"))), m_clock(clock)
{
}

QString DevIdentityProvider::keyPath() const
{
    return QDir(m_dir).filePath(QStringLiteral("signing-key.json"));
}

Status DevIdentityProvider::open(Mode mode)
{
    const QString path = keyPath();
    if (!QFile::exists(path)) {
        if (mode == Mode::OpenExisting)
            return idpError(QStringLiteral("no development identity provider key at %1 (start `mandated --demo` with this "
                                           "data directory first)").arg(path));
        if (!QDir().mkpath(m_dir) || ::chmod(QFile::encodeName(m_dir).constData(), 0700) != 0)
            return idpError(QStringLiteral("cannot create %1").arg(m_dir));
        auto key = crypto::Ed25519Key::generate();
        if (!key)
            return key.error();
        const crypto::SecretBytes seed = key->seed();
        QByteArray text = json::writeCompact(QJsonObject{
            {QStringLiteral("warning"), QStringLiteral("development identity provider key - never use in production")},
            {QStringLiteral("d"), QString::fromLatin1(crypto::Base64Url::encode(seed.view()))}});
        const Status written = PrivateFile::create(path, text);
        text.fill('\0');
        if (!written)
            return idpError(written.error().message);
        qCWarning(lcBroker) << "created a DEVELOPMENT identity provider key in" << m_dir;
    }
    struct stat st {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return idpError(QStringLiteral("%1 is not a regular file").arg(path));
    if ((st.st_mode & 077) != 0)
        return idpError(QStringLiteral("%1 is accessible by group or others; it must be 0600").arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return idpError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QByteArray text = file.read(4096);
    auto object = json::parseObject(text);
    text.fill('\0');
    if (!object)
        return idpError(QStringLiteral("%1 is not valid JSON").arg(path));
    auto seed = crypto::Base64Url::decode(object->value(QStringLiteral("d")).toString().toLatin1());
    if (!seed)
        return idpError(QStringLiteral("%1 holds no valid key").arg(path));
    const crypto::SecretBytes secret(seed.value());
    seed->fill('\0');
    auto key = crypto::Ed25519Key::fromSeed(secret.view());
    if (!key)
        return idpError(QStringLiteral("%1: %2").arg(path, key.error().message));
    m_key = key.value();
    m_kid = crypto::Jwk::fromEd25519(m_key).kid();
    return Status::success();
}

Result<QByteArray> DevIdentityProvider::issueIdToken(const QString &userId, const QString &name, qint64 ttlSecs) const
{
    if (m_key.isNull())
        return idpError(QStringLiteral("the development identity provider is not open"));
    if (userId.isEmpty() || ttlSecs <= 0)
        return idpError(QStringLiteral("an ID token needs a user id and a positive lifetime"));
    const qint64 now = m_clock.nowSecs();
    auto jti = crypto::Random::token(16);
    if (!jti)
        return jti.error();
    const QJsonObject claims{{QStringLiteral("iss"), QLatin1String(kIssuer)},
                       {QStringLiteral("sub"), userId},
                       {QStringLiteral("aud"), QLatin1String(kAudience)},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("exp"), now + ttlSecs},
                       {QStringLiteral("jti"), jti.value()},
                       {QStringLiteral("name"), name.isEmpty() ? userId : name}};
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("EdDSA")},
                             {QStringLiteral("kid"), m_kid},
                             {QStringLiteral("typ"), QStringLiteral("JWT")}};
    return crypto::CompactJws::sign(header, json::writeCompact(claims), m_key);
}

crypto::Jwks DevIdentityProvider::publicKeys() const
{
    crypto::Jwks keys;
    if (!m_key.isNull())
        keys.add(crypto::Jwk::fromEd25519(m_key, m_kid));
    return keys;
}

} // namespace mandate::broker
