// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/AuditTrail.h"
#include "api/Router.h"
#include "registry/PolicyStore.h"

namespace mandate::api {

/// The policy part of the admin API. `GET /v1/policies` is the active set (ETag = its version);
/// `PUT /v1/policies` publishes {"source","comment"} with If-Match — a set that does not parse
/// is refused with its diagnostics (422) and the old one stays; `POST /v1/policies/validate`
/// only parses; `GET /v1/policies/versions[/{v}]` is the history and
/// `POST /v1/policies/versions/{v}/restore` (If-Match) republishes an old version.
/// Each publish or restore is an admin_change record in `trail` ("policy:vN", the set before and after).
class PolicyEndpoints
{
public:
    static void install(Router &router, registry::PolicyStore &policies, const AdminAuth &auth, AuditTrail &trail);
    /// `GET /v1/policies/schema`: the Cedar schema the gateway builds its requests against
    /// ({"source"}), so that a console replays and checks policies against exactly that schema.
    static void installSchema(Router &router, const AdminAuth &auth, const QByteArray &schemaText);
};

} // namespace mandate::api
