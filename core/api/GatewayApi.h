// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/ApiKeyStore.h"
#include "api/Router.h"
#include "registry/Registry.h"

#include <QDateTime>

namespace mandate::api {

/// Everything the gateway serves over HTTP, as plain request → response functions.
/// The HTTP front end in app/gateway only converts to and from the wire.
class GatewayApi final
{
public:
    struct Services
    {
        registry::Registry &registry;
        ApiKeyStore &keys;
        const Clock &clock;
        QString gatewayId;
    };

    explicit GatewayApi(Services services);
    Q_DISABLE_COPY_MOVE(GatewayApi)

    HttpResponse handle(const HttpRequest &request) const;
    Router &router() { return m_router; }

private:
    void installPublic();

    Services m_services;
    AdminAuth m_auth;
    Router m_router;
    QDateTime m_startedAt;
};

} // namespace mandate::api
