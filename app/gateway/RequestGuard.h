// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/RequestSizeCheck.h"

#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace mandate::gateway {

/// Bounds what a connection may send before its request reaches the gateway. Qt HttpServer
/// buffers a whole request, head and body, before handing it over, and reserves a body's
/// announced length at its first byte, so limits checked there come too late. The guard sees
/// the bytes first (its readyRead slot is connected before Qt's) and frames them with an
/// api::RequestSizeCheck; a request must also be complete within `requestTimeoutMs` of its
/// first byte, or a client sending one byte now and then would hold its slot for ever.
///
/// A refused request gets its answer (431, 413, 411, 400, 408) after the answers to the
/// requests before it, when those all reached the front end; a pipelining client whose earlier
/// requests had not, gets no answer to them but a closed connection, which it can retry from,
/// rather than an answer it would take for another request's. Either way Qt reads nothing more.
class RequestGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestGuard)

public:
    struct Limits
    {
        api::RequestSizeCheck::Limits size;
        int requestTimeoutMs = 60'000;
    };

    /// Guards `socket` from now on; call before anyone else connects to its readyRead.
    static RequestGuard *attach(QTcpSocket *socket, Limits limits);
    /// To be connected after Qt HttpServer's readyRead slot: Qt may leave a pipelined request's
    /// bytes in the buffer and read them later, and they must not be counted twice.
    void serverHasRead();
    QTcpSocket *socket() const { return m_socket; }

private:
    RequestGuard(QTcpSocket *socket, Limits limits);
    void onReadyRead();
    struct Refusal
    {
        int status;
        QByteArray reason;
        QString type;
        QString detail;
    };
    Refusal refusalFor(api::RequestSizeCheck::Verdict verdict) const;
    void refuse(const Refusal &refusal);
    void closeAfterLinger();

    QTcpSocket *m_socket;
    api::RequestSizeCheck m_check;
    qint64 m_seenUnread = 0;  ///< bytes in the socket's buffer already fed to the check
    QTimer m_deadline;
};

} // namespace mandate::gateway
