// SPDX-License-Identifier: Apache-2.0
#include "RequestGuard.h"

#include "common/Logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

namespace mandate::gateway {

namespace {

/// How long a refused connection is read and dropped before it is closed.
constexpr int kLingerMs = 1000;

} // namespace

RequestGuard::RequestGuard(QTcpSocket *socket, Limits limits) : QObject(socket), m_socket(socket), m_check(limits)
{
    connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::onReadyRead);
}

void RequestGuard::attach(QTcpSocket *socket, Limits limits)
{
    new RequestGuard(socket, limits);  // a child of the socket: it goes with it
}

void RequestGuard::requestTaken(QTcpSocket *socket)
{
    if (auto *guard = socket ? socket->findChild<RequestGuard *>(QString(), Qt::FindDirectChildrenOnly) : nullptr)
        guard->m_check.reset();
}

void RequestGuard::onReadyRead()
{
    // Qt's parser reads everything in its own slot, after this one: what is available now is
    // what has just arrived. Only as much as the head check can use is copied.
    const qint64 fresh = m_socket->bytesAvailable();
    if (fresh <= 0)
        return;
    const QByteArray start = m_socket->peek(std::min<qint64>(fresh, m_check.limits().maxHeaderBytes + 4));
    const api::RequestSizeCheck::Verdict verdict = m_check.feed(start, fresh - start.size());
    if (verdict != api::RequestSizeCheck::Verdict::Fine)
        refuse(verdict);
}

void RequestGuard::refuse(api::RequestSizeCheck::Verdict verdict)
{
    const bool head = verdict == api::RequestSizeCheck::Verdict::HeadTooLarge;
    const int status = head ? 431 : 413;
    const QByteArray reason = head ? "Request Header Fields Too Large" : "Content Too Large";
    const QString detail = head ? QStringLiteral("request line and headers are limited to %1 bytes").arg(m_check.limits().maxHeaderBytes)
                                : QStringLiteral("bodies are limited to %1 bytes").arg(m_check.limits().maxBodyBytes);
    qCInfo(lcGateway).noquote() << "refusing a request:" << status << detail;
    const QString type = head ? QStringLiteral("urn:mandate:problem:headers-too-large") : QStringLiteral("urn:mandate:problem:payload-too-large");
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("type"), type},
                                                      {QStringLiteral("title"), QString::fromLatin1(reason)},
                                                      {QStringLiteral("status"), status},
                                                      {QStringLiteral("detail"), detail}})
                                .toJson(QJsonDocument::Compact);
    // Nothing more reaches Qt's parser, this emission included: its slot is disconnected, and
    // its transaction, which keeps every byte of the request, is ended.
    disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                          + "\r\nContent-Type: application/problem+json\r\nContent-Length: " + QByteArray::number(body.size())
                          + "\r\nConnection: close\r\n\r\n";
    response += body;
    m_socket->write(response);
    // A lingering close: what the client goes on sending is read and dropped for a moment, so
    // that closing does not reset the connection before the client has read the answer.
    m_socket->skip(m_socket->bytesAvailable());
    connect(m_socket, &QTcpSocket::readyRead, this, [this]() { m_socket->skip(m_socket->bytesAvailable()); });
    QTimer::singleShot(kLingerMs, this, [this]() { m_socket->disconnectFromHost(); });
}

} // namespace mandate::gateway
