// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "crypto/Jwks.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

namespace mandate::crypto {

/// What a verifier accepts. Two presets cover Mandate's uses.
struct JwsPolicy
{
    QStringList allowedAlgorithms;  ///< e.g. {"EdDSA"}; never HS*, never none
    QString requiredType;           ///< exact typ (an "application/" prefix is tolerated); empty: any
    bool requireKid = true;         ///< without a kid, the only key fitting alg is used
    qsizetype maxTokenBytes = 8 * 1024;

    /// Mandate's own execution tokens: EdDSA, typ at+jwt (RFC 9068), kid required.
    static JwsPolicy accessTokens();
    /// ID tokens from a trusted identity provider: EdDSA, ES256 or RS256.
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
class JwsVerifier
{
public:
    JwsVerifier(JwsPolicy policy, Jwks keys);

    Result<VerifiedJws> verify(QByteArrayView token) const;

    const JwsPolicy &policy() const { return m_policy; }
    const Jwks &keys() const { return m_keys; }

private:
    JwsPolicy m_policy;
    Jwks m_keys;
};

} // namespace mandate::crypto
