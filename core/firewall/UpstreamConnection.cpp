// SPDX-License-Identifier: Apache-2.0
#include "firewall/UpstreamConnection.h"

#include "firewall/ResponseFraming.h"

#include <QHostAddress>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <system_error>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mandate::firewall {

namespace {

constexpr qsizetype MaxHeaderBytes = 64 * 1024;

bool isIdempotent(const QByteArray &method)
{
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

bool isSafeHeaderText(const QByteArray &text)
{
    return !text.contains('\r') && !text.contains('\n');
}

/// A hop-by-hop or framing header that this connection writes itself.
bool isOwnHeader(const QByteArray &name)
{
    for (const char *own : {"host", "content-length", "connection", "transfer-encoding"}) {
        if (name.compare(own, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QString tooLarge(qsizetype limit)
{
    return QStringLiteral("the upstream response exceeds %1 bytes").arg(limit);
}

QString systemError(int error)
{
    return QString::fromStdString(std::system_category().message(error));
}

int remainingMs(const QDeadlineTimer &deadline)
{
    return static_cast<int>(std::clamp<qint64>(deadline.remainingTime(), 0, std::numeric_limits<int>::max()));
}

} // namespace

UpstreamResponse UpstreamConnection::exchange(const QByteArray &method, const QUrl &url, const QByteArray &body,
                                              const QList<QPair<QByteArray, QByteArray>> &headers,
                                              const UpstreamForwarder::Limits &limits)
{
    const QDeadlineTimer deadline(limits.timeoutMs);
    const QString host = url.host();
    const quint16 port = static_cast<quint16>(url.port(80));
    UpstreamResponse response;

    QByteArray target = url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (target.isEmpty())
        target = "/";
    QByteArray authority = url.host(QUrl::FullyEncoded).toLatin1();
    if (authority.contains(':'))
        authority = '[' + authority + ']';
    if (url.port() != -1 && url.port() != 80)
        authority += ':' + QByteArray::number(url.port());
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    for (const auto &[name, value] : headers) {
        if (!isSafeHeaderText(name) || !isSafeHeaderText(value)) {
            response.error = QStringLiteral("a header for the upstream contains a line break");
            response.sent = false;
            return response;
        }
        if (!isOwnHeader(name))
            request += name + ": " + value + "\r\n";
    }
    if (!body.isEmpty() || (method != "GET" && method != "HEAD" && method != "DELETE"))
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "\r\n" + body;

    for (int round = 0; round < 2; ++round) {
        // Unsolicited bytes or a close on a kept connection: not one to trust with a request.
        const bool reused = m_fd >= 0 && m_host == host && m_port == port && idle();
        if (!reused && !connectTo(host, port, deadline)) {
            response.error = QStringLiteral("the upstream is unreachable: ") + m_error;
            response.problemStatus = m_timedOut ? 504 : m_retryable ? 503 : 502;
            // No connection: nothing of the request left, unless a first round on a kept
            // connection may have delivered it before that closed.
            response.sent = round > 0;
            close();
            return response;
        }
        response = {};
        const Outcome outcome = attempt(request, method == "HEAD", limits, deadline, response);
        if (outcome == Outcome::Done)
            return response;
        close();
        m_buffer.clear();
        // Closed before any answer on a kept connection: the request may be sent again only when
        // repeating it is harmless (a refund must not be made twice).
        if (outcome == Outcome::Stale && reused && isIdempotent(method))
            continue;
        if (response.error.isEmpty()) {
            response.error = QStringLiteral("the upstream is unreachable: the connection closed before an answer");
            response.problemStatus = 502;
        }
        return response;
    }
    return response;
}

void UpstreamConnection::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

bool UpstreamConnection::idle() const
{
    pollfd probe{m_fd, POLLIN, 0};
    return ::poll(&probe, 1, 0) == 0;
}

bool UpstreamConnection::wait(short events, const QDeadlineTimer &deadline)
{
    for (;;) {
        pollfd ready{m_fd, events, 0};
        const int polled = ::poll(&ready, 1, remainingMs(deadline));
        if (polled > 0)
            return true;  // ready, or an error or hang-up that the next call reports
        if (polled == 0) {
            m_timedOut = true;
            return false;
        }
        if (errno != EINTR)
            return false;
    }
}

bool UpstreamConnection::connectTo(const QString &host, quint16 port, const QDeadlineTimer &deadline)
{
    close();
    m_buffer.clear();
    m_host.clear();
    m_port = port;
    m_timedOut = false;
    m_retryable = false;
    const HostResolver::Answer resolved = m_resolver.resolve(host, deadline);
    const QList<QHostAddress> &addresses = resolved.addresses;
    if (addresses.isEmpty()) {
        m_error = resolved.error;
        m_timedOut = resolved.timedOut;
        m_retryable = resolved.busy || resolved.temporary;
        return false;
    }
    // Each address in turn, as QTcpSocket does: "localhost" may name ::1 before 127.0.0.1.
    for (const QHostAddress &address : std::as_const(addresses)) {
        if (connectAddress(address, port, deadline)) {
            m_host = host;
            return true;
        }
        if (m_timedOut)
            break;
    }
    return false;
}

bool UpstreamConnection::connectAddress(const QHostAddress &address, quint16 port, const QDeadlineTimer &deadline)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    m_fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        m_error = systemError(errno);
        return false;
    }
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // a request is one write; do not hold its tail
    int error = 0;
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&storage), length) != 0) {
        error = errno;
        if (error == EINPROGRESS) {
            socklen_t size = sizeof error;
            if (!wait(POLLOUT, deadline))
                error = m_timedOut ? ETIMEDOUT : errno;
            else if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
                error = errno;
        }
    }
    if (error != 0) {
        m_error = systemError(error);
        close();
        return false;
    }
    return true;
}

