// SPDX-License-Identifier: Apache-2.0
#include "RequestGuard.h"

#include "common/Logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace mandate::gateway {

namespace {

constexpr QByteArrayView kEndOfHead = "\r\n\r\n";
constexpr int kLingerMs = 1000;

/// Whether `bytes` can be the start of a request line: a method token, then a space.
bool startsLikeARequest(QByteArrayView bytes)
{
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == ' ')
            return i > 0;
        if (c < 'A' || c > 'Z' || i >= 16)
            return false;
    }
    return true;  // too short to tell yet
}

} // namespace

RequestGuard::RequestGuard(QTcpSocket *socket, Limits limits) : QObject(socket), m_socket(socket), m_limits(limits)
{
    connect(socket, &QTcpSocket::readyRead, this, &RequestGuard::onReadyRead);
}

void RequestGuard::attach(QTcpSocket *socket, Limits limits)
{
    new RequestGuard(socket, limits);  // a child of the socket: it goes with it
}

void RequestGuard::requestTaken(QTcpSocket *socket)
{
    if (auto *guard = socket ? socket->findChild<RequestGuard *>(QString(), Qt::FindDirectChildrenOnly) : nullptr) {
        guard->m_received = 0;
        guard->m_head.clear();
        guard->m_headComplete = false;
    }
}

void RequestGuard::onReadyRead()
{
    // Qt's parser reads everything in its own slot, after this one: what is available now is
    // what has just arrived.
    const qint64 fresh = m_socket->bytesAvailable();
    if (fresh <= 0)
        return;
    m_received += fresh;
    if (!m_headComplete) {
        m_head += m_socket->peek(std::min<qint64>(fresh, m_limits.maxHeaderBytes + kEndOfHead.size()));
        if (!startsLikeARequest(m_head)) {
            // A pipelining client's next request began in bytes counted for the one before:
            // its boundary is unknown, and only the total below applies to it.
            m_headComplete = true;
            m_head.clear();
        }
    }
    if (!m_headComplete) {
        const qsizetype end = m_head.indexOf(kEndOfHead);
        if (end < 0 || end + kEndOfHead.size() > m_limits.maxHeaderBytes) {
            if (end >= 0 || m_head.size() > m_limits.maxHeaderBytes)
                refuse(431, "Request Header Fields Too Large",
                       QStringLiteral("request line and headers are limited to %1 bytes").arg(m_limits.maxHeaderBytes));
            return;
        }
        m_head.truncate(end + kEndOfHead.size());
        m_headComplete = true;
        const qint64 length = announcedLength();
        if (length > m_limits.maxBodyBytes) {
            refuse(413, "Content Too Large", QStringLiteral("bodies are limited to %1 bytes").arg(m_limits.maxBodyBytes));
            return;
        }
    }
    if (m_received > m_limits.maxHeaderBytes + m_limits.maxBodyBytes)
        refuse(413, "Content Too Large", QStringLiteral("bodies are limited to %1 bytes").arg(m_limits.maxBodyBytes));
}

qint64 RequestGuard::announcedLength() const
{
    for (const QByteArray &line : m_head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0 || line.first(colon).trimmed().compare("content-length", Qt::CaseInsensitive) != 0)
            continue;
        bool ok = false;
        const qint64 length = line.sliced(colon + 1).trimmed().toLongLong(&ok);
        return ok && length >= 0 ? length : -2;
    }
    return -1;
}

void RequestGuard::refuse(int status, QByteArrayView reason, const QString &detail)
{
    qCInfo(lcGateway).noquote() << "refusing a request:" << status << detail;
    const QString type = status == 431 ? QStringLiteral("urn:mandate:problem:headers-too-large")
                                       : QStringLiteral("urn:mandate:problem:payload-too-large");
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
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason.toByteArray()
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
