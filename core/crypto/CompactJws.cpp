// SPDX-License-Identifier: Apache-2.0
#include "crypto/CompactJws.h"

#include "crypto/Base64Url.h"
#include "crypto/JoseError.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

namespace mandate::crypto {

namespace {

Result<QByteArray> decodePart(QByteArrayView part, const char *name)
{
    auto decoded = Base64Url::decode(part);
    if (!decoded)
        return joseError(JoseError::BadBase64Url, QStringLiteral("%1: %2 at offset %3")
                                                      .arg(QLatin1String(name), decoded.error().message, decoded.error().path));
    return decoded;
}

} // namespace

Result<CompactJws> CompactJws::parse(QByteArrayView token, qsizetype maxBytes)
{
    return parse(token, maxBytes, nullptr);
}

Result<CompactJws> CompactJws::parseWithKnownHeader(QByteArrayView token, qsizetype maxBytes, const QJsonObject &header)
{
    return parse(token, maxBytes, &header);
}

Result<CompactJws::Parts> CompactJws::partsWithKnownHeader(QByteArrayView token, qsizetype maxBytes)
{
    return split(token, maxBytes, nullptr);
}

Result<CompactJws::Parts> CompactJws::split(QByteArrayView token, qsizetype maxBytes, QByteArray *header)
{
    if (token.size() > maxBytes)
        return joseError(JoseError::Oversized, QStringLiteral("token of %1 bytes exceeds the limit of %2").arg(token.size()).arg(maxBytes));
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0)
        return joseError(JoseError::Malformed, QStringLiteral("a compact JWS has exactly three dot-separated parts"));
    const QByteArrayView headerPart = token.first(firstDot);
    const QByteArrayView payloadPart = token.sliced(firstDot + 1, secondDot - firstDot - 1);
    const QByteArrayView signaturePart = token.sliced(secondDot + 1);
    if (headerPart.isEmpty())
        return joseError(JoseError::Malformed, QStringLiteral("the JWS header is empty"));

    // Errors keep their order (header, payload, signature) whether the header is known or not.
    if (header) {
        auto decoded = decodePart(headerPart, "header");
        if (!decoded)
            return decoded.error();
        *header = std::move(decoded).value();
    }
    auto payload = decodePart(payloadPart, "payload");
    if (!payload)
        return payload.error();
    auto signature = decodePart(signaturePart, "signature");
    if (!signature)
        return signature.error();
    return Parts{token.first(secondDot), std::move(payload).value(), std::move(signature).value()};
}

Result<CompactJws> CompactJws::parse(QByteArrayView token, qsizetype maxBytes, const QJsonObject *knownHeader)
{
    QByteArray header;
    auto parts = split(token, maxBytes, knownHeader ? nullptr : &header);
    if (!parts)
        return parts.error();

    CompactJws jws;
    if (knownHeader) {
        jws.m_header = *knownHeader;
    } else {
        json::Limits limits;
        limits.maxBytes = 8 * 1024;
        limits.maxDepth = 8;
        json::Failure failure = json::Failure::None;
        auto parsed = json::parse(header, limits, &failure);
        if (!parsed) {
            const JoseError kind = failure == json::Failure::DuplicateKey ? JoseError::DuplicateKey : JoseError::MalformedJson;
            return joseError(kind, QStringLiteral("JWS header: %1").arg(parsed.error().toString()));
        }
        if (!parsed->isObject())
            return joseError(JoseError::MalformedJson, QStringLiteral("JWS header is not a JSON object"));
        jws.m_header = parsed->toObject();
    }
    jws.m_token = token.toByteArray();
    jws.m_signingInputLength = parts->signingInput.size();
    jws.m_payload = std::move(parts->payload);
    jws.m_signature = std::move(parts->signature);
    return jws;
}

Result<QByteArray> CompactJws::signEncoded(QByteArrayView encodedHeader, QByteArrayView payload, const Ed25519Key &key)
{
    QByteArray out;
    out.reserve(encodedHeader.size() + (payload.size() * 4) / 3 + 4 + 90);
    out.append(encodedHeader.data(), encodedHeader.size());
    out.append('.');
    out.append(Base64Url::encode(payload));
    auto signature = key.sign(out);
    if (!signature)
        return signature.error();
    out.append('.');
    out.append(Base64Url::encode(signature.value()));
    return out;
}

Result<QByteArray> CompactJws::sign(const QJsonObject &header, QByteArrayView payload, const Ed25519Key &key)
{
    if (header.value(QStringLiteral("alg")).toString() != QLatin1String("EdDSA"))
        return joseError(JoseError::AlgNotAllowed, QStringLiteral("an Ed25519 key signs with \"alg\":\"EdDSA\" only"));
    return signEncoded(Base64Url::encode(json::writeCompact(header)), payload, key);
}

} // namespace mandate::crypto
