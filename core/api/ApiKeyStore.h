// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Role.h"
#include "common/Clock.h"
#include "common/Result.h"
#include "store/Database.h"

#include <QJsonObject>

#include <functional>

namespace mandate::api {

/// Who an authenticated admin caller is.
struct ApiPrincipal
{
    QString keyId;
    QString name;
    Role role = Role::Auditor;
};

/// What is known of a key besides its secret.
struct ApiKeyInfo
{
    QString id;
    QString name;
    Role role = Role::Auditor;
    QString createdAt;

    QJsonObject toJson() const;
};

/// A key made but perhaps not stored yet: `text` is the only copy of its secret.
struct NewApiKey
{
    ApiKeyInfo info;
    QString text;
};

/// Admin API keys. A key reads `mdk_<id>_<secret>`: the id finds the record, the secret is
/// 256 random bits of which only the SHA-256 is stored. A slow KDF buys nothing for secrets of
/// that entropy and would cost every API call; comparison is constant-time. Every read goes to
/// the store, so a revoked key stops working at once, on every gateway sharing it.
class ApiKeyStore
{
public:
    static constexpr qsizetype MaxNameLength = 64;

    ApiKeyStore(const store::Database &database, const Clock &clock);

    /// An "invalid" Error unless `name` is 1..MaxNameLength printable characters.
    static Status validateName(const QString &name);
    /// Makes a key (id, secret, creation time) without storing it.
    Result<NewApiKey> generate(const QString &name, Role role) const;
    /// Stores a generated key; its secret works from then on.
    Status store(const NewApiKey &key);
    /// generate() and store() in one.
    Result<QString> create(const QString &name, Role role);

    /// The caller behind an `Authorization: Bearer` value, or "unauthorized".
    Result<ApiPrincipal> authenticate(QByteArrayView bearer) const;
    /// Every key, oldest first.
    Result<QList<ApiKeyInfo>> list() const;
    /// One key, or "not_found".
    Result<ApiKeyInfo> find(const QString &keyId) const;
    Result<qint64> adminCount() const;
    /// Deletes a key: "not_found" if there is none, "in_use" if it is the last admin key, which
    /// would leave nobody able to manage the gateway.
    Status revoke(const QString &keyId);

    /// `operation` is "created" or "revoked".
    using ChangeListener = std::function<void(const QString &operation, const ApiKeyInfo &key)>;
    /// Told of each key stored or revoked once the change is committed (never when it rolls
    /// back), on the committing thread: the event stream closes a revoked key's subscriptions.
    /// Set before the store is shared between threads.
    void setChangeListener(ChangeListener listener) { m_changed = std::move(listener); }

private:
    void announce(const QString &operation, const ApiKeyInfo &key) const;

    const store::Database &m_db;
    const Clock &m_clock;
    ChangeListener m_changed;
};

} // namespace mandate::api
