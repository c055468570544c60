// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiKeyStore.h"
#include "api/AuditTrail.h"

namespace mandate::gateway {

/// A gateway's first admin API key. A start that finds no admin key in the store (the first
/// start on a new database) makes one, writes it to DATA/admin.key (mode 0600) and records its
/// creation as an admin change made by the gateway itself. Without it nobody could call the
/// admin API of a production gateway; with it, admins make every other key through the API.
class FirstAdminKey
{
public:
    static constexpr const char *FileName = "admin.key";

    /// The file written, or an empty string when the store has an admin key already.
    static Result<QString> ensure(api::ApiKeyStore &keys, api::AuditTrail &trail, const QString &dataDir);
};

} // namespace mandate::gateway
