// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

namespace mandate::api {

/// Follows one connection's HTTP/1.1 request bytes as they arrive, far enough to bound a request
/// before anything buffers it whole: its head (request line and headers), its body as announced
/// (Content-Length) and as received (chunked bodies). Knows nothing of sockets, so that it can
/// be tested and fuzzed alone; the gateway's RequestGuard feeds it.
///
/// The count starts again when the front end has taken the request (reset()). A pipelining
/// client may have sent the next request's start before that: bytes that do not begin like a
/// request line are then taken for such a tail, and only the total bound applies to them.
class RequestSizeCheck
{
public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 32 << 10;
        qsizetype maxBodyBytes = 1 << 20;
    };
    enum class Verdict { Fine, HeadTooLarge, BodyTooLarge };

    explicit RequestSizeCheck(Limits limits) : m_limits(limits) {}

    /// The bytes that have just arrived, of which only the first are given (`fresh`): `uncopied`
    /// more followed them. Past maxHeaderBytes + 4 bytes of a chunk, only their number matters.
    /// Once a verdict is not Fine, it stays so until reset().
    Verdict feed(QByteArrayView fresh, qint64 uncopied = 0);
    void reset();
    const Limits &limits() const { return m_limits; }

    /// The Content-Length of a request head: -1 without one, -2 when it is not a plain number.
    static qint64 contentLength(QByteArrayView head);
    /// Whether `bytes` can be the start of a request line (a method token and a space), as far
    /// as they go.
    static bool startsLikeARequest(QByteArrayView bytes);

private:
    Verdict checkHead();

    Limits m_limits;
    qint64 m_received = 0;  ///< bytes of the current request so far
    QByteArray m_head;      ///< the current request's head while it is incomplete
    bool m_headDone = false;
    Verdict m_verdict = Verdict::Fine;
};

} // namespace mandate::api
