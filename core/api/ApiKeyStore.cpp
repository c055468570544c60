// SPDX-License-Identifier: Apache-2.0
#include "api/ApiKeyStore.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSqlQuery>

namespace mandate::api {

namespace {

constexpr QByteArrayView keyPrefix = "mdk_";

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(bytes.data()),
                                         reinterpret_cast<quint32 *>(bytes.data() + count));
    return bytes;
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

Error unauthorized(const QString &why)
{
    return Error{QStringLiteral("unauthorized"), why};
}

} // namespace

ApiKeyStore::ApiKeyStore(const store::Database &database, const Clock &clock) : m_db(database), m_clock(clock) {}

Result<QString> ApiKeyStore::create(const QString &name, Role role)
{
    const QByteArray id = randomBytes(8).toHex();
    const QByteArray secret = randomBytes(32).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("INSERT INTO api_keys (id, name, role, secret_hash, created_at) VALUES (:id, :name, :role, :hash, :at)"));
    query.bindValue(QStringLiteral(":id"), QString::fromLatin1(id));
    query.bindValue(QStringLiteral(":name"), name);
    query.bindValue(QStringLiteral(":role"), roleName(role));
    query.bindValue(QStringLiteral(":hash"), QCryptographicHash::hash(secret, QCryptographicHash::Sha256));
    query.bindValue(QStringLiteral(":at"), m_clock.now().toString(Qt::ISODate));
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot store the API key"), query);
    return QString::fromLatin1(keyPrefix.toByteArray() + id + '_' + secret);
}

Result<ApiPrincipal> ApiKeyStore::authenticate(QByteArrayView bearer) const
{
    if (!bearer.startsWith(keyPrefix) || bearer.size() > 256)
        return unauthorized(QStringLiteral("not an admin API key"));
    const QByteArray rest = bearer.sliced(keyPrefix.size()).toByteArray();
    const qsizetype separator = rest.indexOf('_');
    if (separator != 16)
        return unauthorized(QStringLiteral("malformed admin API key"));
    const QString id = QString::fromLatin1(rest.first(separator));
    const QByteArray secret = rest.mid(separator + 1);

    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("SELECT name, role, secret_hash FROM api_keys WHERE id = :id"));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot check the API key"), query);
    // Hash even when the id is unknown so that timing does not reveal which ids exist.
    const QByteArray presented = QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
    if (!query.next())
        return unauthorized(QStringLiteral("unknown or revoked API key"));
    if (!constantTimeEquals(presented, query.value(2).toByteArray()))
        return unauthorized(QStringLiteral("unknown or revoked API key"));
    const auto role = roleFromName(query.value(1).toString());
    if (!role)
        return unauthorized(QStringLiteral("API key has an unknown role"));
    return ApiPrincipal{id, query.value(0).toString(), *role};
}

Status ApiKeyStore::revoke(const QString &keyId)
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("DELETE FROM api_keys WHERE id = :id"));
    query.bindValue(QStringLiteral(":id"), keyId);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot revoke the API key"), query);
    return Status::success();
}

} // namespace mandate::api
