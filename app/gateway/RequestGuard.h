// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QObject>

class QTcpSocket;

namespace mandate::gateway {

/// Bounds what a connection may send before its request reaches the gateway. Qt HttpServer
/// buffers a whole request, head and body, before handing it over, so the body limit checked
/// there came too late: a client announcing or sending 300 MB made the gateway hold them all.
/// The guard sees the bytes first (its readyRead slot is connected before Qt's), and answers
///   431 when the head (request line and headers) exceeds maxHeaderBytes,
///   413 when the head announces a Content-Length over maxBodyBytes, or when more than
///       maxHeaderBytes + maxBodyBytes arrive for one request (chunked bodies),
/// then closes the connection without letting Qt read any more. The front end tells the guard
/// when a request has been taken (requestTaken()), which starts the count again.
class RequestGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestGuard)

public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 32 << 10;
        qsizetype maxBodyBytes = 1 << 20;
    };

    /// Guards `socket` from now on; call before anyone else connects to its readyRead.
    static void attach(QTcpSocket *socket, Limits limits);
    /// The request being received on `socket` was taken whole; the next one is counted afresh.
    static void requestTaken(QTcpSocket *socket);

private:
    RequestGuard(QTcpSocket *socket, Limits limits);
    void onReadyRead();
    /// Reads the head's Content-Length; -1 when there is none, -2 when it is not a number.
    qint64 announcedLength() const;
    void refuse(int status, QByteArrayView reason, const QString &detail);

    QTcpSocket *m_socket;
    Limits m_limits;
    qsizetype m_received = 0;  ///< bytes of the current request seen so far
    QByteArray m_head;         ///< the current request's head while it is incomplete
    bool m_headComplete = false;
};

} // namespace mandate::gateway
