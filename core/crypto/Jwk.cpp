// SPDX-License-Identifier: Apache-2.0
#include "crypto/Jwk.h"

#include "crypto/Base64Url.h"
#include "crypto/JoseError.h"
#include "crypto/Sha256.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QJsonArray>

namespace mandate::crypto {

namespace {

Error bad(const QString &message)
{
    return joseError(JoseError::BadKey, message);
}

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

/// An optional string member: absent is fine, any other JSON type is an error.
std::optional<Error> optionalString(const QJsonObject &o, const char *name, QString &out)
{
    const auto it = o.constFind(key(name));
    if (it == o.constEnd())
        return std::nullopt;
    if (!it->isString())
        return bad(QStringLiteral("JWK member \"%1\" must be a string").arg(key(name)));
    out = it->toString();
    return std::nullopt;
}

/// A required base64url member decoding to `size` bytes (any size when size < 0).
Result<QByteArray> requiredBytes(const QJsonObject &o, const char *name, qsizetype size = -1)
{
    const auto it = o.constFind(key(name));
    if (it == o.constEnd() || !it->isString())
        return bad(QStringLiteral("JWK member \"%1\" is missing or not a string").arg(key(name)));
    auto decoded = Base64Url::decode(it->toString().toLatin1());
    if (!decoded)
        return bad(QStringLiteral("JWK member \"%1\" is not canonical base64url").arg(key(name)));
    if (size >= 0 && decoded->size() != size)
        return bad(QStringLiteral("JWK member \"%1\" must be %2 bytes, not %3").arg(key(name)).arg(size).arg(decoded->size()));
    return decoded;
}

QString expectedAlg(Jwk::Type type)
{
    switch (type) {
    case Jwk::Type::Okp: return QStringLiteral("EdDSA");
    case Jwk::Type::Ec: return QStringLiteral("ES256");
    case Jwk::Type::Rsa: return QStringLiteral("RS256");
    }
    return {};
}

} // namespace

Result<Jwk> Jwk::fromJson(const QJsonObject &o)
{
    Jwk jwk;
    QString kty;
    if (auto e = optionalString(o, "kty", kty))
        return *e;
    if (kty.isEmpty())
        return bad(QStringLiteral("JWK has no \"kty\""));
    if (auto e = optionalString(o, "kid", jwk.m_kid))
        return *e;
    if (auto e = optionalString(o, "alg", jwk.m_alg))
        return *e;
    if (auto e = optionalString(o, "use", jwk.m_use))
        return *e;
    if (const auto ops = o.constFind(key("key_ops")); ops != o.constEnd()) {
        if (!ops->isArray())
            return bad(QStringLiteral("JWK member \"key_ops\" must be an array of strings"));
        for (const QJsonValue &op : ops->toArray()) {
            if (!op.isString() || jwk.m_keyOps.contains(op.toString()))
                return bad(QStringLiteral("JWK member \"key_ops\" must hold distinct strings"));
            jwk.m_keyOps.append(op.toString());
        }
    }
    if (!jwk.m_use.isEmpty() && !jwk.m_keyOps.isEmpty() && jwk.m_use != QLatin1String("sig"))
        return bad(QStringLiteral("JWK \"use\" and \"key_ops\" disagree"));

    if (kty == QLatin1String("oct"))
        return bad(QStringLiteral("symmetric (oct) keys are not accepted: only public-key signatures are verified"));
    for (const char *secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
        if (o.contains(key(secret)))
            return bad(QStringLiteral("JWK carries private member \"%1\"; a verification key must be public").arg(key(secret)));
    }

    QString crv;
    if (auto e = optionalString(o, "crv", crv))
        return *e;
    if (kty == QLatin1String("OKP")) {
        if (crv != QLatin1String("Ed25519"))
            return bad(QStringLiteral("OKP curve \"%1\" is not supported (only Ed25519)").arg(crv));
        auto x = requiredBytes(o, "x", Ed25519Key::kPublicKeySize);
        if (!x)
            return x.error();
        auto k = Ed25519Key::fromPublicKey(x.value());
        if (!k)
            return bad(k.error().message);
        jwk.m_type = Type::Okp;
        jwk.m_ed25519 = k.value();
    } else if (kty == QLatin1String("EC")) {
        if (crv != QLatin1String("P-256"))
            return bad(QStringLiteral("EC curve \"%1\" is not supported (only P-256)").arg(crv));
        auto x = requiredBytes(o, "x", EcP256PublicKey::kCoordinateSize);
        if (!x)
            return x.error();
        auto y = requiredBytes(o, "y", EcP256PublicKey::kCoordinateSize);
        if (!y)
            return y.error();
        auto k = EcP256PublicKey::fromCoordinates(x.value(), y.value());
        if (!k)
            return bad(k.error().message);
        jwk.m_type = Type::Ec;
        jwk.m_ec = k.value();
    } else if (kty == QLatin1String("RSA")) {
        if (!crv.isEmpty())
            return bad(QStringLiteral("RSA key must not have \"crv\""));
        auto n = requiredBytes(o, "n");
        if (!n)
            return n.error();
        auto e = requiredBytes(o, "e");
        if (!e)
            return e.error();
        auto k = RsaPublicKey::fromModulusExponent(n.value(), e.value());
        if (!k)
            return bad(k.error().message);
        jwk.m_type = Type::Rsa;
        jwk.m_rsa = k.value();
    } else {
        return bad(QStringLiteral("key type \"%1\" is not supported").arg(kty));
    }
    if (!jwk.m_alg.isEmpty() && jwk.m_alg != expectedAlg(jwk.m_type))
        return bad(QStringLiteral("JWK \"alg\" %1 does not fit a %2 key").arg(jwk.m_alg, kty));
    return jwk;
}

Result<Jwk> Jwk::parse(QByteArrayView json)
{
    json::Limits limits;
    limits.maxBytes = 64 * 1024;
    limits.maxDepth = 4;
    auto object = json::parseObject(json, limits);
    if (!object)
        return bad(QStringLiteral("JWK is not strict JSON: %1").arg(object.error().toString()));
    return fromJson(object.value());
}

Jwk Jwk::fromEd25519(const Ed25519Key &key, const QString &kid)
{
    Jwk jwk;
    jwk.m_type = Type::Okp;
    jwk.m_ed25519 = Ed25519Key::fromPublicKey(key.publicKey()).value();
    jwk.m_alg = QStringLiteral("EdDSA");
    jwk.m_use = QStringLiteral("sig");
    jwk.m_kid = kid.isEmpty() ? jwk.thumbprint() : kid;
    return jwk;
}

QString Jwk::algorithm() const
{
    return expectedAlg(m_type);
}

QJsonObject Jwk::toJson() const
{
    auto b64 = [](const QByteArray &bytes) { return QString::fromLatin1(Base64Url::encode(bytes)); };
    QJsonObject o;
    switch (m_type) {
    case Type::Okp:
        o.insert(key("kty"), QStringLiteral("OKP"));
        o.insert(key("crv"), QStringLiteral("Ed25519"));
        o.insert(key("x"), b64(m_ed25519.publicKey()));
        break;
    case Type::Ec:
        o.insert(key("kty"), QStringLiteral("EC"));
        o.insert(key("crv"), QStringLiteral("P-256"));
        o.insert(key("x"), b64(m_ec.x()));
        o.insert(key("y"), b64(m_ec.y()));
        break;
    case Type::Rsa:
        o.insert(key("kty"), QStringLiteral("RSA"));
        o.insert(key("n"), b64(m_rsa.modulus()));
        o.insert(key("e"), b64(m_rsa.exponent()));
        break;
    }
    if (!m_kid.isEmpty())
        o.insert(key("kid"), m_kid);
    if (!m_alg.isEmpty())
        o.insert(key("alg"), m_alg);
    if (!m_use.isEmpty())
        o.insert(key("use"), m_use);
    if (!m_keyOps.isEmpty())
        o.insert(key("key_ops"), QJsonArray::fromStringList(m_keyOps));
    return o;
}

QString Jwk::thumbprint() const
{
    // RFC 7638: the required members only, lexicographic order, no whitespace. QJsonObject keeps
    // members sorted and writeCompact adds no whitespace, so this is exactly that form.
    const QJsonObject full = toJson();
    QJsonObject required;
    for (const char *member : {"crv", "e", "kty", "n", "x", "y"}) {
        if (full.contains(key(member)))
            required.insert(key(member), full.value(key(member)));
    }
    return QString::fromLatin1(Base64Url::encode(Sha256::hash(json::writeCompact(required))));
}

Status Jwk::verify(QStringView alg, QByteArrayView signingInput, QByteArrayView signature) const
{
    const QString mine = algorithm();
    if (alg != mine)
        return joseError(JoseError::AlgNotAllowed,
                         QStringLiteral("algorithm %1 does not match key \"%2\" (%3)").arg(alg.toString(), m_kid, mine));
    if (!m_use.isEmpty() && m_use != QLatin1String("sig"))
        return joseError(JoseError::KeyNotUsable, QStringLiteral("key \"%1\" is for use \"%2\", not signatures").arg(m_kid, m_use));
    if (!m_keyOps.isEmpty() && !m_keyOps.contains(QLatin1String("verify")))
        return joseError(JoseError::KeyNotUsable, QStringLiteral("key \"%1\" does not allow the \"verify\" operation").arg(m_kid));
    Status status;
    switch (m_type) {
    case Type::Okp: status = m_ed25519.verify(signingInput, signature); break;
    case Type::Ec: status = m_ec.verify(signingInput, signature); break;
    case Type::Rsa: status = m_rsa.verifyPkcs1Sha256(signingInput, signature); break;
    }
    if (!status)
        return joseError(JoseError::BadSignature, status.error().message);
    return {};
}

} // namespace mandate::crypto
