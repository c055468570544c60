// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "crypto/EcP256PublicKey.h"
#include "crypto/Ed25519Key.h"
#include "crypto/RsaPublicKey.h"

#include <QJsonObject>
#include <QStringList>

namespace mandate::crypto {

/// A public JSON Web Key (RFC 7517) that can verify JWS signatures: OKP/Ed25519 (RFC 8037,
/// alg EdDSA), EC/P-256 (ES256) or RSA (RS256). Parsing is strict: wrong member types, key
/// material of the wrong size, points off the curve, weak RSA keys, an `alg` that does not fit
/// the key and private members (a verification key set must not carry secrets) are errors.
/// Symmetric (`oct`) keys are refused: Mandate never verifies HMAC-signed tokens.
class Jwk
{
public:
    enum class Type { Okp, Ec, Rsa };

    /// Error code "bad_key" (JoseError::BadKey) with the reason.
    static Result<Jwk> fromJson(const QJsonObject &object);
    static Result<Jwk> parse(QByteArrayView json);
    /// The public half of an Ed25519 key; kid empty means "use the RFC 7638 thumbprint".
    static Jwk fromEd25519(const Ed25519Key &key, const QString &kid = {});

    Type type() const { return m_type; }
    const QString &kid() const { return m_kid; }
    /// The JOSE algorithm this key verifies: "EdDSA", "ES256" or "RS256".
    QString algorithm() const;
    const QString &use() const { return m_use; }           ///< "sig", "enc" or empty
    const QStringList &keyOps() const { return m_keyOps; } ///< empty when absent

    /// Public members only, in RFC 7517 / 8037 form, with kid, alg and use when set.
    QJsonObject toJson() const;
    /// RFC 7638 JWK thumbprint (SHA-256, base64url).
    QString thumbprint() const;

    /// Checks that the key may verify `alg` (type, `alg`, `use`, `key_ops`) and then the signature.
    /// Codes: alg_not_allowed / key_not_usable / bad_signature.
    Status verify(QStringView alg, QByteArrayView signingInput, QByteArrayView signature) const;

private:
    Type m_type = Type::Okp;
    QString m_kid;
    QString m_alg;
    QString m_use;
    QStringList m_keyOps;
    Ed25519Key m_ed25519;
    EcP256PublicKey m_ec;
    RsaPublicKey m_rsa;
};

} // namespace mandate::crypto