bool UpstreamConnection::sendAll(const QByteArray &bytes, const QDeadlineTimer &deadline)
{
    qsizetype sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(m_fd, bytes.constData() + sent, static_cast<size_t>(bytes.size() - sent), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait(POLLOUT, deadline))
                return false;
        } else {
            return false;
        }
    }
    return true;
}

bool UpstreamConnection::fill(const QDeadlineTimer &deadline)
{
    for (;;) {
        const qsizetype at = m_buffer.size();
        m_buffer.resize(at + 16 * 1024);
        const ssize_t n = ::recv(m_fd, m_buffer.data() + at, 16 * 1024, 0);
        int error = errno;
        m_buffer.resize(at + std::max<ssize_t>(0, n));
        if (n > 0)
            return true;
        if (n == 0)
            return false;  // closed by the upstream
        if (error == EINTR)
            continue;
        if (error == EAGAIN || error == EWOULDBLOCK) {
            if (wait(POLLIN, deadline))
                continue;
            error = errno;
        }
        if (!m_timedOut)
            m_readError = error;
        return false;
    }
}

bool UpstreamConnection::readLine(QByteArray &line, const QDeadlineTimer &deadline)
{
    for (;;) {
        if (const qsizetype end = m_buffer.indexOf("\r\n"); end >= 0) {
            line = m_buffer.left(end);
            m_buffer.remove(0, end + 2);
            return true;
        }
        if (m_buffer.size() > MaxHeaderBytes || !fill(deadline))
            return false;
    }
}

bool UpstreamConnection::readBody(qint64 length, qsizetype limit, QByteArray &body, const QDeadlineTimer &deadline)
{
    if (length < 0 || length > limit - body.size())  // not body.size() + length: that sum can overflow
        return false;
    while (m_buffer.size() < length) {
        if (!fill(deadline))
            return false;
    }
    body += m_buffer.left(length);
    m_buffer.remove(0, length);
    return true;
}

bool UpstreamConnection::readChunked(qsizetype limit, QByteArray &body, const QDeadlineTimer &deadline, bool &tooLargeBody)
{
    QByteArray line;
    for (;;) {
        if (!readLine(line, deadline))
            return false;
        const std::optional<quint64> size = framing::chunkSize(line);
        if (!size)
            return false;
        if (*size == 0)
            break;
        if (*size > static_cast<quint64>(limit - body.size())) {  // the body never exceeds the limit
            tooLargeBody = true;
            return false;
        }
        if (!readBody(static_cast<qint64>(*size), limit, body, deadline) || !readLine(line, deadline) || !line.isEmpty())
            return false;
    }
    do {  // trailers, up to the empty line
        if (!readLine(line, deadline))
            return false;
    } while (!line.isEmpty());
    return true;
}

