// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "crypto/Jwks.h"
#include "crypto/TokenVerifier.h"

#include <QMap>
#include <QStringList>

#include <memory>
#include <shared_mutex>

namespace mandate::broker {

/// The identity providers whose ID tokens may start a delegation: issuer → its JWKS. Tokens are
/// verified with crypto::TokenVerifier under JwsPolicy::idTokens() (EdDSA, ES256, RS256), with
/// the exact issuer, our audience and a bounded clock skew.
///
/// Keys come from a JWKS given in code or from a file; fetching a JWKS URL (with caching) is not
/// implemented: operators mirror the IdP's JWKS into a file and reload. Thread-safe.
class TrustedIssuers
{
public:
    TrustedIssuers(const Clock &clock, QString audience, qint64 clockSkewSecs = 60);
    Q_DISABLE_COPY_MOVE(TrustedIssuers)

    /// Trusts `issuer` with these keys (replacing earlier keys of the same issuer).
    void trust(const QString &issuer, const crypto::Jwks &keys);
    void distrust(const QString &issuer);
    /// Loads {"issuers":[{"issuer":"https://idp.example","jwks_file":"idp.jwks.json"} |
    /// {"issuer":"…","jwks":{"keys":[…]}}]}; relative jwks_file paths are relative to the file.
    /// All or nothing: on any error nothing changes.
    Status loadFile(const QString &path);

    bool isTrusted(const QString &issuer) const;
    QStringList issuers() const;

    /// Verifies an ID token: its (unverified) "iss" selects the issuer, then signature, header
    /// policy and claims are checked against that issuer's keys. Codes: "untrusted_issuer",
    /// and those of crypto::TokenVerifier (bad_signature, expired, wrong_audience, ...).
    Result<crypto::VerifiedToken> verify(QByteArrayView idToken) const;

private:
    const Clock &m_clock;
    QString m_audience;
    qint64 m_skew;
    mutable std::shared_mutex m_mutex;
    QMap<QString, std::shared_ptr<crypto::TokenVerifier>> m_verifiers;
};

} // namespace mandate::broker
