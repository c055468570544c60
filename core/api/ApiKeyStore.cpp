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

/// The key text's secret part, which is all that is hashed.
QByteArray secretOf(const QString &text)
{
    return text.toLatin1().mid(keyPrefix.size() + 16 + 1);
}

ApiKeyInfo infoFrom(const QSqlQuery &query)
{
    // Columns: id, name, role, created_at. A role the code does not know reads as the least
    // privileged one for listing; authenticate() refuses such a key outright.
    return ApiKeyInfo{query.value(0).toString(), query.value(1).toString(),
                      roleFromName(query.value(2).toString()).value_or(Role::Auditor), query.value(3).toString()};
}

} // namespace

QJsonObject ApiKeyInfo::toJson() const
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("name"), name}, {QStringLiteral("role"), roleName(role)},
            {QStringLiteral("createdAt"), createdAt}};
}

ApiKeyStore::ApiKeyStore(const store::Database &database, const Clock &clock) : m_db(database), m_clock(clock) {}

Status ApiKeyStore::validateName(const QString &name)
{
    if (name.isEmpty() || name.size() > MaxNameLength)
        return Error{QStringLiteral("invalid"), QStringLiteral("a key's name must be 1 to %1 characters").arg(MaxNameLength)};
    for (const QChar c : name) {
        if (!c.isPrint())
            return Error{QStringLiteral("invalid"), QStringLiteral("a key's name must be printable text")};
    }
    return Status::success();
}

Result<NewApiKey> ApiKeyStore::generate(const QString &name, Role role) const
{
    if (Status valid = validateName(name); !valid)
        return valid.error();
    const QByteArray id = randomBytes(8).toHex();
    const QByteArray secret = randomBytes(32).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    NewApiKey key;
    key.info = ApiKeyInfo{QString::fromLatin1(id), name, role, m_clock.now().toString(Qt::ISODate)};
    key.text = QString::fromLatin1(keyPrefix.toByteArray() + id + '_' + secret);
    return key;
}

Status ApiKeyStore::store(const NewApiKey &key)
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("INSERT INTO api_keys (id, name, role, secret_hash, created_at) VALUES (:id, :name, :role, :hash, :at)"));
    query.bindValue(QStringLiteral(":id"), key.info.id);
    query.bindValue(QStringLiteral(":name"), key.info.name);
    query.bindValue(QStringLiteral(":role"), roleName(key.info.role));
    query.bindValue(QStringLiteral(":hash"), QCryptographicHash::hash(secretOf(key.text), QCryptographicHash::Sha256));
    query.bindValue(QStringLiteral(":at"), key.info.createdAt);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot store the API key"), query);
    announce(QStringLiteral("created"), key.info);
    return Status::success();
}

Result<QString> ApiKeyStore::create(const QString &name, Role role)
{
    Result<NewApiKey> key = generate(name, role);
    if (!key)
        return key.error();
    if (Status stored = store(key.value()); !stored)
        return stored.error();
    return key->text;
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

Result<QList<ApiKeyInfo>> ApiKeyStore::list() const
{
    QSqlQuery query(m_db.connection());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT id, name, role, created_at FROM api_keys ORDER BY created_at, id")))
        return store::Database::sqlError(QStringLiteral("cannot list the API keys"), query);
    QList<ApiKeyInfo> keys;
    while (query.next())
        keys.append(infoFrom(query));
    return keys;
}

Result<ApiKeyInfo> ApiKeyStore::find(const QString &keyId) const
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("SELECT id, name, role, created_at FROM api_keys WHERE id = :id"));
    query.bindValue(QStringLiteral(":id"), keyId);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the API key"), query);
    if (!query.next())
        return Error{QStringLiteral("not_found"), QStringLiteral("no API key with id \"%1\"").arg(keyId)};
    return infoFrom(query);
}

Result<qint64> ApiKeyStore::adminCount() const
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("SELECT COUNT(*) FROM api_keys WHERE role = :role"));
    query.bindValue(QStringLiteral(":role"), roleName(Role::Admin));
    if (!query.exec() || !query.next())
        return store::Database::sqlError(QStringLiteral("cannot count the admin API keys"), query);
    return query.value(0).toLongLong();
}

Status ApiKeyStore::revoke(const QString &keyId)
{
    // Read and delete in one transaction, so two revocations cannot each leave the other's key
    // as "the last admin" and then both go.
    return m_db.transaction([&]() -> Status {
        Result<ApiKeyInfo> key = find(keyId);
        if (!key)
            return key.error();
        if (key->role == Role::Admin) {
            Result<qint64> admins = adminCount();
            if (!admins)
                return admins.error();
            if (admins.value() <= 1)
                return Error{QStringLiteral("in_use"),
                             QStringLiteral("\"%1\" is the last admin key; create another admin key before revoking it").arg(key->name)};
        }
        QSqlQuery query(m_db.connection());
        query.prepare(QStringLiteral("DELETE FROM api_keys WHERE id = :id"));
        query.bindValue(QStringLiteral(":id"), keyId);
        if (!query.exec())
            return store::Database::sqlError(QStringLiteral("cannot revoke the API key"), query);
        announce(QStringLiteral("revoked"), key.value());
        return Status::success();
    });
}

void ApiKeyStore::announce(const QString &operation, const ApiKeyInfo &key) const
{
    if (m_changed)
        m_db.afterCommit([listener = m_changed, operation, key]() { listener(operation, key); });
}

} // namespace mandate::api
