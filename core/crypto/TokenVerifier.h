// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/ClaimsValidator.h"
#include "crypto/HashedToken.h"
#include "crypto/JwsVerifier.h"
#include "crypto/VerifiedTokenCache.h"
#include "json/ObjectText.h"

#include <atomic>
#include <memory>
#include <optional>

namespace mandate::crypto {

/// The whole check of a JWT: JWS signature and header policy, strict JSON claims, then the
/// claims policy, with a cache so a token seen before costs a hash and a lookup.
/// Revocation is not its concern: callers (the broker, the gateway) check it on the result.
///
/// Thread-safe, including setKeys() while verifications run: the key set and the cache of
/// results it produced form one immutable snapshot, swapped atomically. A verification holds
/// the snapshot it started with to the end, so a result obtained with old keys can only land in
/// the old snapshot's cache, never in the new one.
class TokenVerifier
{
public:
    TokenVerifier(JwsPolicy jwsPolicy, ClaimsPolicy claimsPolicy, Jwks keys, const Clock &clock,
                  size_t cacheCapacity = 10'000);
    ~TokenVerifier();
    Q_DISABLE_COPY_MOVE(TokenVerifier)

    /// Codes: those of JwsVerifier and ClaimsValidator, plus malformed_json /
    /// duplicate_json_key for the claims.
    Result<VerifiedToken> verify(QByteArrayView token) const;
    /// The same for a token its caller has hashed already (for a cache of its own).
    Result<VerifiedToken> verify(const HashedToken &token) const;

    /// A JWT's claims read strictly (size within `maxTokenBytes`, depth, duplicate keys), with
    /// the codes verify() gives: malformed_json or duplicate_json_key. `what` names them in messages.
    static Result<json::ObjectText> parseClaims(QByteArray payload, qsizetype maxTokenBytes, const QString &what);

    /// Replaces the key set (rotation, JWKS refresh) with an empty cache.
    void setKeys(Jwks keys);
    Jwks keys() const;
    void clearCache() const;
    size_t cacheSize() const;

private:
    struct Snapshot;
    std::shared_ptr<Snapshot> makeSnapshot(Jwks keys) const;
    std::optional<Error> oversized(QByteArrayView token) const;

    JwsPolicy m_policy;
    ClaimsValidator m_claims;
    size_t m_cacheCapacity;
    std::atomic<std::shared_ptr<Snapshot>> m_snapshot;
};

} // namespace mandate::crypto
