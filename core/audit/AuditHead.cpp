// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditHead.h"

#include "crypto/Base64Url.h"
#include "json/JsonWriter.h"

namespace mandate::audit {

QByteArray AuditHead::signingBytes() const
{
    const QJsonObject o{{QStringLiteral("gateway"), gatewayId},
                        {QStringLiteral("sequence"), sequence},
                        {QStringLiteral("hash"), QString::fromLatin1(hash.toHex())}};
    return QByteArrayLiteral("mandate-audit-head-v1\n") + json::writeCompact(o);
}

Result<SignedHead> SignedHead::sign(const AuditHead &head, const crypto::Ed25519Key &key, const QDateTime &time)
{
    Result<QByteArray> signature = key.sign(head.signingBytes());
    if (!signature)
        return signature.error();
    SignedHead signedHead;
    signedHead.head = head;
    signedHead.time = time;
    signedHead.publicKey = key.publicKey();
    signedHead.signature = signature.value();
    return signedHead;
}

Status SignedHead::verify(const crypto::Ed25519Key *trusted) const
{
    if (trusted && trusted->publicKey() != publicKey)
        return Error{QStringLiteral("bad_signature"), QStringLiteral("the head was signed by another key than the trusted one")};
    Result<crypto::Ed25519Key> key = crypto::Ed25519Key::fromPublicKey(publicKey);
    if (!key)
        return key.error();
    if (const Status ok = key->verify(head.signingBytes(), signature); !ok)
        return Error{QStringLiteral("bad_signature"), QStringLiteral("the head's signature is invalid")};
    return Status::success();
}

QJsonObject SignedHead::toJson() const
{
    return {{QStringLiteral("gateway"), head.gatewayId},
            {QStringLiteral("sequence"), head.sequence},
            {QStringLiteral("hash"), QString::fromLatin1(head.hash.toHex())},
            {QStringLiteral("time"), time.toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("alg"), QStringLiteral("EdDSA")},
            {QStringLiteral("public_key"), QString::fromLatin1(crypto::Base64Url::encode(publicKey))},
            {QStringLiteral("signature"), QString::fromLatin1(crypto::Base64Url::encode(signature))}};
}

Result<SignedHead> SignedHead::fromJson(const QJsonObject &o)
{
    const auto bad = [](const QString &what) {
        return Error{QStringLiteral("invalid"), QStringLiteral("signed head: %1").arg(what)};
    };
    if (o.value(QStringLiteral("alg")).toString() != QLatin1String("EdDSA"))
        return bad(QStringLiteral("alg must be EdDSA"));
    SignedHead h;
    h.head.gatewayId = o.value(QStringLiteral("gateway")).toString();
    const QJsonValue seq = o.value(QStringLiteral("sequence"));
    if (!seq.isDouble() || seq.toInteger() < 0)
        return bad(QStringLiteral("sequence must be a non-negative integer"));
    h.head.sequence = seq.toInteger();
    const QByteArray hex = o.value(QStringLiteral("hash")).toString().toLatin1();
    h.head.hash = QByteArray::fromHex(hex);
    if (h.head.hash.size() != 32 || h.head.hash.toHex() != hex)
        return bad(QStringLiteral("hash must be 64 lower-case hex digits"));
    h.time = QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    Result<QByteArray> key = crypto::Base64Url::decode(o.value(QStringLiteral("public_key")).toString().toLatin1());
    Result<QByteArray> sig = crypto::Base64Url::decode(o.value(QStringLiteral("signature")).toString().toLatin1());
    if (!key || key->size() != crypto::Ed25519Key::kPublicKeySize)
        return bad(QStringLiteral("public_key must be a base64url Ed25519 public key"));
    if (!sig || sig->size() != crypto::Ed25519Key::kSignatureSize)
        return bad(QStringLiteral("signature must be a base64url Ed25519 signature"));
    if (h.head.gatewayId.isEmpty())
        return bad(QStringLiteral("gateway is missing"));
    h.publicKey = key.value();
    h.signature = sig.value();
    return h;
}

} // namespace mandate::audit
