// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "broker/JwksFetcher.h"
#include "common/Clock.h"
#include "common/Result.h"
#include "crypto/HashedToken.h"
#include "crypto/Jwks.h"
#include "crypto/TokenVerifier.h"

#include <QHash>
#include <QMap>
#include <QStringList>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>

namespace mandate::broker {

/// The identity providers whose ID tokens may start a delegation: issuer → its JWKS. Tokens are
/// verified with crypto::TokenVerifier under JwsPolicy::idTokens() (EdDSA, ES256, RS256), with
/// the exact issuer, our audience and a bounded clock skew.
///
/// Keys come from a JWKS given in code, from a file, or from the issuer's JWKS URL (JwksFetcher:
/// cached per Cache-Control within bounds, refetched, rate-limited, when a token names an
/// unknown kid). Thread-safe.
///
/// An agent presents the same ID token for every exchange while it is valid, so the issuer of
/// a token that verified is remembered by the token's SHA-256 (bounded): the token then goes
/// straight to that issuer's verifier (which checks it again, from its own cache) instead of
/// being decoded first just to read "iss". Same bytes, same "iss", same issuer: nothing else
/// changes, and a distrusted issuer is looked up by name each time, so it stops at once.
class TrustedIssuers
{
public:
    static constexpr qsizetype kRememberedTokens = 4096;

    /// What an ID token must satisfy beyond its signature, for every issuer.
    struct Rules
    {
        QString audience;             ///< "aud" must hold it (and "azp", if any, be it); an issuer may name its own
        qint64 clockSkewSecs = 60;    ///< clamped to crypto::ClaimsPolicy::kMaxClockSkewSecs
        /// A leaked ID token is a bearer credential for a root delegation: however long its issuer
        /// made it live, it is refused once this old, or when it was made to live longer.
        qint64 maxLifetimeSecs = 24 * 3600;
        qint64 maxAgeSecs = 24 * 3600;
    };

    TrustedIssuers(const Clock &clock, QString audience, qint64 clockSkewSecs = 60);
    TrustedIssuers(const Clock &clock, Rules rules);
    ~TrustedIssuers();
    Q_DISABLE_COPY_MOVE(TrustedIssuers)

    /// Trusts `issuer` with these keys (replacing earlier keys of the same issuer); `audience`
    /// empty: Rules::audience.
    void trust(const QString &issuer, const crypto::Jwks &keys, const QString &audience = {});
    /// Trusts `issuer` with the keys at a JWKS URL (options.url), fetched on first use. Code
    /// "invalid" for a URL JwksFetcher refuses.
    Status trustJwksUrl(const QString &issuer, const JwksFetcher::Options &options);
    void distrust(const QString &issuer);
    /// Fetch settings for the jwks_uri entries of loadFile (the URL itself comes from the file).
    void setFetchDefaults(const JwksFetcher::Options &defaults);
    /// Loads {"issuers":[{"issuer":"https://idp.example","jwks_file":"idp.jwks.json"} |
    /// {"issuer":"…","jwks":{"keys":[…]}} | {"issuer":"…","jwks_uri":"https://idp.example/jwks"}]};
    /// relative jwks_file paths are relative to the file. An entry may add "audience": the client
    /// id this issuer puts in "aud" for the gateway (default Rules::audience). Unknown members are
    /// refused, so that a misspelt one is not silently ignored. All or nothing: on any error
    /// nothing changes.
    Status loadFile(const QString &path);

    /// Fetches the keys of every issuer trusted by URL that has none, one after another, each
    /// blocking for at most its fetch timeout, until `stop` is requested; returns how many
    /// issuers have keys now. For the gateway's start, on a thread of its own: the first exchange
    /// then need not wait for a fetch, and an IdP that cannot be reached shows in the log at once
    /// (JwksFetcher logs each fetch). A failure here does not hold off the first exchange's own
    /// fetch (JwksFetcher::prefetch()).
    int prefetch(std::stop_token stop = {}) const;

    bool isTrusted(const QString &issuer) const;
    QStringList issuers() const;

    /// Verifies an ID token: its (unverified) "iss" selects the issuer, then signature, header
    /// policy and claims are checked against that issuer's keys. Codes: "untrusted_issuer",
    /// "jwks_unavailable" (fetched keys expired and cannot be refreshed), and those of
    /// crypto::TokenVerifier (bad_signature, unknown_kid, expired, wrong_audience, ...).
    Result<crypto::VerifiedToken> verify(QByteArrayView idToken) const;

private:
    struct Issuer;
    std::shared_ptr<Issuer> makeIssuer(const QString &issuer, const crypto::Jwks &keys, const QString &audience = {}) const;
    void install(const QString &issuer, std::shared_ptr<Issuer> entry);
    static Result<crypto::VerifiedToken> verifyFetched(Issuer &issuer, const crypto::HashedToken &idToken);

    const Clock &m_clock;
    const Rules m_rules;
    mutable std::shared_mutex m_mutex;
    QMap<QString, std::shared_ptr<Issuer>> m_issuers;
    JwksFetcher::Options m_fetchDefaults;
    mutable std::mutex m_tokensMutex;
    mutable QHash<QByteArray, QString> m_issuerOfToken;  ///< SHA-256 of a verified token → its issuer
};

} // namespace mandate::broker
