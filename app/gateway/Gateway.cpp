// SPDX-License-Identifier: Apache-2.0
#include "Gateway.h"

#include "BrokerAuthority.h"
#include "DemoSetup.h"
#include "EventStream.h"
#include "ExpirySweeper.h"
#include "FirstAdminKey.h"
#include "GuardedTcpServer.h"
#include "HttpFrontend.h"
#include "Resources.h"

#include "api/ApiKeyStore.h"
#include "api/AuditEndpoints.h"
#include "api/DemoBusinessApi.h"
#include "api/EnforcementEndpoints.h"
#include "api/PolicyEndpoints.h"
#include "api/EventBus.h"
#include "api/GatewayApi.h"
#include "api/Metrics.h"
#include "api/SimulateEndpoints.h"
#include "audit/AuditLog.h"
#include "broker/DelegationBroker.h"
#include "broker/DevIdentityProvider.h"
#include "broker/OAuthClientStore.h"
#include "broker/TrustedIssuers.h"
#include "common/Logging.h"
#include "crypto/Ed25519Key.h"
#include "crypto/KeyRing.h"
#include "firewall/DecisionPipeline.h"
#include "firewall/RateLimiter.h"
#include "firewall/ToolFirewall.h"
#include "policy/EntityUid.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"
#include "session/ChargeLedger.h"
#include "session/ExecutionStore.h"
#include "session/SessionRecorder.h"
#include "store/Database.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSslKey>
#include <QTimer>

#include <system_error>
#include <thread>

namespace mandate::gateway {

/// Everything the gateway runs, in construction order (destroyed in reverse).
struct Gateway::Services
{
    std::unique_ptr<store::Database> database;
    std::unique_ptr<registry::Registry> registry;
    std::unique_ptr<registry::PolicyStore> policies;
    std::unique_ptr<api::ApiKeyStore> keys;
    std::unique_ptr<crypto::KeyRing> keyRing;
    std::unique_ptr<session::ExecutionStore> executions;
    std::unique_ptr<session::SessionRecorder> sessionRecorder;
    std::unique_ptr<session::ChargeLedger> ledger;
    std::unique_ptr<broker::OAuthClientStore> clients;
    std::unique_ptr<broker::TrustedIssuers> issuers;
    /// Fetches the issuers' keys at start (TrustedIssuers::prefetch()); asked to stop and joined
    /// before `issuers` goes, which waits at most for the fetch in flight (its timeout).
    std::jthread issuerPrefetch;
    std::unique_ptr<broker::DevIdentityProvider> devIdp;
    std::unique_ptr<broker::DelegationBroker> broker;
    std::unique_ptr<audit::AuditLog> audit;
    std::unique_ptr<AuditExport> auditExport;
    std::unique_ptr<api::EventBus> events;
    std::unique_ptr<BrokerAuthority> authority;
    std::unique_ptr<firewall::RateLimiter> limiter;
    std::unique_ptr<firewall::DecisionPipeline> pipeline;
    std::shared_ptr<firewall::UpstreamCredentials> upstreamCredentials;
    std::unique_ptr<firewall::ToolFirewall> firewall;
    std::unique_ptr<api::Metrics> metrics;
    std::unique_ptr<api::GatewayApi> api;
    std::unique_ptr<api::EnforcementEndpoints> enforcement;
    std::unique_ptr<api::DemoBusinessApi> demoBusiness;
    std::unique_ptr<HttpFrontend> frontend;
    GuardedTcpServer *tcp = nullptr;  ///< owned by the frontend once bound
    std::unique_ptr<EventStream> eventStream;
    std::unique_ptr<ExpirySweeper> sweeper;
    QTimer expiry;

