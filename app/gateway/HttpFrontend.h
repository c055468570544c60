// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/GatewayApi.h"
#include "api/Metrics.h"

#include <QAbstractHttpServer>

namespace mandate::gateway {

/// Puts GatewayApi on the wire: converts Qt HttpServer requests to api::HttpRequest and writes
/// the api::HttpResponse back. Holds no logic of its own.
class HttpFrontend final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpFrontend)

public:
    HttpFrontend(const api::GatewayApi &api, qsizetype maxBodyBytes, api::Metrics &metrics, QObject *parent = nullptr);

    /// Requests taken but not yet answered on the wire; a draining gateway waits for zero.
    int inFlight() const { return m_inFlight; }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    static void write(const api::HttpResponse &response, QHttpServerResponder &responder);

    const api::GatewayApi &m_api;
    qsizetype m_maxBodyBytes;
    api::Metrics &m_metrics;
    int m_inFlight = 0;  ///< touched on this object's thread only
};

} // namespace mandate::gateway
