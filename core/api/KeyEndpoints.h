// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/AuditTrail.h"
#include "api/Router.h"
#include "crypto/KeyRing.h"

namespace mandate::api {

/// The broker's signing keys on the admin API. `GET /v1/keys` lists them (any role: the public
/// halves are published anyway); `POST /v1/keys/rotate` (admin) makes a new key current and
/// retires the previous one after {"overlap_seconds": N}. The default overlap outlives every
/// token the old key can have signed (the longest lifetime an agent may have, plus clock skew);
/// a shorter one, down to 0 after a key compromise, ends those tokens when it passes. Keys whose
/// retirement has passed are deleted. Gateways sharing the key directory follow within a second
/// (crypto::KeyRing). Each rotation is an admin_change record ("key:KID").
class KeyEndpoints
{
public:
    static void install(Router &router, crypto::KeyRing &keys, qint64 clockSkewSecs, const AdminAuth &auth, AuditTrail &trail);
    /// The overlap a rotation uses when the request names none.
    static qint64 defaultOverlapSecs(qint64 clockSkewSecs);
};

} // namespace mandate::api