UpstreamConnection::Outcome UpstreamConnection::attempt(const QByteArray &request, bool headRequest,
                                                        const UpstreamForwarder::Limits &limits,
                                                        const QDeadlineTimer &deadline, UpstreamResponse &response)
{
    m_timedOut = false;
    m_readError = 0;
    const auto failed = [&](const QString &why) {
        if (m_timedOut) {
            response.error = QStringLiteral("the upstream did not answer within %1 ms").arg(limits.timeoutMs);
            response.problemStatus = 504;
        } else {
            response.error = why;
        }
        return Outcome::Failed;
    };
    if (!sendAll(request, deadline))
        return m_timedOut ? failed({}) : Outcome::Stale;

    QByteArray line;
    int status = 0;
    framing::Head head;
    do {  // informational answers (100 Continue, 103) precede the real one
        if (!readLine(line, deadline)) {
            if (m_buffer.isEmpty() && !m_timedOut)
                return Outcome::Stale;
            return failed(QStringLiteral("the upstream's answer is malformed or incomplete"));
        }
        const QList<QByteArray> parts = line.split(' ');
        status = parts.size() >= 2 && parts[0].startsWith("HTTP/1.") && framing::isThreeDigits(parts[1]) ? parts[1].toInt() : 0;
        if (status < 100)
            return failed(QStringLiteral("the upstream's answer is not HTTP/1.x"));
        head = framing::Head{};
        head.keepAlive = parts[0] == "HTTP/1.1";
        qsizetype headerBytes = 0;
        for (;;) {
            if (!readLine(line, deadline))
                return failed(QStringLiteral("the upstream's headers are malformed, incomplete or too large"));
            if (line.isEmpty())
                break;
            if ((headerBytes += line.size()) > MaxHeaderBytes)
                return failed(QStringLiteral("the upstream's headers are too large"));
            if (const QString malformed = framing::takeField(line, head); !malformed.isEmpty())
                return failed(malformed);
        }
        if (const QString ambiguous = framing::checkFraming(head); !ambiguous.isEmpty())
            return failed(ambiguous);
    } while (status >= 100 && status < 200);

    if (status > 599)
        return failed(QStringLiteral("the upstream answered with status %1, which is not a final HTTP status").arg(status));

    if (status >= 300 && status < 400) {
        response.error = QStringLiteral("the upstream answered with a redirect (%1), which the firewall does not follow").arg(status);
        return Outcome::Failed;  // the connection is dropped rather than its body read
    }
    QByteArray body;
    bool bodyTooLarge = false;
    if (headRequest || status == 204 || status == 304) {
        // no body
    } else if (head.transferCodings) {  // checkFraming let through only codings that end in chunked
        if (!readChunked(limits.maxResponseBytes, body, deadline, bodyTooLarge))
            return failed(bodyTooLarge ? tooLarge(limits.maxResponseBytes) : QStringLiteral("the upstream's chunked body is malformed or incomplete"));
    } else if (head.length) {
        if (*head.length > limits.maxResponseBytes)
            return failed(tooLarge(limits.maxResponseBytes));
        if (!readBody(*head.length, limits.maxResponseBytes, body, deadline))
            return failed(QStringLiteral("the upstream's body is incomplete"));
    } else {
        // Delimited by the end of the connection.
        while (fill(deadline)) {
            if (m_buffer.size() > limits.maxResponseBytes)
                return failed(tooLarge(limits.maxResponseBytes));
        }
        if (m_timedOut)
            return failed({});
        if (m_readError != 0)  // a reset is no end of the body: what came so far may be cut anywhere
            return failed(QStringLiteral("the upstream's connection broke before the end of its answer: ") + systemError(m_readError));
        body = std::exchange(m_buffer, {});
        head.keepAlive = false;
    }
    if (!head.keepAlive || !m_buffer.isEmpty())
        close();  // closed by the upstream, or bytes that belong to no request
    m_buffer.clear();
    response.status = status;
    response.contentType = head.contentType;
    response.body = std::move(body);
    return Outcome::Done;
}

} // namespace mandate::firewall
