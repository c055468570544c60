// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/RequestSizeCheck.h"

#include <QObject>

class QTcpSocket;

namespace mandate::gateway {

/// Bounds what a connection may send before its request reaches the gateway. Qt HttpServer
/// buffers a whole request, head and body, before handing it over, so the body limit checked
/// there came too late: a client announcing or sending 300 MB made the gateway hold them all.
/// The guard sees the bytes first (its readyRead slot is connected before Qt's) and feeds them
/// to an api::RequestSizeCheck: past the limits it answers 431 (head) or 413 (body), stops Qt
/// from reading any more and closes the connection. The front end tells the guard when it has
/// taken a request (requestTaken()), and the next one is counted afresh.
class RequestGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestGuard)

public:
    using Limits = api::RequestSizeCheck::Limits;

    /// Guards `socket` from now on; call before anyone else connects to its readyRead.
    static void attach(QTcpSocket *socket, Limits limits);
    /// The request being received on `socket` was taken whole; the next one is counted afresh.
    static void requestTaken(QTcpSocket *socket);

private:
    RequestGuard(QTcpSocket *socket, Limits limits);
    void onReadyRead();
    void refuse(api::RequestSizeCheck::Verdict verdict);

    QTcpSocket *m_socket;
    api::RequestSizeCheck m_check;
};

} // namespace mandate::gateway
