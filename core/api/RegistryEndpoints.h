// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/AuditTrail.h"
#include "api/Router.h"
#include "registry/Registry.h"

namespace mandate::api {

/// The registry part of the admin API: /v1/agents, /v1/tools, /v1/humans, /v1/machines
/// (list, create, show, replace with If-Match, delete with If-Match), /v1/agents/{id}/retire,
/// /v1/registry (export), /v1/registry/import and /v1/registry/validate.
/// Each record's ETag is its version ("\"3\""); writes without If-Match get 428.
/// Every write is an admin_change record in `trail` (who, "agent:ID", before and after).
class RegistryEndpoints
{
public:
    static void install(Router &router, registry::Registry &registry, const AdminAuth &auth, AuditTrail &trail);
};

} // namespace mandate::api
