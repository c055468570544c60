// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/ClaimsValidator.h"
#include "crypto/JwsVerifier.h"
#include "crypto/VerifiedTokenCache.h"

namespace mandate::crypto {

/// The whole check of a JWT: JWS signature and header policy, strict JSON claims, then the
/// claims policy, with a cache so a token seen before costs a hash and a lookup.
/// Revocation is not its concern: callers (the broker, the gateway) check it on the result.
class TokenVerifier
{
public:
    TokenVerifier(JwsPolicy jwsPolicy, ClaimsPolicy claimsPolicy, Jwks keys, const Clock &clock,
                  size_t cacheCapacity = 10'000);

    /// Codes: those of JwsVerifier and ClaimsValidator, plus malformed_json /
    /// duplicate_json_key for the claims.
    Result<VerifiedToken> verify(QByteArrayView token) const;

    /// Replaces the key set (rotation, JWKS refresh) and empties the cache.
    void setKeys(Jwks keys);
    void clearCache() const { m_cache.clear(); }
    size_t cacheSize() const { return m_cache.size(); }

private:
    JwsVerifier m_jws;
    ClaimsValidator m_claims;
    mutable VerifiedTokenCache m_cache;
};

} // namespace mandate::crypto
