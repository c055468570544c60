// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "crypto/Ed25519Key.h"

#include <QByteArray>
#include <QJsonObject>

namespace mandate::crypto {

/// A JWS in compact serialisation (RFC 7515 §7.1): BASE64URL(header).BASE64URL(payload).
/// BASE64URL(signature). parse() checks form only (three parts, strict base64url, a strict
/// JSON object as header); whether the signature and header are acceptable is JwsVerifier's job.
class CompactJws
{
public:
    /// Codes (JoseError): oversized_token, malformed_token, bad_base64url, malformed_json,
    /// duplicate_json_key.
    static Result<CompactJws> parse(QByteArrayView token, qsizetype maxBytes);
    /// parse() for a token whose header part is, byte for byte, one that parse() turned into
    /// `header` before: the part is not decoded again (a verifier's cache of checked headers).
    static Result<CompactJws> parseWithKnownHeader(QByteArrayView token, qsizetype maxBytes, const QJsonObject &header);

    /// What parseWithKnownHeader() checks and decodes, without copying the token or the header:
    /// for a verifier that checks the signature at once, while the token's bytes are still there.
    struct Parts
    {
        QByteArrayView signingInput;  ///< a view into the token
        QByteArray payload;
        QByteArray signature;
    };
    static Result<Parts> partsWithKnownHeader(QByteArrayView token, qsizetype maxBytes);

    /// Signs `payload` with an Ed25519 key under `header` (which must say "alg":"EdDSA") and
    /// returns the compact form. The header is serialised compactly and deterministically.
    static Result<QByteArray> sign(const QJsonObject &header, QByteArrayView payload, const Ed25519Key &key);
    /// Same, with a header already base64url-encoded (lets a signer cache its header).
    static Result<QByteArray> signEncoded(QByteArrayView encodedHeader, QByteArrayView payload, const Ed25519Key &key);

    const QJsonObject &header() const { return m_header; }
    const QByteArray &payload() const { return m_payload; }
    const QByteArray &signature() const { return m_signature; }
    /// The bytes the signature covers: ASCII(BASE64URL(header) '.' BASE64URL(payload)).
    QByteArrayView signingInput() const { return QByteArrayView(m_token).first(m_signingInputLength); }

private:
    static Result<CompactJws> parse(QByteArrayView token, qsizetype maxBytes, const QJsonObject *knownHeader);
    /// Splits and decodes; the header part is decoded into `header` unless it is null.
    static Result<Parts> split(QByteArrayView token, qsizetype maxBytes, QByteArray *header);

    QByteArray m_token;
    qsizetype m_signingInputLength = 0;
    QJsonObject m_header;
    QByteArray m_payload;
    QByteArray m_signature;
};

} // namespace mandate::crypto