    ~Services()
    {
        if (executions)
            executions->setPendingRisk(nullptr);  // its source, the session recorder, goes first
    }
};

namespace {

constexpr int DrainGraceMs = 5'000;  ///< beyond the upstream timeout, for answers to be written
constexpr int DrainPollMs = 10;

/// The key that seals the audit chain's head, kept beside the database (0600).
Result<crypto::Ed25519Key> sealingKey(const QString &dataDir)
{
    const QString path = QDir(dataDir).filePath(QStringLiteral("audit-seal.key"));
    QFile file(path);
    if (file.exists()) {
        if ((file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)) != 0)
            return Error{QStringLiteral("insecure"), QStringLiteral("%1 is readable by others; refusing to use it").arg(path)};
        if (!file.open(QIODevice::ReadOnly))
            return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
        return crypto::Ed25519Key::fromSeed(QByteArray::fromHex(file.readAll().trimmed()));
    }
    Result<crypto::Ed25519Key> key = crypto::Ed25519Key::generate();
    if (!key)
        return key;
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return Error{QStringLiteral("io"), QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    file.write(key->seed().view().toByteArray().toHex() + '\n');
    return key;
}

Result<QSslConfiguration> tlsConfiguration(const GatewayOptions &options)
{
    QFile certificateFile(options.tlsCertificate);
    QFile keyFile(options.tlsKey);
    if (!certificateFile.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("usage"), QStringLiteral("cannot read %1").arg(options.tlsCertificate)};
    if (!keyFile.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("usage"), QStringLiteral("cannot read %1").arg(options.tlsKey)};
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificateFile.readAll(), QSsl::Pem);
    QSslKey key(keyFile.readAll(), QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        keyFile.seek(0);
        key = QSslKey(keyFile.readAll(), QSsl::Rsa, QSsl::Pem);
    }
    if (chain.isEmpty() || key.isNull())
        return Error{QStringLiteral("usage"), QStringLiteral("%1 / %2 are not a PEM certificate chain and private key")
                                                  .arg(options.tlsCertificate, options.tlsKey)};
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);  // clients authenticate with tokens and keys
    return configuration;
}

} // namespace

Gateway::Gateway(GatewayOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_services(std::make_unique<Services>())
{
    if (m_options.testClock) {
        auto clock = std::make_unique<OffsetClock>();
        m_testClock = clock.get();
        m_clock = std::move(clock);
    } else {
        m_clock = std::make_unique<SystemClock>();
    }
}

Gateway::~Gateway()
{
    // Stop taking calls first, then let in-flight ones finish before their services go.
    if (m_services->tcp)
        m_services->tcp->close();
    m_services->enforcement.reset();
    if (m_services->api)
        m_services->api->stopWorkers();  // token exchanges answer through the frontend, destroyed first
}

QString Gateway::baseUrl() const
{
    return urlOn(m_options.listenAddress);
}

QString Gateway::urlOn(const QHostAddress &address) const
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
    const QString scheme = m_options.tlsCertificate.isEmpty() ? QStringLiteral("http") : QStringLiteral("https");
    return QStringLiteral("%1://%2:%3").arg(scheme, host).arg(m_services->tcp ? m_services->tcp->serverPort() : m_options.listenPort);
}

void Gateway::drain(std::function<void()> drained)
{
    Services &s = *m_services;
    if (!s.tcp || !s.frontend) {
        drained();
        return;
    }
    s.tcp->close();  // new connections are refused from here on
    s.eventStream.reset();  // live-monitor subscribers are not calls: they go now
    qCInfo(lcGateway) << "draining:" << s.frontend->inFlight() << "call(s) in flight";
    // Answers come back through this event loop, so it must keep running while the calls finish;
    // a short poll is enough for a once-per-process shutdown.
    const QDeadlineTimer deadline(m_options.upstreamTimeoutMs + DrainGraceMs);
    auto *poll = new QTimer(this);
    connect(poll, &QTimer::timeout, this, [this, poll, deadline, drained = std::move(drained)]() {
        Services &s = *m_services;
        if (s.frontend->inFlight() == 0)
            s.tcp->disconnectAll();
        const bool done = s.frontend->inFlight() == 0 && s.tcp->openConnections() == 0;
        if (!done && !deadline.hasExpired())
            return;
        if (!done)
            qCWarning(lcGateway) << "drain timed out with" << s.frontend->inFlight() << "call(s) in flight";
        poll->stop();
        poll->deleteLater();
        drained();
    });
    poll->start(DrainPollMs);
}

