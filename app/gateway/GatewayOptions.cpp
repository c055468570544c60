// SPDX-License-Identifier: Apache-2.0
#include "GatewayOptions.h"

#include "crypto/ClaimsValidator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QSettings>

#include <algorithm>
#include <limits>
#include <tuple>

namespace mandate::gateway {

namespace {

constexpr int kMaxToolWorkers = 1024;

/// A string setting; QSettings reads an unquoted value with a comma as a list, which must not
/// turn into an empty string silently.
Result<QString> stringSetting(const QSettings &settings, const QString &path, const QString &key)
{
    const QVariant value = settings.value(key);
    if (value.typeId() == QMetaType::QStringList)
        return Error{QStringLiteral("usage"), QStringLiteral("%1: %2 holds a comma: put the value in double quotes").arg(path, key)};
    return value.toString();
}

/// An integer setting from `least` to `most` (the type's largest when not given); left as it
/// is when absent.
template <typename Int>
Status integerSetting(const QSettings &settings, const QString &path, const char *key, Int &target, qint64 least,
                      qint64 most = std::numeric_limits<Int>::max())
{
    const QVariant value = settings.value(QLatin1String(key));
    if (!value.isValid())
        return Status::success();
    bool ok = false;
    const qint64 read = value.toLongLong(&ok);
    if (!ok || read < least || read > most) {
        const bool unbounded = most == qint64(std::numeric_limits<Int>::max());
        const QString rule = unbounded && least == 1 ? QStringLiteral("a positive integer")
                             : unbounded            ? QStringLiteral("an integer of at least %1").arg(least)
                                                    : QStringLiteral("an integer from %1 to %2").arg(least).arg(most);
        return Error{QStringLiteral("usage"), QStringLiteral("%1: %2 must be %3").arg(path, QLatin1String(key), rule)};
    }
    target = Int(read);
    return Status::success();
}

/// The [broker] jwks-* keys: how trusted issuers' jwks_uri are fetched and cached.
Status readJwksFetchSettings(const QSettings &settings, const QString &path, broker::JwksFetcher::Options &fetch)
{
    for (const auto &[key, target] : {std::pair{"broker/jwks-max-bytes", &fetch.maxBytes},
                                      std::pair{"broker/jwks-min-cache-secs", &fetch.minCacheSecs},
                                      std::pair{"broker/jwks-max-cache-secs", &fetch.maxCacheSecs},
                                      std::pair{"broker/jwks-refetch-interval-secs", &fetch.refetchIntervalSecs}}) {
        if (Status read = integerSetting(settings, path, key, *target, 1); !read)
            return read;
    }
    if (Status read = integerSetting(settings, path, "broker/jwks-timeout-ms", fetch.timeoutMs, 1); !read)
        return read;
    if (fetch.minCacheSecs > fetch.maxCacheSecs)
        return Error{QStringLiteral("usage"), QStringLiteral("%1: broker/jwks-min-cache-secs exceeds broker/jwks-max-cache-secs").arg(path)};
    fetch.defaultCacheSecs = std::clamp(fetch.defaultCacheSecs, fetch.minCacheSecs, fetch.maxCacheSecs);
    return Status::success();
}

/// The [broker] id-token-* keys: what a trusted issuer's ID token must satisfy.
Status readIdTokenSettings(const QSettings &settings, const QString &path, broker::TrustedIssuers::Rules &rules)
{
    if (const QVariant value = settings.value(QStringLiteral("broker/id-token-audience")); value.isValid()) {
        Result<QString> audience = stringSetting(settings, path, QStringLiteral("broker/id-token-audience"));
        if (!audience)
            return audience.error();
        rules.audience = audience.value();
        if (rules.audience.isEmpty())
            return Error{QStringLiteral("usage"), QStringLiteral("%1: broker/id-token-audience must not be empty").arg(path)};
    }
    constexpr qint64 kThirtyDays = 30 * 24 * 3600;
    for (const auto &[key, target, least, most] :
         {std::tuple{"broker/id-token-clock-skew-secs", &rules.clockSkewSecs, qint64(0), crypto::ClaimsPolicy::kMaxClockSkewSecs},
          std::tuple{"broker/id-token-max-lifetime-secs", &rules.maxLifetimeSecs, qint64(1), kThirtyDays},
          std::tuple{"broker/id-token-max-age-secs", &rules.maxAgeSecs, qint64(1), kThirtyDays}}) {
        if (Status read = integerSetting(settings, path, key, *target, least, most); !read)
            return read;
    }
    return Status::success();
}

/// The [audit] keys: the continuous exports of the audit log.
Status readAuditExportSettings(const QSettings &settings, const QString &path, AuditExportOptions &exports)
{
    Result<QString> jsonLinesFile = stringSetting(settings, path, QStringLiteral("audit/jsonl-file"));
    Result<QString> endpointText = stringSetting(settings, path, QStringLiteral("audit/otlp-endpoint"));
    Result<QString> authorization = stringSetting(settings, path, QStringLiteral("audit/otlp-authorization"));
    for (const Result<QString> *read : {&jsonLinesFile, &endpointText, &authorization}) {
        if (!*read)
            return read->error();
    }
    exports.jsonLinesFile = jsonLinesFile.value();
    if (const QString endpoint = endpointText.value(); !endpoint.isEmpty()) {
        exports.otlpEndpoint = QUrl(endpoint, QUrl::StrictMode);
        const QString scheme = exports.otlpEndpoint.scheme();
        if (!exports.otlpEndpoint.isValid() || exports.otlpEndpoint.host().isEmpty()
            || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
            return Error{QStringLiteral("usage"), QStringLiteral("%1: audit/otlp-endpoint must be an http or https URL").arg(path)};
        if (!exports.otlpEndpoint.userInfo().isEmpty())
            return Error{QStringLiteral("usage"), QStringLiteral("%1: audit/otlp-endpoint must not hold credentials; use audit/otlp-authorization").arg(path)};
    }
    exports.otlpAuthorization = authorization.value().toUtf8();
    if (exports.otlpAuthorization.contains('\n') || exports.otlpAuthorization.contains('\r'))
        return Error{QStringLiteral("usage"), QStringLiteral("%1: audit/otlp-authorization must be one line").arg(path)};
    // A credential goes in clear only to this machine, as jwks_uri over plain http does.
    if (!exports.otlpAuthorization.isEmpty() && exports.otlpEndpoint.scheme() == QLatin1String("http")) {
        const QString host = exports.otlpEndpoint.host();
        if (host != QLatin1String("localhost") && !QHostAddress(host).isLoopback())
            return Error{QStringLiteral("usage"), QStringLiteral("%1: audit/otlp-authorization would go in clear to %2: use an https endpoint").arg(path, host)};
    }
    return integerSetting(settings, path, "audit/otlp-spool-max-bytes", exports.otlpSpoolMaxBytes, 4096);
}

} // namespace

Result<std::pair<QHostAddress, quint16>> GatewayOptions::parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return Error{QStringLiteral("usage"), QStringLiteral("--listen expects HOST:PORT, got \"%1\"").arg(text)};
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return Error{QStringLiteral("usage"), QStringLiteral("--listen: \"%1\" is not a port").arg(text.mid(colon + 1))};
    QHostAddress address;
    if (host == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host))
        return Error{QStringLiteral("usage"), QStringLiteral("--listen: \"%1\" is not an IP address").arg(host)};
    return std::pair{address, static_cast<quint16>(port)};
}

