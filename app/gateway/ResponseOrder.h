// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

#include <functional>
#include <map>

class QTcpSocket;

namespace mandate::gateway {

/// Keeps a connection's answers in the order of its requests, as HTTP/1.1 requires of
/// pipelined requests (RFC 9112, 9.3.2). Qt HttpServer reads a connection's next request while
/// the gateway is still deciding the one before, and a decision that waits for its audit
/// commit finishes after a health check sent behind it: written as they came, the client would
/// take each answer for another request's. Lives on the socket's thread, as a child of it.
class ResponseOrder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResponseOrder)

public:
    using Write = std::function<void()>;

    /// The place of the request just read on `socket` among its answers.
    static quint64 take(QTcpSocket *socket);
    /// Runs `write` (which answers request `place`) once every earlier answer has been written.
    static void deliver(QTcpSocket *socket, quint64 place, Write write);
    /// Places handed out on `socket` so far: the requests the front end has taken.
    static quint64 taken(QTcpSocket *socket);
    /// Requests taken on `socket` and not answered yet.
    static quint64 outstanding(QTcpSocket *socket);

private:
    explicit ResponseOrder(QTcpSocket *socket);
    static ResponseOrder *of(QTcpSocket *socket);

    quint64 m_taken = 0;    ///< places handed out
    quint64 m_written = 0;  ///< answers written, in order
    std::map<quint64, Write> m_waiting;
};

} // namespace mandate::gateway
