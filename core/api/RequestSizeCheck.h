// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

namespace mandate::api {

/// Frames one connection's HTTP/1.1 requests as their bytes arrive, far enough to bound each
/// before anything buffers it whole: its head (request line and headers) and its body, whose
/// length the head must announce (Content-Length). Knows nothing of sockets, so that it can be
/// tested and fuzzed alone; the gateway's RequestGuard feeds it.
///
/// Strict where parsers disagree, as a gateway must be against request smuggling: a body sent
/// without Content-Length (Transfer-Encoding) is refused (411), as are a Content-Length that is
/// not a plain number, two of them, bytes where a request line should start, a line ended by
/// anything but CRLF, a folded header line and a header name that is not a token (400). Empty
/// lines between requests are skipped, as HTTP/1.1 allows.
class RequestSizeCheck
{
public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 32 << 10;
        qsizetype maxBodyBytes = 1 << 20;
    };
    enum class Verdict { Fine, HeadTooLarge, BodyTooLarge, LengthRequired, BadRequest };

    explicit RequestSizeCheck(Limits limits) : m_limits(limits) {}

    /// The bytes that have just arrived. Once a verdict is not Fine, it stays.
    Verdict feed(QByteArrayView fresh);
    /// `count` bytes that are all body (count <= bodyLeft()): counted without being looked at.
    void skipBody(qint64 count);
    /// Bytes of the current request's body still to come.
    qint64 bodyLeft() const { return m_bodyLeft; }
    /// Whether a request has begun and is not complete yet.
    bool midRequest() const { return m_bodyLeft > 0 || !m_head.isEmpty() || m_blank > 0; }
    /// Requests whose head was complete and accepted.
    qint64 requests() const { return m_requests; }
    /// The number of the request being received (counting from 0): the one a verdict or a
    /// timeout is about.
    qint64 current() const { return m_bodyLeft > 0 ? m_requests - 1 : m_requests; }
    const Limits &limits() const { return m_limits; }

    /// The Content-Length of a request head: -1 without one, -2 when it is not a plain number
    /// or appears twice.
    static qint64 contentLength(QByteArrayView head);
    /// Whether a head carries a Transfer-Encoding header.
    static bool hasTransferEncoding(QByteArrayView head);
    /// Whether `bytes` can be the start of a request line (a method token and a space), as far
    /// as they go.
    static bool startsLikeARequest(QByteArrayView bytes);

private:
    /// Takes head bytes from `bytes`; returns how many it used.
    qsizetype takeHead(QByteArrayView bytes);
    Verdict checkHead() const;

    Limits m_limits;
    QByteArray m_head;       ///< the current request's head while it is incomplete
    qint64 m_blank = 0;      ///< CR and LF bytes skipped before it
    qint64 m_bodyLeft = 0;
    qint64 m_requests = 0;
    Verdict m_verdict = Verdict::Fine;
};

} // namespace mandate::api
