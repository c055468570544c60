// SPDX-License-Identifier: Apache-2.0
#include "firewall/UpstreamForwarder.h"

#include "firewall/UpstreamConnection.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace mandate::firewall {

namespace {

/// A header line break or NUL would let a value start a header of its own.
bool safeHeaderText(const QByteArray &text)
{
    return !text.contains('\r') && !text.contains('\n') && !text.contains('\0');
}

/// Errors of the connection itself, as opposed to an answer with an error status: a reply cut
/// short by a reset is one, and must not pass as the upstream's answer. Qt also reports some
/// statuses in its other ranges (400 and 418 as ProtocolInvalidOperationError, 407 as a proxy
/// error), which are answers: only the network layer's codes (1-99) and ProtocolFailure (a broken exchange) count.
bool isTransportError(QNetworkReply::NetworkError error)
{
    const int code = int(error);
    return (code > 0 && code < 100) || error == QNetworkReply::ProtocolFailure;
}

} // namespace

UpstreamResponse UpstreamForwarder::send(const QByteArray &method, const QUrl &url, const QByteArray &body,
                                         const QList<QPair<QByteArray, QByteArray>> &headers, const Limits &limits)
{
    for (const auto &[name, value] : headers) {
        if (!safeHeaderText(name) || !safeHeaderText(value)) {
            UpstreamResponse refused;
            refused.error = QStringLiteral("header %1 holds a line break: the call was not forwarded").arg(QString::fromLatin1(name.left(64)));
            refused.sent = false;
            return refused;
        }
    }
    if (url.scheme() == QLatin1String("http")) {
        thread_local UpstreamConnection connection;
        return connection.exchange(method, url, body, headers, limits);
    }
    thread_local QNetworkAccessManager network;  // https: TLS is the network access manager's
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(limits.timeoutMs);
    // The network access manager lives as long as its thread and serves every execution: a
    // cookie one upstream answer sets must not ride along on another execution's call.
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);

    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    UpstreamResponse response;
    // Qt resends a request on a new connection when a kept one closes before the answer: only a
    // request never sent at all, on any connection, provably did not reach the upstream.
    bool requestSent = false;
    QObject::connect(reply, &QNetworkReply::requestSent, &loop, [&requestSent]() { requestSent = true; });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, [&](qint64 received, qint64) {
        if (received > limits.maxResponseBytes) {
            response.error = QStringLiteral("the upstream response exceeds %1 bytes").arg(limits.maxResponseBytes);
            reply->abort();
        }
    });
    deadline.start(limits.timeoutMs);
    loop.exec();

    if (!reply->isFinished()) {
        reply->abort();
        response.error = QStringLiteral("the upstream did not answer within %1 ms").arg(limits.timeoutMs);
        response.problemStatus = 504;
    } else if (response.error.isEmpty()) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status >= 300 && status < 400) {
            response.error = QStringLiteral("the upstream answered with a redirect (%1), which the firewall does not follow").arg(status);
        } else if (status != 0 && (status < 200 || status > 599)) {
            response.error = QStringLiteral("the upstream answered with status %1, which is not a final HTTP status").arg(status);
        } else if (status != 0 && isTransportError(reply->error())) {
            response.error = QStringLiteral("the upstream's answer was cut short: ") + reply->errorString();
        } else if (status == 0) {
            response.error = QStringLiteral("the upstream is unreachable: ") + reply->errorString();
            response.problemStatus = reply->error() == QNetworkReply::TimeoutError || reply->error() == QNetworkReply::OperationCanceledError ? 504 : 502;
            // No connection was made and nothing was ever sent: the upstream did not see the call.
            response.sent = requestSent
                || (reply->error() != QNetworkReply::ConnectionRefusedError && reply->error() != QNetworkReply::HostNotFoundError);
        } else {
            response.status = status;
            response.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
            response.body = reply->read(limits.maxResponseBytes + 1);
            if (response.body.size() > limits.maxResponseBytes) {
                response.status = 0;
                response.body.clear();
                response.error = QStringLiteral("the upstream response exceeds %1 bytes").arg(limits.maxResponseBytes);
            }
        }
    }
    delete reply;  // we are not inside one of its signals, and this thread may not run an event loop again
    return response;
}

} // namespace mandate::firewall