Status Gateway::start(QTextStream &out)
{
    if (m_options.devIdentityProvider && !m_options.demo)
        return Error{QStringLiteral("usage"), QStringLiteral("the development identity provider is enabled but the gateway is not in "
                                                             "demo mode; refusing to start (it can impersonate any human)")};
    if (m_options.testClock && !m_options.demo)
        return Error{QStringLiteral("usage"), QStringLiteral("--test-clock is for tests of demo gateways only")};
    if (Status opened = openServices(); !opened)
        return opened;
    if (Status listening = listen(); !listening)
        return listening;
    const Result<QString> firstKey = FirstAdminKey::ensure(*m_services->keys, m_services->api->trail(), m_options.dataDir);
    if (!firstKey)
        return firstKey.error();
    if (!firstKey->isEmpty())
        out << "First start: the admin API key is in " << firstKey.value()
            << " (readable by this user only; make the others with mandatectl api-keys create)" << Qt::endl;
    if (m_options.demo) {
        if (Status prepared = prepareDemo(out); !prepared)
            return prepared;
    }
    wireEvents();
    // Said at start rather than at a tool's first call: a credential that cannot be used refuses its calls.
    if (auto tools = m_services->registry->tools())
        m_services->firewall->checkCredentials(tools.value());
    out << "mandated " << MANDATE_VERSION << " listening on " << baseUrl() << Qt::endl;
    return Status::success();
}

