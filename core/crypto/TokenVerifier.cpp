// SPDX-License-Identifier: Apache-2.0
#include "crypto/TokenVerifier.h"

#include "crypto/JoseError.h"
#include "json/JsonReader.h"

namespace mandate::crypto {

struct TokenVerifier::Snapshot
{
    Snapshot(JwsPolicy policy, Jwks keys, size_t capacity) : jws(std::move(policy), std::move(keys)), cache(capacity) {}

    const JwsVerifier jws;
    VerifiedTokenCache cache;  ///< results of `jws` only
};

TokenVerifier::TokenVerifier(JwsPolicy jwsPolicy, ClaimsPolicy claimsPolicy, Jwks keys, const Clock &clock,
                             size_t cacheCapacity)
    : m_policy(std::move(jwsPolicy)), m_claims(std::move(claimsPolicy), clock), m_cacheCapacity(cacheCapacity),
      m_snapshot(makeSnapshot(std::move(keys)))
{
}

TokenVerifier::~TokenVerifier() = default;

std::shared_ptr<TokenVerifier::Snapshot> TokenVerifier::makeSnapshot(Jwks keys) const
{
    return std::make_shared<Snapshot>(m_policy, std::move(keys), m_cacheCapacity);
}

void TokenVerifier::setKeys(Jwks keys)
{
    m_snapshot.store(makeSnapshot(std::move(keys)), std::memory_order_release);
}

Jwks TokenVerifier::keys() const
{
    return m_snapshot.load(std::memory_order_acquire)->jws.keys();
}

void TokenVerifier::clearCache() const
{
    m_snapshot.load(std::memory_order_acquire)->cache.clear();
}

size_t TokenVerifier::cacheSize() const
{
    return m_snapshot.load(std::memory_order_acquire)->cache.size();
}

std::optional<Error> TokenVerifier::oversized(QByteArrayView token) const
{
    if (token.size() <= m_policy.maxTokenBytes)
        return std::nullopt;
    return joseError(JoseError::Oversized, QStringLiteral("token of %1 bytes exceeds the limit of %2")
                                               .arg(token.size()).arg(m_policy.maxTokenBytes));
}

Result<VerifiedToken> TokenVerifier::verify(QByteArrayView token) const
{
    // The size limit comes first so that hashing an oversized input costs nothing either.
    if (std::optional<Error> tooBig = oversized(token))
        return *tooBig;
    return verify(HashedToken(token));
}

Result<VerifiedToken> TokenVerifier::verify(const HashedToken &hashed) const
{
    const QByteArrayView token = hashed.bytes();
    if (std::optional<Error> tooBig = oversized(token))
        return *tooBig;
    const std::shared_ptr<Snapshot> snapshot = m_snapshot.load(std::memory_order_acquire);
    // Keyed by the token's hash, as the design asks: the cache never holds a live bearer token.
    const qint64 now = m_claims.clock().nowSecs();
    if (auto cached = snapshot->cache.find(hashed.digest(), now)) {
        // Signature and everything but time were checked when it was cached; time is checked
        // by find(): exp. nbf and iat were already in the past then and still are.
        return *cached;
    }

    auto jws = snapshot->jws.verify(token);
    if (!jws)
        return jws.error();
    auto claims = parseClaims(std::move(jws->payload), m_policy.maxTokenBytes, QStringLiteral("JWT claims"));
    if (!claims)
        return claims.error();
    auto verified = std::make_shared<VerifiedToken>();
    verified->claims = std::move(claims).value();
    if (Status s = m_claims.validate(verified->claims); !s)
        return s.error();
    if (const auto &handleOf = m_claims.policy().handleOf) {
        auto handle = handleOf(verified->claims);
        if (!handle)
            return handle.error();
        verified->handle = std::move(handle).value();
    }
    verified->header = std::move(jws->header);
    verified->kid = std::move(jws->kid);
    verified->acceptedUntil = m_claims.acceptedUntil(verified->claims);
    snapshot->cache.insert(hashed.digest(), verified);
    return *verified;
}

Result<json::ObjectText> TokenVerifier::parseClaims(QByteArray payload, qsizetype maxTokenBytes, const QString &what)
{
    json::Limits limits;
    limits.maxBytes = maxTokenBytes;
    limits.maxDepth = 16;
    json::Failure failure = json::Failure::None;
    auto claims = json::ObjectText::parse(std::move(payload), limits, &failure);
    if (claims)
        return claims;
    if (failure == json::Failure::NotAnObject)
        return joseError(JoseError::MalformedJson, what + QStringLiteral(" are not a JSON object"));
    return joseError(failure == json::Failure::DuplicateKey ? JoseError::DuplicateKey : JoseError::MalformedJson,
                     QStringLiteral("%1: %2").arg(what, claims.error().toString()));
}

} // namespace mandate::crypto
