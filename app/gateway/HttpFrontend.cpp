// SPDX-License-Identifier: Apache-2.0
#include "HttpFrontend.h"

#include "GuardedTcpServer.h"
#include "ResponseOrder.h"

#include "common/Logging.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>

namespace mandate::gateway {

namespace {

constexpr quint64 MaxOutstandingAnswers = 64;
constexpr qint64 MaxUnreadAnswerBytes = 8 << 20;

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    default: return "UNKNOWN";
    }
}

/// Whether Qt HttpServer upgrades the connection: its parser takes a request as an upgrade only
/// with "upgrade" among the Connection header's tokens. (Its WebSocket server then checks the
/// rest of the handshake, RFC 6455 §4.2.1, and closes the connection when it is incomplete.)
bool qtUpgrades(const QHttpServerRequest &request)
{
    for (const QByteArray &token : request.value("connection").split(',')) {
        if (token.trimmed().compare("upgrade", Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

HttpFrontend::HttpFrontend(const api::GatewayApi &api, qsizetype maxBodyBytes, api::Metrics &metrics, QObject *parent)
    : QAbstractHttpServer(parent), m_api(api), m_maxBodyBytes(maxBodyBytes), m_metrics(metrics)
{
}

bool HttpFrontend::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // A WebSocket upgrade to the event stream is accepted by answering nothing: Qt HttpServer then
    // hands the socket to its WebSocket server, and EventStream authenticates the subscriber. The
    // socket is exempt from the idle timeout from then on, so only a request Qt upgrades gets
    // there: a socket left unanswered and exempt would hold a connection slot for ever (an
    // unauthenticated client could take them all).
    const bool wantsWebSocket = request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
    const bool upgradedByQt = wantsWebSocket && qtUpgrades(request);
    const bool toEvents = request.url().path() == QLatin1String("/v1/events");
    const bool incompleteHandshake = wantsWebSocket && toEvents && !upgradedByQt;
    if (upgradedByQt && toEvents) {
        socket->setProperty(GuardedTcpServer::UpgradedProperty, true);
        return true;
    }
    // Any other path has no WebSocket: declining the request keeps Qt from upgrading it after
    // an answer (a 200 followed by a 101 on one request); Qt answers it as unhandled (404).
    if (upgradedByQt)
        return false;
    // A client that pipelines requests without reading the answers is cut off before its
    // answers, queued in order and unread, grow without bound.
    if (ResponseOrder::outstanding(socket) >= MaxOutstandingAnswers || socket->bytesToWrite() > MaxUnreadAnswerBytes) {
        qCWarning(lcGateway) << "closing a connection with" << ResponseOrder::outstanding(socket) << "answers outstanding and"
                             << socket->bytesToWrite() << "bytes unread";
        socket->abort();
        return true;
    }

    QElapsedTimer timer;
    timer.start();
    api::HttpRequest converted;
    converted.method = methodName(request.method());
    converted.path = request.url().path(QUrl::FullyDecoded);
    converted.query = request.query();
    for (const auto &[name, value] : request.headers())
        converted.headers.append({name.toLower(), value});

    // The responder must be used on this thread; answers from worker threads are queued back,
    // and written in the order of the requests.
    auto responder = std::make_shared<QHttpServerResponder>(makeResponder(request, socket));
    QPointer<QTcpSocket> connection(socket);
    const quint64 place = ResponseOrder::take(socket);
    ++m_inFlight;
    const auto respond = [this, responder, connection, place, timer, method = converted.method, path = converted.path](api::HttpResponse response) {
        m_metrics.countRequest(response.status);
        QMetaObject::invokeMethod(this, [this, responder, connection, place, timer, method, path, response = std::move(response)]() {
            --m_inFlight;
            if (!connection)
                return;  // the client went away while the call was decided
            ResponseOrder::deliver(connection, place, [responder, timer, method, path, response]() {
                write(response, *responder);
                // Never log headers or bodies: they carry tokens and API keys.
                qCDebug(lcGateway).noquote() << method << path << response.status
                                             << QStringLiteral("%1us").arg(timer.nsecsElapsed() / 1000);
            });
        }, Qt::AutoConnection);
    };
    if (incompleteHandshake) {
        respond(api::HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Bad request"),
                                           QStringLiteral("the event stream is a WebSocket: the upgrade needs Connection: Upgrade, "
                                                          "Sec-WebSocket-Key and Sec-WebSocket-Version: 13")));
        return true;
    }
    if (request.body().size() > m_maxBodyBytes) {
        respond(api::HttpResponse::problem(413, QStringLiteral("payload-too-large"), QStringLiteral("Request body too large"),
                                           QStringLiteral("bodies are limited to %1 bytes").arg(m_maxBodyBytes)));
        return true;
    }
    // Decoding turns bytes that are no UTF-8 into U+FFFD: different ids would meet in one, and
    // what a call names would not be what the agent sent.
    const QUrl &url = request.url();
    if (!QByteArray::fromPercentEncoding(url.path(QUrl::FullyEncoded).toLatin1()).isValidUtf8()
        || !QByteArray::fromPercentEncoding(url.query(QUrl::FullyEncoded).toLatin1()).isValidUtf8()) {
        respond(api::HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Bad request"),
                                           QStringLiteral("the request's path or query is not UTF-8 once percent-decoded")));
        return true;
    }
    converted.body = request.body();
    m_api.handle(converted, respond);
    return true;
}

void HttpFrontend::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    auto responder = std::make_shared<QHttpServerResponder>(makeResponder(request, socket));
    ResponseOrder::deliver(socket, ResponseOrder::take(socket), [responder]() {
        write(api::HttpResponse::problem(404, QStringLiteral("not-found"), QStringLiteral("Not found"), {}), *responder);
    });
}

void HttpFrontend::write(const api::HttpResponse &response, QHttpServerResponder &responder)
{
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    for (const auto &[name, value] : response.headers)
        responder.writeHeader(name, value);
    responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
    responder.writeBody(response.body);
}

} // namespace mandate::gateway
