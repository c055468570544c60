// SPDX-License-Identifier: Apache-2.0
#include "crypto/ClaimsValidator.h"

#include "crypto/JoseError.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mandate::crypto {

ClaimsValidator::ClaimsValidator(ClaimsPolicy policy, const Clock &clock) : m_policy(std::move(policy)), m_clock(clock)
{
    m_policy.clockSkewSecs = std::clamp<qint64>(m_policy.clockSkewSecs, 0, ClaimsPolicy::kMaxClockSkewSecs);
}

namespace {

/// A NumericDate (RFC 7519 §2): a JSON number of seconds; fractions are truncated.
/// Returns false (and sets error) when present but not a sane number.
bool numericDate(const json::ObjectText &claims, const char *name, std::optional<qint64> &out, std::optional<Error> &error)
{
    const QJsonValue v = claims.value(QLatin1String(name));
    if (v.isUndefined())
        return true;
    const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
    if (!v.isDouble() || !std::isfinite(d) || d < 0 || d > 1e13) {
        error = joseError(JoseError::InvalidClaim, QStringLiteral("claim \"%1\" must be a NumericDate").arg(QLatin1String(name)));
        return false;
    }
    const qint64 i = v.toInteger(std::numeric_limits<qint64>::min());
    out = i != std::numeric_limits<qint64>::min() ? i : qint64(std::floor(d));
    return true;
}

QString when(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

Status ClaimsValidator::validate(const json::ObjectText &claims) const
{
    std::optional<Error> error;
    std::optional<qint64> exp, nbf, iat;
    if (!numericDate(claims, "exp", exp, error) || !numericDate(claims, "nbf", nbf, error)
        || !numericDate(claims, "iat", iat, error))
        return *error;
    const qint64 now = m_clock.nowSecs();
    const qint64 skew = m_policy.clockSkewSecs;

    if (!exp && m_policy.requireExpiry)
        return joseError(JoseError::MissingClaim, QStringLiteral("token has no \"exp\" claim"));
    if (!iat && (m_policy.requireIssuedAt || m_policy.maxAgeSecs > 0))
        return joseError(JoseError::MissingClaim, QStringLiteral("token has no \"iat\" claim"));
    if (exp && now >= *exp + skew)
        return joseError(JoseError::Expired, QStringLiteral("token expired at %1 (now %2, clock skew %3 s)")
                                                 .arg(when(*exp), when(now)).arg(skew));
    if (nbf && now + skew < *nbf)
        return joseError(JoseError::NotYetValid, QStringLiteral("token not valid before %1 (now %2, clock skew %3 s)")
                                                     .arg(when(*nbf), when(now)).arg(skew));
    if (iat && now + skew < *iat)
        return joseError(JoseError::NotYetValid, QStringLiteral("token issued in the future, at %1 (now %2, clock skew %3 s)")
                                                     .arg(when(*iat), when(now)).arg(skew));
    if (m_policy.maxAgeSecs > 0 && now - *iat > m_policy.maxAgeSecs + skew)
        return joseError(JoseError::Expired, QStringLiteral("token issued at %1 is older than the maximum age of %2 s (now %3, clock skew %4 s)")
                                                 .arg(when(*iat)).arg(m_policy.maxAgeSecs).arg(when(now)).arg(skew));
    if (m_policy.maxLifetimeSecs > 0 && exp) {
        const std::optional<qint64> start = nbf ? nbf : iat;
        if (!start)
            return joseError(JoseError::MissingClaim, QStringLiteral("token lifetime cannot be bounded without \"iat\" or \"nbf\""));
        if (*exp - *start > m_policy.maxLifetimeSecs)
            return joseError(JoseError::InvalidClaim, QStringLiteral("token lifetime of %1 s exceeds the maximum of %2 s")
                                                          .arg(*exp - *start).arg(m_policy.maxLifetimeSecs));
    }

    if (!m_policy.issuer.isEmpty()) {
        const QJsonValue iss = claims.value(QLatin1String("iss"));
        if (!iss.isString())
            return joseError(iss.isUndefined() ? JoseError::MissingClaim : JoseError::InvalidClaim,
                             QStringLiteral("token has no \"iss\" string; expected \"%1\"").arg(m_policy.issuer));
        if (iss.toString() != m_policy.issuer)
            return joseError(JoseError::WrongIssuer, QStringLiteral("issuer \"%1\" is not the expected \"%2\"").arg(iss.toString(), m_policy.issuer));
    }
    if (!m_policy.audience.isEmpty()) {
        const QJsonValue aud = claims.value(QLatin1String("aud"));
        bool found = false;
        if (aud.isString()) {
            found = aud.toString() == m_policy.audience;
        } else if (aud.isArray()) {
            for (const QJsonValue &v : aud.toArray()) {
                if (!v.isString())
                    return joseError(JoseError::InvalidClaim, QStringLiteral("\"aud\" array holds a non-string"));
                found = found || v.toString() == m_policy.audience;
            }
        } else if (aud.isUndefined()) {
            return joseError(JoseError::MissingClaim, QStringLiteral("token has no \"aud\" claim; expected \"%1\"").arg(m_policy.audience));
        } else {
            return joseError(JoseError::InvalidClaim, QStringLiteral("\"aud\" must be a string or an array of strings"));
        }
        if (!found)
            return joseError(JoseError::WrongAudience, QStringLiteral("token is not for audience \"%1\"").arg(m_policy.audience));
        if (m_policy.checkAuthorizedParty) {
            const QJsonValue azp = claims.value(QLatin1String("azp"));
            if (!azp.isUndefined() && !azp.isString())
                return joseError(JoseError::InvalidClaim, QStringLiteral("\"azp\" must be a string"));
            if (azp.isString() && azp.toString() != m_policy.audience)
                return joseError(JoseError::WrongAudience, QStringLiteral("token was issued to \"%1\" (azp), not to \"%2\"")
                                                               .arg(azp.toString(), m_policy.audience));
            if (azp.isUndefined() && aud.isArray() && aud.toArray().size() > 1)
                return joseError(JoseError::MissingClaim, QStringLiteral("a token for several audiences must say in \"azp\" which one it was issued to"));
        }
    }
    return {};
}

qint64 ClaimsValidator::acceptedUntil(const json::ObjectText &claims) const
{
    std::optional<Error> error;
    std::optional<qint64> exp, iat;
    qint64 until = std::numeric_limits<qint64>::max();
    if (numericDate(claims, "exp", exp, error) && exp)
        until = *exp + m_policy.clockSkewSecs;
    // A cached token must stop at its maximum age too, not only at its expiry.
    if (m_policy.maxAgeSecs > 0 && numericDate(claims, "iat", iat, error) && iat)
        until = std::min(until, *iat + m_policy.maxAgeSecs + m_policy.clockSkewSecs + 1);
    return until;
}

} // namespace mandate::crypto
