// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AuditExport.h"
#include "broker/JwksFetcher.h"
#include "broker/TrustedIssuers.h"
#include "common/Result.h"

#include <QHostAddress>
#include <QStringList>

namespace mandate::gateway {

/// mandated's settings, from an INI config file (--config) overridden by flags.
struct GatewayOptions
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 8443;
    QString dataDir;
    QString databasePath;  ///< --database / [gateway] database; default DATA/mandate.db
    QString keyDir;        ///< --key-dir / [gateway] key-dir: the broker's signing keys; default DATA/keys
    /// --upstream-credentials / [gateway] upstream-credentials: the headers tools' upstreams are
    /// called with (firewall::UpstreamCredentials); default DATA/upstream-credentials
    QString upstreamCredentialsDir;
    QString gatewayId;
    QString tlsCertificate;
    QString tlsKey;
    bool demo = false;
    bool devIdentityProvider = false; ///< --dev-idp / [broker] dev-idp: refused outside demo mode
    QString trustedIssuersFile;       ///< [broker] trusted-issuers: JSON list of IdPs and their JWKS
    // How the jwks_uri of a trusted issuer is fetched ([broker] jwks-timeout-ms, jwks-max-bytes,
    // jwks-min-cache-secs, jwks-max-cache-secs, jwks-refetch-interval-secs).
    broker::JwksFetcher::Options jwksFetch;
    /// What trusted issuers' ID tokens must satisfy ([broker] id-token-audience,
    /// id-token-clock-skew-secs, id-token-max-lifetime-secs, id-token-max-age-secs).
    broker::TrustedIssuers::Rules idTokens{QStringLiteral("mandate")};
    qsizetype maxBodyBytes = 1 << 20;
    qsizetype maxHeaderBytes = 32 << 10;  ///< request line and headers
    int maxConnections = 512;
    int idleTimeoutMs = 30'000;
    int upstreamTimeoutMs = 10'000;
    int toolWorkers = 64;            ///< threads that run tool calls (each waits for its upstream)
    int upstreamCallsInFlight = 16;  ///< per upstream origin, fewer than toolWorkers (firewall::UpstreamAdmission)
    int executionCallsPerMinute = 600;
    AuditExportOptions auditExport;  ///< [audit] jsonl-file, otlp-endpoint, otlp-authorization, otlp-spool-max-bytes
    bool testClock = false;           ///< --test-clock: POST /v1/dev/clock moves time (demo mode only)

    /// Parses the command line (and the config file it names). Errors name the bad flag or key.
    static Result<GatewayOptions> fromArguments(const QStringList &arguments);
    static Result<std::pair<QHostAddress, quint16>> parseListen(const QString &text);
};

} // namespace mandate::gateway
