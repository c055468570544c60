// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/AuditTrail.h"
#include "api/Router.h"

namespace mandate::api {

/// Admin API keys on the admin API, for admins only:
///   GET    /v1/api-keys          every key (id, name, role, creation time; never a secret)
///   POST   /v1/api-keys          {"name": "...", "role": "admin|auditor|analyst"} → 201 with the
///                                new key's text, the only time its secret is shown
///   GET    /v1/api-keys/{id}     one key
///   DELETE /v1/api-keys/{id}     revokes it at once (200 with what was revoked); the last admin
///                                key cannot go (409)
/// Each change commits with its admin_change record ("api-key:ID"), which holds no secret.
class ApiKeyEndpoints
{
public:
    static void install(Router &router, ApiKeyStore &keys, const AdminAuth &auth, AuditTrail &trail);
};

} // namespace mandate::api
