// SPDX-License-Identifier: Apache-2.0
#include "RequestGuard.h"

#include "ResponseOrder.h"

#include "api/HttpResponse.h"
#include "common/Logging.h"

#include <QPointer>
#include <QTcpSocket>

namespace mandate::gateway {

namespace {

/// How long a refused connection is read and dropped before it is closed, and how long the
/// close may then take before the connection is cut.
constexpr int kLingerMs = 1000;
constexpr int kCloseMs = 5000;

using Verdict = api::RequestSizeCheck::Verdict;

} // namespace

RequestGuard::RequestGuard(QTcpSocket *socket, Limits limits) : QObject(socket), m_socket(socket), m_check(limits.size)
{
    connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::onReadyRead);
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(limits.requestTimeoutMs);
    connect(&m_deadline, &QTimer::timeout, this, [this]() {
        refuse({408, "Request Timeout", QStringLiteral("request-timeout"),
                QStringLiteral("a request must arrive whole within %1 ms of its first byte").arg(m_deadline.interval())});
    });
}

RequestGuard *RequestGuard::attach(QTcpSocket *socket, Limits limits)
{
    return new RequestGuard(socket, limits);  // a child of the socket: it goes with it
}

void RequestGuard::serverHasRead()
{
    m_seenUnread = std::min(m_seenUnread, m_socket->bytesAvailable());
}

void RequestGuard::onReadyRead()
{
    // This slot runs before Qt's parser reads: what is in the buffer beyond what was seen
    // before (and that Qt left there) has just arrived. Bytes known to be body are only counted.
    const qint64 available = m_socket->bytesAvailable();
    const qint64 fresh = available - m_seenUnread;
    m_seenUnread = available;
    if (fresh <= 0)
        return;
    Verdict verdict = Verdict::Fine;
    if (fresh <= m_check.bodyLeft())
        m_check.skipBody(fresh);
    else
        verdict = m_check.feed(m_socket->peek(available).sliced(available - fresh));
    if (verdict != Verdict::Fine) {
        refuse(refusalFor(verdict));
        return;
    }
    if (!m_check.midRequest())
        m_deadline.stop();
    else if (!m_deadline.isActive())
        m_deadline.start();
}

RequestGuard::Refusal RequestGuard::refusalFor(Verdict verdict) const
{
    const auto &limits = m_check.limits();
    switch (verdict) {
    case Verdict::HeadTooLarge:
        return {431, "Request Header Fields Too Large", QStringLiteral("headers-too-large"),
                QStringLiteral("request line and headers are limited to %1 bytes").arg(limits.maxHeaderBytes)};
    case Verdict::BodyTooLarge:
        return {413, "Content Too Large", QStringLiteral("payload-too-large"),
                QStringLiteral("bodies are limited to %1 bytes").arg(limits.maxBodyBytes)};
    case Verdict::LengthRequired:
        return {411, "Length Required", QStringLiteral("length-required"),
                QStringLiteral("a request body must come with a Content-Length (no Transfer-Encoding)")};
    case Verdict::BadRequest:
    case Verdict::Fine:
        break;
    }
    return {400, "Bad Request", QStringLiteral("bad-request"),
            QStringLiteral("malformed request framing: a request line was expected, or a Content-Length that is one plain number")};
}

void RequestGuard::refuse(const Refusal &refusal)
{
    m_deadline.stop();
    qCInfo(lcGateway).noquote() << "refusing a request:" << refusal.status << refusal.detail;
    // Nothing more reaches Qt's parser, this emission included: its slot is disconnected, and
    // its transaction, which keeps every byte of the request, is ended.
    disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    // A lingering close: what the client goes on sending is read and dropped for a moment, so
    // that closing does not reset the connection before the client has read the answer.
    m_socket->skip(m_socket->bytesAvailable());
    connect(m_socket, &QTcpSocket::readyRead, this, [this]() { m_socket->skip(m_socket->bytesAvailable()); });

    // Answer only if the front end has taken every request before this one.
    const bool answerable = m_check.current() == qint64(ResponseOrder::taken(m_socket));
    QByteArray response;
    if (answerable) {
        const api::HttpResponse problem = api::HttpResponse::problem(refusal.status, refusal.type, QString::fromLatin1(refusal.reason),
                                                                     refusal.detail);
        response = "HTTP/1.1 " + QByteArray::number(problem.status) + ' ' + refusal.reason + "\r\n";
        for (const auto &[name, value] : problem.headers)
            response += name + ": " + value + "\r\n";
        response += "Content-Length: " + QByteArray::number(problem.body.size()) + "\r\nConnection: close\r\n\r\n";
        response += problem.body;
    }
    QPointer<RequestGuard> self(this);
    ResponseOrder::deliver(m_socket, ResponseOrder::take(m_socket), [self, response]() {
        if (!self)
            return;
        if (!response.isEmpty())
            self->m_socket->write(response);
        self->closeAfterLinger();
    });
}

void RequestGuard::closeAfterLinger()
{
    QTimer::singleShot(kLingerMs, this, [this]() {
        m_socket->disconnectFromHost();
        // A client that reads nothing would keep a closing connection open for ever.
        QTimer::singleShot(kCloseMs, this, [this]() {
            if (m_socket->state() != QAbstractSocket::UnconnectedState)
                m_socket->abort();
        });
    });
}

} // namespace mandate::gateway
