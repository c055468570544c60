// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "crypto/Jwks.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <mutex>
#include <optional>

namespace mandate::crypto {

/// What a verifier accepts. Two presets cover Mandate's uses.
struct JwsPolicy
{
    QStringList allowedAlgorithms;  ///< e.g. {"EdDSA"}; never HS*, never none
    QString requiredType;           ///< exact typ (an "application/" prefix is tolerated); empty: see optionalTypes
    /// With no requiredType: "typ" may be absent or one of these (prefix tolerated); empty: any.
    QStringList optionalTypes;
    bool requireKid = true;         ///< without a kid, the only key fitting alg is used
    qsizetype maxTokenBytes = 8 * 1024;

    /// Mandate's own execution tokens: EdDSA, typ at+jwt (RFC 9068), kid required.
    static JwsPolicy accessTokens();
    /// ID tokens from a trusted identity provider: EdDSA, ES256 or RS256; typ absent or "JWT",
    /// so that an access token (at+jwt) or a logout token the same issuer signed is no ID token.
    static JwsPolicy idTokens();
};

/// A JWS whose signature verified under a policy.
struct VerifiedJws
{
    QJsonObject header;
    QByteArray payload;
    QString alg;
    QString kid;
};

/// Verifies compact JWS against a key set under a JwsPolicy. Every rejection carries its own
/// JoseError code: oversized_token, malformed_token, bad_base64url, malformed_json,
/// duplicate_json_key, alg_none, alg_confusion, alg_not_allowed, embedded_key, unknown_crit,
/// wrong_typ, missing_kid, unknown_kid, key_not_usable, bad_signature.
///
/// A signer puts the same header on every token, so the header parts of tokens that verified
/// are remembered (exact bytes; at most kMaxKnownHeaders): a token carrying one of them skips
/// decoding, parsing and checking it again, since the same bytes can only give the same answer.
/// Only headers of tokens whose signature verified are remembered, so no one can fill the
/// table without a trusted key. Thread-safe.
class JwsVerifier
{
public:
    static constexpr qsizetype kMaxKnownHeaders = 64;

    JwsVerifier(JwsPolicy policy, Jwks keys);
    ~JwsVerifier();
    JwsVerifier(JwsVerifier &&) noexcept;
    JwsVerifier &operator=(JwsVerifier &&) noexcept;

    Result<VerifiedJws> verify(QByteArrayView token) const;

    const JwsPolicy &policy() const { return m_policy; }
    const Jwks &keys() const { return m_keys; }

private:
    struct KnownHeader
    {
        QJsonObject header;
        QString alg;
        QString kid;          ///< the header's kid, empty when it has none
        qsizetype keyIndex;   ///< in m_keys.entries(): the key that verified
    };
    struct KnownHeaders
    {
        std::mutex mutex;
        QHash<QByteArray, KnownHeader> byPart;  ///< base64url header part → what it was
    };

    JwsPolicy m_policy;
    Jwks m_keys;
    std::unique_ptr<KnownHeaders> m_known;
};

} // namespace mandate::crypto
