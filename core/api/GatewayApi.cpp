// SPDX-License-Identifier: Apache-2.0
#include "api/GatewayApi.h"

#include "api/ApiKeyEndpoints.h"
#include "api/AuditEndpoints.h"
#include "api/BrokerEndpoints.h"
#include "api/KeyEndpoints.h"
#include "api/PolicyEndpoints.h"
#include "api/RegistryEndpoints.h"
#include "common/Logging.h"

namespace mandate::api {

GatewayApi::GatewayApi(Services services)
    : m_services(std::move(services)), m_auth(m_services.keys),
      m_trail(m_services.audit, m_services.clock, m_services.gatewayId), m_startedAt(m_services.clock.now())
{
    m_brokerPool.setMaxThreadCount(16);
    m_brokerPool.setExpiryTimeout(-1);  // keep threads: each holds its database connection
    m_readerPool.setMaxThreadCount(AuditEndpoints::kReaders);
    m_readerPool.setExpiryTimeout(-1);
    m_simulationPool.setMaxThreadCount(1);  // one replay at a time: it takes every core but one
    m_simulationPool.setExpiryTimeout(-1);
    installPublic();
    RegistryEndpoints::install(m_router, m_services.registry, m_auth, m_trail);
    PolicyEndpoints::install(m_router, m_services.policies, m_auth, m_trail);
    ApiKeyEndpoints::install(m_router, m_services.keys, m_auth, m_trail);
    if (m_services.broker && m_services.executions)
        BrokerEndpoints::install(m_router, m_brokerPool, m_brokerAnswers, *m_services.broker, *m_services.executions, m_auth, m_trail);
    if (m_services.broker && m_services.keyRing)
        KeyEndpoints::install(m_router, *m_services.keyRing, m_services.broker->config().clockSkewSecs, m_auth, m_trail);
}

GatewayApi::~GatewayApi()
{
    stopWorkers();
}

void GatewayApi::stopWorkers()
{
    m_brokerPool.waitForDone();
    // A minted token's answer comes from the audit writer once its records commit: bounded,
    // since a lost answer must not keep the gateway from stopping.
    if (!m_brokerAnswers.waitForNone(std::chrono::seconds(30)))
        qCWarning(lcGateway) << m_brokerAnswers.pending() << "token exchange(s) still unanswered at shutdown";
    m_readerPool.waitForDone();
    m_simulationPool.waitForDone();
}

void GatewayApi::installPublic()
{
    m_router.add("GET", QStringLiteral("/healthz"), [this](const HttpRequest &, const RouteParams &) {
        // Healthy means the store answers: a gateway that cannot read its database denies everything.
        const bool storeOk = m_services.registry.tools().ok();
        return HttpResponse::json(QJsonObject{{QStringLiteral("status"), storeOk ? QStringLiteral("ok") : QStringLiteral("degraded")},
                                              {QStringLiteral("gateway"), m_services.gatewayId},
                                              {QStringLiteral("version"), QStringLiteral(MANDATE_VERSION)},
                                              {QStringLiteral("startedAt"), m_startedAt.toString(Qt::ISODate)},
                                              {QStringLiteral("store"), storeOk ? QStringLiteral("ok") : QStringLiteral("unavailable")}},
                                  storeOk ? 200 : 503);
    });
    m_router.add("GET", QStringLiteral("/v1/whoami"), [this](const HttpRequest &request, const RouteParams &) {
        return m_auth.guard(request, Permission::ReadRegistry, [](const ApiPrincipal &caller) {
            return HttpResponse::json(QJsonObject{{QStringLiteral("name"), caller.name},
                                                  {QStringLiteral("role"), roleName(caller.role)},
                                                  {QStringLiteral("keyId"), caller.keyId}});
        });
    });
}

namespace {

void addCommonHeaders(HttpResponse &response)
{
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
}

} // namespace

void GatewayApi::handle(const HttpRequest &request, const Completion &done) const
{
    m_router.dispatch(request, [done](HttpResponse response) {
        addCommonHeaders(response);
        done(std::move(response));
    });
}

HttpResponse GatewayApi::handle(const HttpRequest &request) const
{
    HttpResponse response = m_router.dispatch(request);
    addCommonHeaders(response);
    return response;
}

} // namespace mandate::api