Status Gateway::openServices()
{
    Services &s = *m_services;
    const Clock &clock = *m_clock;
    const QDir dataDir(m_options.dataDir);
    auto database = store::Database::open(m_options.databasePath);
    if (!database)
        return database.error();
    s.database = std::move(database).value();
    s.registry = std::make_unique<registry::Registry>(*s.database, clock);
    auto schema = Resources::schema();
    if (!schema)
        return schema.error();
    s.policies = std::make_unique<registry::PolicyStore>(*s.database, clock, schema.value());
    if (Status loaded = s.policies->load(); !loaded)
        return loaded;
    s.keys = std::make_unique<api::ApiKeyStore>(*s.database, clock);

    // The broker: signing keys, OAuth clients, trusted identity providers and executions.
    s.keyRing = std::make_unique<crypto::KeyRing>(m_options.keyDir, clock);
    if (Status opened = s.keyRing->open(); !opened)
        return opened;
    s.executions = std::make_unique<session::ExecutionStore>(*s.database, clock);
    s.clients = std::make_unique<broker::OAuthClientStore>(*s.database, clock);
    s.issuers = std::make_unique<broker::TrustedIssuers>(clock, m_options.idTokens);
    s.issuers->setFetchDefaults(m_options.jwksFetch);
    if (!m_options.trustedIssuersFile.isEmpty()) {
        if (Status loaded = s.issuers->loadFile(m_options.trustedIssuersFile); !loaded)
            return loaded;
        try {
            s.issuerPrefetch = std::jthread([issuers = s.issuers.get()](std::stop_token stop) {
                try {
                    issuers->prefetch(stop);
                } catch (const std::exception &e) {  // only ahead of time: the first exchange fetches again
                    qCWarning(lcGateway) << "fetching the trusted issuers' keys failed:" << e.what();
                }
            });
        } catch (const std::system_error &e) {
            qCWarning(lcGateway) << "cannot fetch the trusted issuers' keys ahead:" << e.what() << "- they are fetched at first use";
        }
    }
    s.devIdp = std::make_unique<broker::DevIdentityProvider>(m_options.dataDir, clock);
    if (m_options.devIdentityProvider) {
        if (Status opened = s.devIdp->open(broker::DevIdentityProvider::Mode::CreateIfMissing); !opened)
            return opened;
        // Its tokens name their own audience, whatever [broker] id-token-audience says.
        s.issuers->trust(QLatin1String(broker::DevIdentityProvider::kIssuer), s.devIdp->publicKeys(),
                         QLatin1String(broker::DevIdentityProvider::kAudience));
    }
    s.broker = std::make_unique<broker::DelegationBroker>(broker::BrokerConfig{}, *s.registry, *s.executions, *s.clients,
                                                          *s.issuers, *s.keyRing, clock);

    // Audit: durable before effect, sealed with the gateway's own key.
    auto seal = sealingKey(m_options.dataDir);
    if (!seal)
        return seal.error();
    auto audit = audit::AuditLog::open(*s.database, {m_options.gatewayId, seal.value(), true});
    if (!audit)
        return audit.error();
    s.audit = std::move(audit).value();
    // Its exports, before anything else appends: the JSON lines file first takes what it missed.
    auto exports = AuditExport::attach(m_options.auditExport, *s.audit, m_options.dataDir);
    if (!exports)
        return exports.error();
    s.auditExport = std::move(exports).value();

    // The per-call pipeline and the tool firewall.
    s.events = std::make_unique<api::EventBus>();
    s.keys->setChangeListener([events = s.events.get()](const QString &operation, const api::ApiKeyInfo &key) {
        events->publish({{QStringLiteral("type"), QStringLiteral("api_key")}, {QStringLiteral("operation"), operation},
                         {QStringLiteral("key"), key.toJson()}});
    });
    // Session counters and budget charges commit with the audit batches: one writer, one fsync.
    s.sessionRecorder = std::make_unique<session::SessionRecorder>(*s.executions);
    s.ledger = std::make_unique<session::ChargeLedger>(*s.executions);
    s.audit->setBatchParticipant({[recorder = s.sessionRecorder.get()]() { return recorder->writePending(); },
                                  [recorder = s.sessionRecorder.get()](bool committed) { recorder->finishWrite(committed); }});
    s.sessionRecorder->setWake([audit = s.audit.get()]() { audit->requestBatch(); });
    s.executions->setPendingRisk([recorder = s.sessionRecorder.get()](const QString &id) { return recorder->pending(id).risk; });
    s.authority = std::make_unique<BrokerAuthority>(*s.broker, *s.executions, *s.sessionRecorder, *s.ledger);
    s.limiter = std::make_unique<firewall::RateLimiter>(clock);
    s.pipeline = std::make_unique<firewall::DecisionPipeline>(firewall::DecisionPipeline::Services{
        *s.authority, *s.registry, *s.policies, *s.audit, *s.events, *s.limiter, clock, m_options.gatewayId,
        m_options.executionCallsPerMinute});
    firewall::UpstreamForwarder::Limits upstreamLimits;
    upstreamLimits.timeoutMs = m_options.upstreamTimeoutMs;
    auto admission = std::make_shared<firewall::UpstreamAdmission>(m_options.upstreamCallsInFlight);
    s.upstreamCredentials = std::make_shared<firewall::UpstreamCredentials>(m_options.upstreamCredentialsDir);
    s.firewall = std::make_unique<firewall::ToolFirewall>(*s.pipeline, nullptr, upstreamLimits, admission, s.upstreamCredentials);
    s.metrics = std::make_unique<api::Metrics>();
    s.metrics->addSource([admission]() {
        return QByteArray("# HELP mandate_upstream_calls_shed_total Tool calls answered 503 because their upstream had as many "
                          "calls in flight as it may.\n# TYPE mandate_upstream_calls_shed_total counter\n"
                          "mandate_upstream_calls_shed_total ").append(QByteArray::number(admission->refused())).append('\n');
    });
    s.metrics->addSource([]() {
        // Steady under steady load: what requests and replays intern goes with them.
        const policy::UidTable::Size interned = policy::UidTable::size();
        return QByteArray("# HELP mandate_policy_interned Entity uids and entity type names the policy engine holds in memory: the "
                          "policies', the schema's and those of cached and in-flight requests.\n# TYPE mandate_policy_interned gauge\n"
                          "mandate_policy_interned{kind=\"entity_uid\"} ").append(QByteArray::number(qulonglong(interned.uids)))
            .append("\nmandate_policy_interned{kind=\"entity_type\"} ").append(QByteArray::number(qulonglong(interned.types))).append('\n');
    });

    s.api = std::make_unique<api::GatewayApi>(api::GatewayApi::Services{*s.registry, *s.policies, *s.keys, clock,
                                                                        m_options.gatewayId, s.broker.get(), s.executions.get(),
                                                                        s.audit.get(), s.keyRing.get()});
    s.enforcement = std::make_unique<api::EnforcementEndpoints>(*s.pipeline, *s.firewall, *s.metrics, m_options.toolWorkers);
    s.enforcement->install(s.api->router());
    api::AuditEndpoints::install(s.api->router(), s.api->readerPool(), *s.audit, s.api->auth());
    api::SimulateEndpoints::install(s.api->router(), s.api->simulationPool(), *s.audit, *s.policies, s.api->auth());
    api::PolicyEndpoints::installSchema(s.api->router(), s.api->auth(), Resources::schemaText());
    installOperationalRoutes();

    // Executions past their expiry are recorded, marked expired and announced.
    s.sweeper = std::make_unique<ExpirySweeper>(*s.executions, *s.audit, *s.events, clock, m_options.gatewayId);
    connect(&s.expiry, &QTimer::timeout, s.executions.get(), [sweeper = s.sweeper.get()]() { (void)sweeper->sweep(); });
    s.expiry.start(15'000);
    return Status::success();
}

void Gateway::installOperationalRoutes()
{
    Services &s = *m_services;
    s.metrics->addSource([exports = s.auditExport.get()]() { return exports->metrics(); });
    s.metrics->setActiveExecutionsSource([executions = s.executions.get()]() -> qint64 {
        Result<qint64> active = executions->countActive();
        return active ? active.value() : -1;
    });
    s.api->router().add("GET", QStringLiteral("/metrics"), [metrics = s.metrics.get()](const api::HttpRequest &, const api::RouteParams &) {
        return api::HttpResponse::text(metrics->render(), "text/plain; version=0.0.4");
    });
    if (m_testClock) {
        // Demo gateways started with --test-clock only: lets end-to-end tests reach expiry.
        s.api->router().add("POST", QStringLiteral("/v1/dev/clock"), [this](const api::HttpRequest &request, const api::RouteParams &) {
            return m_services->api->auth().guard(request, api::Permission::WriteRegistry, [&](const api::ApiPrincipal &) {
                const qint64 advance = QJsonDocument::fromJson(request.body).object().value(QStringLiteral("advance")).toInteger();
                if (advance <= 0)
                    return api::HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Bad request"),
                                                      QStringLiteral("expected {\"advance\": seconds > 0}"));
                m_testClock->advanceSecs(advance);
                // What the expiry timer would find next: swept now, so tests need not wait for it.
                if (auto swept = m_services->sweeper->sweep(); !swept)
                    return api::HttpResponse::fromError(swept.error());
                return api::HttpResponse::json(QJsonObject{{QStringLiteral("offset"), m_testClock->offsetSecs()},
                                                           {QStringLiteral("now"), m_clock->now().toString(Qt::ISODate)}});
            });
        });
        // The routes this gateway serves, so the role-matrix test can prove it covers every one.
        s.api->router().add("GET", QStringLiteral("/v1/dev/routes"), [this](const api::HttpRequest &request, const api::RouteParams &) {
            return m_services->api->auth().guard(request, api::Permission::WriteRegistry, [&](const api::ApiPrincipal &) {
                QJsonArray items;
                for (const auto &[method, pattern] : m_services->api->router().routes())
                    items.append(QJsonObject{{QStringLiteral("method"), QString::fromLatin1(method)}, {QStringLiteral("pattern"), pattern}});
                return api::HttpResponse::json(QJsonObject{{QStringLiteral("items"), items}});
            });
        });
    }
}