Result<GatewayOptions> GatewayOptions::fromArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("mandated", "Mandate gateway: per-call authorization for AI agents"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption config(QStringLiteral("config"), QCoreApplication::translate("mandated", "INI configuration file."), QStringLiteral("file"));
    const QCommandLineOption listen(QStringLiteral("listen"), QCoreApplication::translate("mandated", "Address to listen on, HOST:PORT."), QStringLiteral("address"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QCoreApplication::translate("mandated", "Directory for the database and keys."), QStringLiteral("dir"));
    const QCommandLineOption database(QStringLiteral("database"), QCoreApplication::translate("mandated", "SQLite database file (default: DIR/mandate.db)."), QStringLiteral("file"));
    const QCommandLineOption keyDir(QStringLiteral("key-dir"), QCoreApplication::translate("mandated", "Directory of the broker's signing keys (default: DIR/keys); gateways sharing it share the keys."), QStringLiteral("dir"));
    const QCommandLineOption upstreamCredentials(QStringLiteral("upstream-credentials"), QCoreApplication::translate("mandated", "Directory of the credentials tools' upstreams are called with (default: DIR/upstream-credentials)."), QStringLiteral("dir"));
    const QCommandLineOption demo(QStringLiteral("demo"), QCoreApplication::translate("mandated", "Self-contained demo: demo registry, policies, development identity provider and business API."));
    const QCommandLineOption id(QStringLiteral("id"), QCoreApplication::translate("mandated", "Gateway id written into audit records."), QStringLiteral("id"));
    const QCommandLineOption cert(QStringLiteral("tls-cert"), QCoreApplication::translate("mandated", "PEM certificate chain for HTTPS."), QStringLiteral("file"));
    const QCommandLineOption key(QStringLiteral("tls-key"), QCoreApplication::translate("mandated", "PEM private key for HTTPS."), QStringLiteral("file"));
    const QCommandLineOption devIdp(QStringLiteral("dev-idp"), QCoreApplication::translate("mandated", "Trust the development identity provider (demo mode only)."));
    const QCommandLineOption maxConnections(QStringLiteral("max-connections"), QCoreApplication::translate("mandated", "Simultaneous client connections."), QStringLiteral("n"));
    const QCommandLineOption idleTimeout(QStringLiteral("idle-timeout-ms"), QCoreApplication::translate("mandated", "Drop connections idle this long."), QStringLiteral("ms"));
    const QCommandLineOption upstreamTimeout(QStringLiteral("upstream-timeout-ms"), QCoreApplication::translate("mandated", "Give up on a tool's upstream after this long."), QStringLiteral("ms"));
    const QCommandLineOption toolWorkers(QStringLiteral("tool-workers"), QCoreApplication::translate("mandated", "Threads that run tool calls."), QStringLiteral("n"));
    const QCommandLineOption upstreamInFlight(QStringLiteral("upstream-calls-in-flight"), QCoreApplication::translate("mandated", "Tool calls waiting for one upstream at once; more are answered 503."), QStringLiteral("n"));
    const QCommandLineOption executionRate(QStringLiteral("execution-calls-per-minute"), QCoreApplication::translate("mandated", "Calls per minute one execution may make."), QStringLiteral("n"));
    const QCommandLineOption testClock(QStringLiteral("test-clock"), QCoreApplication::translate("mandated", "Let tests move the gateway's clock (demo mode only)."));
    parser.addOptions({config, listen, dataDir, database, keyDir, upstreamCredentials, demo, id, cert, key, devIdp, maxConnections, idleTimeout, upstreamTimeout, toolWorkers, upstreamInFlight, executionRate, testClock});
    parser.process(arguments);  // exits with usage on --help, --version or unknown flags
    if (!parser.positionalArguments().isEmpty())
        return Error{QStringLiteral("usage"), QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first())};

    GatewayOptions options;
    options.gatewayId = QHostInfo::localHostName();
    QString listenText;
    if (parser.isSet(config)) {
        const QString path = parser.value(config);
        if (!QFileInfo(path).isReadable())
            return Error{QStringLiteral("usage"), QStringLiteral("cannot read config file %1").arg(path)};
        QSettings settings(path, QSettings::IniFormat);
        if (settings.status() != QSettings::NoError)
            return Error{QStringLiteral("usage"), QStringLiteral("config file %1 is not valid INI").arg(path)};
        listenText = settings.value(QStringLiteral("gateway/listen")).toString();
        options.devIdentityProvider = settings.value(QStringLiteral("broker/dev-idp"), false).toBool();
        options.trustedIssuersFile = settings.value(QStringLiteral("broker/trusted-issuers")).toString();
        options.dataDir = settings.value(QStringLiteral("gateway/data-dir")).toString();
        options.databasePath = settings.value(QStringLiteral("gateway/database")).toString();
        options.keyDir = settings.value(QStringLiteral("gateway/key-dir")).toString();
        options.upstreamCredentialsDir = settings.value(QStringLiteral("gateway/upstream-credentials")).toString();
        options.gatewayId = settings.value(QStringLiteral("gateway/id"), options.gatewayId).toString();
        options.tlsCertificate = settings.value(QStringLiteral("tls/certificate")).toString();
        options.tlsKey = settings.value(QStringLiteral("tls/key")).toString();
        if (Status read = integerSetting(settings, path, "limits/max-body-bytes", options.maxBodyBytes, 1); !read)
            return read.error();
        if (Status read = integerSetting(settings, path, "limits/max-header-bytes", options.maxHeaderBytes, 1024); !read)
            return read.error();
        for (const auto &[key, target] : {std::pair{"limits/max-connections", &options.maxConnections},
                                          std::pair{"limits/idle-timeout-ms", &options.idleTimeoutMs},
                                          std::pair{"limits/upstream-timeout-ms", &options.upstreamTimeoutMs},
                                          std::pair{"limits/tool-workers", &options.toolWorkers},
                                          std::pair{"limits/upstream-calls-in-flight", &options.upstreamCallsInFlight},
                                          std::pair{"limits/execution-calls-per-minute", &options.executionCallsPerMinute}}) {
            if (Status read = integerSetting(settings, path, key, *target, 1); !read)
                return read.error();
        }
        if (Status s = readJwksFetchSettings(settings, path, options.jwksFetch); !s)
            return s.error();
        if (Status s = readIdTokenSettings(settings, path, options.idTokens); !s)
            return s.error();
        if (Status s = readAuditExportSettings(settings, path, options.auditExport); !s)
            return s.error();
    }
    if (parser.isSet(listen))
        listenText = parser.value(listen);
    if (!listenText.isEmpty()) {
        auto parsed = parseListen(listenText);
        if (!parsed)
            return parsed.error();
        options.listenAddress = parsed->first;
        options.listenPort = parsed->second;
    }
    if (parser.isSet(dataDir))
        options.dataDir = parser.value(dataDir);
    if (parser.isSet(database))
        options.databasePath = parser.value(database);
    if (parser.isSet(keyDir))
        options.keyDir = parser.value(keyDir);
    if (parser.isSet(upstreamCredentials))
        options.upstreamCredentialsDir = parser.value(upstreamCredentials);
    if (parser.isSet(id))
        options.gatewayId = parser.value(id);
    if (parser.isSet(cert))
        options.tlsCertificate = parser.value(cert);
    if (parser.isSet(key))
        options.tlsKey = parser.value(key);
    options.demo = parser.isSet(demo);
    options.testClock = parser.isSet(testClock);
    for (const auto &[option, target] : {std::pair{&maxConnections, &options.maxConnections},
                                         std::pair{&idleTimeout, &options.idleTimeoutMs},
                                         std::pair{&upstreamTimeout, &options.upstreamTimeoutMs},
                                         std::pair{&toolWorkers, &options.toolWorkers},
                                         std::pair{&upstreamInFlight, &options.upstreamCallsInFlight},
                                         std::pair{&executionRate, &options.executionCallsPerMinute}}) {
        if (!parser.isSet(*option))
            continue;
        bool ok = false;
        *target = parser.value(*option).toInt(&ok);
        if (!ok || *target <= 0)
            return Error{QStringLiteral("usage"), QStringLiteral("--%1 must be a positive integer").arg(option->names().first())};
    }
    // Each worker holds a database connection; one upstream must leave workers to the others.
    if (options.toolWorkers > kMaxToolWorkers)
        return Error{QStringLiteral("usage"), QStringLiteral("tool-workers must be at most %1").arg(kMaxToolWorkers)};
    if (options.upstreamCallsInFlight >= options.toolWorkers)
        return Error{QStringLiteral("usage"), QStringLiteral("upstream-calls-in-flight (%1) must be less than tool-workers (%2): "
                                                             "one stalled upstream would otherwise hold every worker")
                                                  .arg(options.upstreamCallsInFlight).arg(options.toolWorkers)};
    options.devIdentityProvider = options.devIdentityProvider || parser.isSet(devIdp) || options.demo;
    if (options.dataDir.isEmpty())
        return Error{QStringLiteral("usage"), QStringLiteral("--data-dir is required")};
    if (options.databasePath.isEmpty())
        options.databasePath = QDir(options.dataDir).filePath(QStringLiteral("mandate.db"));
    if (options.keyDir.isEmpty())
        options.keyDir = QDir(options.dataDir).filePath(QStringLiteral("keys"));
    if (options.upstreamCredentialsDir.isEmpty())
        options.upstreamCredentialsDir = QDir(options.dataDir).filePath(QStringLiteral("upstream-credentials"));
    if (options.tlsCertificate.isEmpty() != options.tlsKey.isEmpty())
        return Error{QStringLiteral("usage"), QStringLiteral("--tls-cert and --tls-key go together")};
    return options;
}

} // namespace mandate::gateway
