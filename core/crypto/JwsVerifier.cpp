// SPDX-License-Identifier: Apache-2.0
#include "crypto/JwsVerifier.h"

#include "crypto/CompactJws.h"
#include "crypto/JoseError.h"

#include <QJsonArray>

namespace mandate::crypto {

JwsPolicy JwsPolicy::accessTokens()
{
    JwsPolicy p;
    p.allowedAlgorithms = {QStringLiteral("EdDSA")};
    p.requiredType = QStringLiteral("at+jwt");
    p.requireKid = true;
    return p;
}

JwsPolicy JwsPolicy::idTokens()
{
    JwsPolicy p;
    p.allowedAlgorithms = {QStringLiteral("EdDSA"), QStringLiteral("ES256"), QStringLiteral("RS256")};
    p.optionalTypes = {QStringLiteral("JWT")};
    p.requireKid = false;
    p.maxTokenBytes = 16 * 1024;
    return p;
}

JwsVerifier::JwsVerifier(JwsPolicy policy, Jwks keys)
    : m_policy(std::move(policy)), m_keys(std::move(keys)), m_known(std::make_unique<KnownHeaders>())
{
}

JwsVerifier::~JwsVerifier() = default;
JwsVerifier::JwsVerifier(JwsVerifier &&) noexcept = default;
JwsVerifier &JwsVerifier::operator=(JwsVerifier &&) noexcept = default;

namespace {

// QLatin1String lookups: no allocation per header check on the hot path.
QLatin1String headerKey(const char *name)
{
    return QLatin1String(name);
}

/// The header checks that need no key; their order decides which error a token with several
/// faults gets, most telling first.
Status checkHeader(const QJsonObject &header, const JwsPolicy &policy, QString &alg)
{
    const QJsonValue algValue = header.value(headerKey("alg"));
    if (!algValue.isString() || algValue.toString().isEmpty())
        return joseError(JoseError::Malformed, QStringLiteral("JWS header has no \"alg\" string"));
    alg = algValue.toString();
    if (alg.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
        return joseError(JoseError::AlgNone, QStringLiteral("unsecured JWS (\"alg\":\"%1\") is never accepted").arg(alg));

    for (const char *embedded : {"jwk", "jku", "x5u", "x5c"}) {
        if (header.contains(headerKey(embedded)))
            return joseError(JoseError::EmbeddedKey,
                             QStringLiteral("header parameter \"%1\" supplies its own key; keys come only from the trusted key set")
                                 .arg(QLatin1String(embedded)));
    }
    if (const auto crit = header.constFind(headerKey("crit")); crit != header.constEnd()) {
        // RFC 7515 §4.1.11: we implement no extension, so any listed one is unknown to us.
        if (!crit->isArray() || crit->toArray().isEmpty())
            return joseError(JoseError::Malformed, QStringLiteral("\"crit\" must be a non-empty array"));
        QStringList names;
        for (const QJsonValue &v : crit->toArray())
            names.append(v.isString() ? v.toString() : QStringLiteral("<non-string>"));
        return joseError(JoseError::UnknownCrit, QStringLiteral("critical header extension(s) not understood: %1").arg(names.join(QStringLiteral(", "))));
    }
    if (alg.startsWith(QLatin1String("HS"), Qt::CaseInsensitive))
        return joseError(JoseError::AlgConfusion,
                         QStringLiteral("HMAC algorithm %1 with a public-key verification set (algorithm confusion)").arg(alg));
    if (!policy.allowedAlgorithms.contains(alg))
        return joseError(JoseError::AlgNotAllowed, QStringLiteral("algorithm %1 is not allowed here (allowed: %2)")
                                                       .arg(alg, policy.allowedAlgorithms.join(QStringLiteral(", "))));
    const QJsonValue typ = header.value(headerKey("typ"));
    // RFC 7515 §4.1.9: a media type, compared case-insensitively, "application/" optional.
    QString type = typ.toString();
    if (type.startsWith(QLatin1String("application/"), Qt::CaseInsensitive))
        type = type.mid(12);
    const QString found = typ.isString() ? QLatin1Char('"') + typ.toString() + QLatin1Char('"') : QStringLiteral("absent");
    if (!policy.requiredType.isEmpty()) {
        if (!typ.isString() || type.compare(policy.requiredType, Qt::CaseInsensitive) != 0)
            return joseError(JoseError::WrongType, QStringLiteral("\"typ\" must be \"%1\", not %2").arg(policy.requiredType, found));
    } else if (!policy.optionalTypes.isEmpty() && !typ.isUndefined()) {
        if (!typ.isString() || !policy.optionalTypes.contains(type, Qt::CaseInsensitive))
            return joseError(JoseError::WrongType, QStringLiteral("\"typ\" must be absent or \"%1\", not %2: this is not that kind of token")
                                                       .arg(policy.optionalTypes.join(QStringLiteral("\", \"")), found));
    }
    return {};
}

} // namespace

Result<VerifiedJws> JwsVerifier::verify(QByteArrayView token) const
{
    const qsizetype firstDot = token.size() <= m_policy.maxTokenBytes ? token.indexOf('.') : -1;
    if (firstDot > 0) {
        std::optional<KnownHeader> known;
        {
            std::lock_guard lock(m_known->mutex);
            const auto it = m_known->byPart.constFind(QByteArray::fromRawData(token.data(), firstDot));
            if (it != m_known->byPart.constEnd())
                known = it.value();
        }
        if (known) {
            // The signature is checked on the caller's bytes: no copy of the token is kept.
            auto parts = CompactJws::partsWithKnownHeader(token, m_policy.maxTokenBytes);
            if (!parts)
                return parts.error();
            if (parts->signature.isEmpty())
                return joseError(JoseError::Malformed, QStringLiteral("the JWS signature is empty"));
            // The key set never changes, so the key found for this header then is the one now.
            const Jwks::Entry &entry = m_keys.entries().at(known->keyIndex);
            if (Status s = entry.key->verify(known->alg, parts->signingInput, parts->signature); !s)
                return s.error();
            return VerifiedJws{std::move(known->header), std::move(parts->payload), std::move(known->alg), std::move(known->kid)};
        }
    }
    auto jws = CompactJws::parse(token, m_policy.maxTokenBytes);
    if (!jws)
        return jws.error();
    const qsizetype headerLength = jws->signingInput().indexOf('.');
    const QJsonObject &header = jws->header();
    VerifiedJws out;
    if (Status s = checkHeader(header, m_policy, out.alg); !s)
        return s.error();
    if (jws->signature().isEmpty())
        return joseError(JoseError::Malformed, QStringLiteral("the JWS signature is empty"));

    // An empty kid names no key: it is read as none (the one-usable-key rule below applies), not
    // looked up, where it would pick the first key that has no kid, past that rule.
    const QJsonValue named = header.value(headerKey("kid"));
    const QJsonValue kid = named.isString() && named.toString().isEmpty() ? QJsonValue(QJsonValue::Undefined) : named;
    const Jwks::Entry *entry = nullptr;
    if (kid.isString()) {
        out.kid = kid.toString();
        entry = m_keys.find(out.kid);
        if (!entry)
            return joseError(JoseError::UnknownKid, QStringLiteral("no key with kid \"%1\" in the trusted key set").arg(out.kid));
    } else if (!kid.isUndefined()) {
        return joseError(JoseError::Malformed, QStringLiteral("\"kid\" must be a string"));
    } else if (m_policy.requireKid) {
        return joseError(JoseError::MissingKid, QStringLiteral("JWS header has no \"kid\""));
    } else {
        // No kid: acceptable only when exactly one usable key fits the algorithm.
        for (const Jwks::Entry &candidate : m_keys.entries()) {
            if (candidate.key && candidate.key->algorithm() == out.alg) {
                if (entry)
                    return joseError(JoseError::MissingKid, QStringLiteral("JWS header has no \"kid\" and several keys fit %1").arg(out.alg));
                entry = &candidate;
            }
        }
        if (!entry)
            return joseError(JoseError::UnknownKid, QStringLiteral("no key for %1 in the trusted key set").arg(out.alg));
    }
    if (!entry->key)
        return joseError(JoseError::KeyNotUsable, QStringLiteral("key \"%1\" cannot be used: %2").arg(entry->kid, entry->problem));
    if (Status s = entry->key->verify(out.alg, jws->signingInput(), jws->signature()); !s)
        return s.error();
    out.header = header;
    out.payload = jws->payload();
    {
        std::lock_guard lock(m_known->mutex);
        if (m_known->byPart.size() >= kMaxKnownHeaders)
            m_known->byPart.clear();
        const qsizetype keyIndex = entry - m_keys.entries().constData();
        m_known->byPart.insert(token.first(headerLength).toByteArray(), KnownHeader{header, out.alg, out.kid, keyIndex});
    }
    return out;
}

} // namespace mandate::crypto