Status Gateway::listen()
{
    Services &s = *m_services;
    std::optional<QSslConfiguration> tls;
    if (!m_options.tlsCertificate.isEmpty()) {
        auto configuration = tlsConfiguration(m_options);
        if (!configuration)
            return configuration.error();
        tls = configuration.value();
    }
    s.frontend = std::make_unique<HttpFrontend>(*s.api, m_options.maxBodyBytes, *s.metrics);
    // A request must arrive whole within two idle timeouts of its first byte.
    const GuardedTcpServer::Limits limits{m_options.maxConnections, m_options.idleTimeoutMs,
                                          RequestGuard::Limits{{m_options.maxHeaderBytes, m_options.maxBodyBytes}, 2 * m_options.idleTimeoutMs}};
    s.tcp = new GuardedTcpServer(limits, tls, s.frontend.get());
    if (!s.tcp->listen(m_options.listenAddress, m_options.listenPort))
        return Error{QStringLiteral("io"), QStringLiteral("cannot listen on %1:%2: %3")
                                               .arg(m_options.listenAddress.toString()).arg(m_options.listenPort).arg(s.tcp->errorString())};
    s.broker->setIssuer(baseUrl());
    s.frontend->bind(s.tcp);
    s.tcp->watchAfterServer();
    // At most a quarter of the connection slots, which agents' calls share, go to event streams.
    s.eventStream = std::make_unique<EventStream>(*s.frontend, *s.events, s.api->auth(), m_options.idleTimeoutMs,
                                                  std::max(1, m_options.maxConnections / 4));
    return Status::success();
}

