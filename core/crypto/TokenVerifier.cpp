// SPDX-License-Identifier: Apache-2.0
#include "crypto/TokenVerifier.h"

#include "crypto/JoseError.h"
#include "crypto/Sha256.h"
#include "json/JsonReader.h"

namespace mandate::crypto {

TokenVerifier::TokenVerifier(JwsPolicy jwsPolicy, ClaimsPolicy claimsPolicy, Jwks keys, const Clock &clock,
                             size_t cacheCapacity)
    : m_jws(std::move(jwsPolicy), std::move(keys)), m_claims(std::move(claimsPolicy), clock), m_cache(cacheCapacity)
{
}

void TokenVerifier::setKeys(Jwks keys)
{
    m_jws = JwsVerifier(m_jws.policy(), std::move(keys));
    m_cache.clear();
}

Result<VerifiedToken> TokenVerifier::verify(QByteArrayView token) const
{
    // The size limit comes first so that hashing an oversized input costs nothing either.
    if (token.size() > m_jws.policy().maxTokenBytes)
        return joseError(JoseError::Oversized, QStringLiteral("token of %1 bytes exceeds the limit of %2")
                                                   .arg(token.size()).arg(m_jws.policy().maxTokenBytes));
    VerifiedTokenCache::Key key;
    Sha256::hash(token, key);
    const qint64 now = m_claims.clock().nowSecs();
    if (auto cached = m_cache.find(key, now)) {
        // Signature and everything but time were checked when it was cached; time is checked
        // by find(): exp. nbf and iat were already in the past then and still are.
        return *cached;
    }

    auto jws = m_jws.verify(token);
    if (!jws)
        return jws.error();
    json::Limits limits;
    limits.maxBytes = m_jws.policy().maxTokenBytes;
    limits.maxDepth = 16;
    json::Failure failure = json::Failure::None;
    auto claims = json::parse(jws->payload, limits, &failure);
    if (!claims)
        return joseError(failure == json::Failure::DuplicateKey ? JoseError::DuplicateKey : JoseError::MalformedJson,
                         QStringLiteral("JWT claims: %1").arg(claims.error().toString()));
    if (!claims->isObject())
        return joseError(JoseError::MalformedJson, QStringLiteral("JWT claims are not a JSON object"));
    const QJsonObject object = claims->toObject();
    if (Status s = m_claims.validate(object); !s)
        return s.error();

    auto verified = std::make_shared<VerifiedToken>();
    verified->header = jws->header;
    verified->claims = object;
    verified->kid = jws->kid;
    verified->acceptedUntil = m_claims.acceptedUntil(object);
    m_cache.insert(key, verified);
    return *verified;
}

} // namespace mandate::crypto
