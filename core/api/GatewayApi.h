// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/ApiKeyStore.h"
#include "api/AuditTrail.h"
#include "api/PendingAnswers.h"
#include "api/Router.h"
#include "broker/DelegationBroker.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"

#include <QDateTime>
#include <QThreadPool>

namespace mandate::api {

/// Everything the gateway serves over HTTP, as plain request → response functions.
/// The HTTP front end in app/gateway only converts to and from the wire.
class GatewayApi final
{
public:
    struct Services
    {
        registry::Registry &registry;
        registry::PolicyStore &policies;
        ApiKeyStore &keys;
        const Clock &clock;
        QString gatewayId;
        /// The broker and its executions (/v1/token, /v1/revoke, /.well-known/*, /v1/executions);
        /// not served when null.
        broker::DelegationBroker *broker = nullptr;
        session::ExecutionStore *executions = nullptr;
        /// Where delegations, revocations and admin changes are recorded; none when null.
        audit::AuditLog *audit = nullptr;
        /// The broker's signing keys (/v1/keys, /v1/keys/rotate); not served when null.
        crypto::KeyRing *keyRing = nullptr;
    };

    explicit GatewayApi(Services services);
    /// stopWorkers(), for an owner that did not.
    ~GatewayApi();
    Q_DISABLE_COPY_MOVE(GatewayApi)

    /// Answers through `done`, possibly later and from a worker thread.
    void handle(const HttpRequest &request, const Completion &done) const;
    /// Waits for the answer; for tests, never on the server's thread.
    HttpResponse handle(const HttpRequest &request) const;
    Router &router() { return m_router; }
    /// Waits for the token exchanges, revocations, audit reads and simulations in flight; for the
    /// owner's shutdown, before whatever their answers go through is destroyed.
    void stopWorkers();
    /// Where AuditEndpoints read and SimulateEndpoints replay, off the server's thread.
    QThreadPool &readerPool() { return m_readerPool; }
    QThreadPool &simulationPool() { return m_simulationPool; }
    const AdminAuth &auth() const { return m_auth; }
    /// Where admin changes made outside a request (the gateway's first admin key) are recorded.
    AuditTrail &trail() { return m_trail; }

private:
    void installPublic();

    Services m_services;
    AdminAuth m_auth;
    AuditTrail m_trail;
    Router m_router;
    QDateTime m_startedAt;
    // Token exchange and revocation run here, never on the server's thread: a revocation waits
    // for its commit; an exchange checks and signs, and its answer comes once its records
    // commit, from the audit writer, with the other exchanges in flight. The owner drains both
    // (stopWorkers()) before the HTTP front end goes.
    PendingAnswers m_brokerAnswers;  // before the pool: its tasks answer through it
    QThreadPool m_brokerPool;
    QThreadPool m_readerPool;
    QThreadPool m_simulationPool;
};

} // namespace mandate::api