Status Gateway::prepareDemo(QTextStream &out)
{
    Services &s = *m_services;
    // The demo tools reach the demo business API on this gateway through the loopback interface
    // when it listens on every address: their credential goes over plain http to loopback only.
    QHostAddress demoHost = m_options.listenAddress;
    if (demoHost == QHostAddress::Any || demoHost == QHostAddress::AnyIPv4)
        demoHost = QHostAddress(QHostAddress::LocalHost);
    else if (demoHost == QHostAddress::AnyIPv6)
        demoHost = QHostAddress(QHostAddress::LocalHostIPv6);
    DemoSetup demo(*s.registry, *s.policies, *s.keys, m_options.dataDir, urlOn(demoHost) + QStringLiteral("/demo-api"));
    if (Status credential = demo.ensureUpstreamCredential(*s.upstreamCredentials); !credential)
        return credential;
    s.demoBusiness = std::make_unique<api::DemoBusinessApi>(s.upstreamCredentials, QLatin1String(DemoSetup::kUpstreamCredential));
    s.demoBusiness->install(s.api->router());
    if (Status prepared = demo.run(); !prepared)
        return prepared;
    if (Status prepared = demo.ensureClients(*s.clients); !prepared)
        return prepared;
    const QDir dir(m_options.dataDir);
    out << "Demo mode (development only): data in " << dir.absolutePath() << '\n'
        << "  admin API key:  " << dir.absoluteFilePath(QStringLiteral("admin.key")) << '\n'
        << "  auditor key:    " << dir.absoluteFilePath(QStringLiteral("auditor.key")) << '\n'
        << "  analyst key:    " << dir.absoluteFilePath(QStringLiteral("analyst.key")) << '\n'
        << "  OAuth clients:  " << dir.absoluteFilePath(QStringLiteral("demo-clients.json")) << '\n'
        << "  dev IdP key:    " << s.devIdp->keyPath() << " (DEVELOPMENT ONLY; mandatectl dev id-token --user alice --data-dir "
        << dir.absolutePath() << ")\n";
    return Status::success();
}

void Gateway::wireEvents()
{
    Services &s = *m_services;
    api::EventBus *events = s.events.get();
    firewall::DecisionPipeline *pipeline = s.pipeline.get();
    // On the thread that committed the change (the audit writer's, for an admin change), before
    // the admin is answered: no call may be decided on the old record once the change is in.
    connect(s.registry.get(), &registry::Registry::changed, this, [pipeline]() { pipeline->invalidateRegistryCache(); },
            Qt::DirectConnection);
    connect(s.registry.get(), &registry::Registry::changed, this, [events](const registry::RegistryChange &change) {
        QJsonObject event = change.toJson();
        event.insert(QStringLiteral("type"), QStringLiteral("registry"));
        events->publish(event);
    });
    connect(s.policies.get(), &registry::PolicyStore::published, this, [events](qint64 version, const QString &author) {
        events->publish({{QStringLiteral("type"), QStringLiteral("policy")}, {QStringLiteral("version"), version},
                         {QStringLiteral("author"), author}});
    });
    connect(s.executions.get(), &session::ExecutionStore::changed, this, [events](const session::ExecutionChange &change) {
        QJsonObject event = change.toJson();
        event.insert(QStringLiteral("type"), QStringLiteral("execution"));
        events->publish(event);
    });
}

} // namespace mandate::gateway
