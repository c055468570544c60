// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "crypto/Ed25519Key.h"
#include "crypto/Jwks.h"

#include <QString>

namespace mandate::broker {

/// DEVELOPMENT ONLY. A stand-in identity provider for demos and tests: it signs an OIDC-style ID
/// token for any user id it is asked for, with an Ed25519 key kept in DATA_DIR/dev-idp/
/// (directory 0700, key file 0600). Anyone who can read that directory can impersonate every
/// human whose issuer is kIssuer, so a gateway outside demo mode refuses to start with it.
class DevIdentityProvider
{
public:
    static constexpr const char *kIssuer = "urn:mandate:dev-idp";
    static constexpr const char *kAudience = "mandate";
    static constexpr qint64 kDefaultTtlSecs = 300;

    /// `dataDir` is the gateway's data directory; the key lives in its dev-idp/ folder.
    DevIdentityProvider(QString dataDir, const Clock &clock);

    enum class Mode { OpenExisting, CreateIfMissing };
    /// Loads the key; with CreateIfMissing generates and stores it on first use.
    Status open(Mode mode);

    /// {iss, sub=<userId>, aud="mandate", iat, exp, name} signed EdDSA with typ "JWT".
    Result<QByteArray> issueIdToken(const QString &userId, const QString &name = {},
                                    qint64 ttlSecs = kDefaultTtlSecs) const;
    crypto::Jwks publicKeys() const;
    QString keyPath() const;

private:
    QString m_dir;
    const Clock &m_clock;
    crypto::Ed25519Key m_key;
    QString m_kid;
};

} // namespace mandate::broker
