// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "json/ObjectText.h"

#include <functional>

namespace mandate::crypto {

/// What a JWT's registered claims (RFC 7519 §4.1) must satisfy.
struct ClaimsPolicy
{
    static constexpr qint64 kMaxClockSkewSecs = 300;

    QString issuer;             ///< required "iss" (exact match); empty: not checked
    QString audience;           ///< must appear in "aud" (string or array); empty: not checked
    qint64 clockSkewSecs = 60;  ///< tolerance for exp / nbf / iat, clamped to [0, kMaxClockSkewSecs]
    bool requireExpiry = true;  ///< "exp" must be present
    bool requireIssuedAt = false;
    qint64 maxLifetimeSecs = 0; ///< when > 0: exp - (nbf or iat) must not exceed it
    qint64 maxAgeSecs = 0;      ///< when > 0: "iat" is required and must be at most this old
    /// OpenID Connect Core §3.1.3.7: "azp", when present, must be the audience, and a token for
    /// several audiences must name the party it was issued to.
    bool checkAuthorizedParty = false;
    /// When set: reads the claim its caller looks the token up by on every use (the broker: the
    /// execution an access token names) once, when the token is first verified, into
    /// VerifiedToken::handle; a token it refuses is refused with its error, and never cached.
    std::function<Result<QString>(const json::ObjectText &claims)> handleOf;
};

/// Checks exp / nbf / iat against an injected Clock (bounded skew), iss and aud.
/// Codes: expired, not_yet_valid, wrong_issuer, wrong_audience, missing_claim, invalid_claim.
/// With checkAuthorizedParty, "azp" naming another party is wrong_audience.
class ClaimsValidator
{
public:
    ClaimsValidator(ClaimsPolicy policy, const Clock &clock);

    /// Claims as json::ObjectText: a verifier reads these few without building the whole tree.
    Status validate(const json::ObjectText &claims) const;
    /// The time (seconds since the epoch) after which validate() will fail with "expired",
    /// i.e. exp + skew; max qint64 when there is no exp. Used to expire cache entries.
    qint64 acceptedUntil(const json::ObjectText &claims) const;

    const ClaimsPolicy &policy() const { return m_policy; }
    const Clock &clock() const { return m_clock; }

private:
    ClaimsPolicy m_policy;
    const Clock &m_clock;
};

} // namespace mandate::crypto
