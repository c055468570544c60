// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Role.h"
#include "common/Clock.h"
#include "common/Result.h"
#include "store/Database.h"

namespace mandate::api {

/// Who an authenticated admin caller is.
struct ApiPrincipal
{
    QString keyId;
    QString name;
    Role role = Role::Auditor;
};

/// Admin API keys. A key reads `mdk_<id>_<secret>`: the id finds the record, the secret is
/// 256 random bits of which only the SHA-256 is stored. A slow KDF buys nothing for secrets of
/// that entropy and would cost every API call; comparison is constant-time.
class ApiKeyStore
{
public:
    ApiKeyStore(const store::Database &database, const Clock &clock);

    /// Creates a key and returns its full text, the only time the secret is available.
    Result<QString> create(const QString &name, Role role);
    /// The caller behind an `Authorization: Bearer` value, or "unauthorized".
    Result<ApiPrincipal> authenticate(QByteArrayView bearer) const;
    Status revoke(const QString &keyId);

private:
    const store::Database &m_db;
    const Clock &m_clock;
};

} // namespace mandate::api
