// SPDX-License-Identifier: Apache-2.0
#include "api/RequestSizeCheck.h"

#include "common/HttpToken.h"

#include <algorithm>

namespace mandate::api {

namespace {

constexpr QByteArrayView kEndOfHead = "\r\n\r\n";
constexpr qsizetype kLongestMethod = 16;

/// Calls `line` with each header line's name and value (the request line has no colon, or
/// one only after a space, and is skipped by the callers' name checks).
template<typename Visit>
void forEachHeader(QByteArrayView head, Visit visit)
{
    qsizetype start = head.indexOf('\n') + 1;  // past the request line
    while (start > 0 && start < head.size()) {
        qsizetype end = head.indexOf('\n', start);
        if (end < 0)
            end = head.size();
        const QByteArrayView line = head.sliced(start, end - start);
        start = end + 1;
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            visit(line.first(colon).trimmed(), line.sliced(colon + 1).trimmed());
    }
}

/// Whether every CR and LF in `head` from `from` on is one of a CRLF pair (a CR at the very end
/// may be waiting for its LF). Qt's HTTP parser also ends a line at a bare LF, and a head at LF
/// LF: read here as header text, such a head would pass unchecked (RFC 9112 §2.2).
bool linesEndInCrLf(QByteArrayView head, qsizetype from)
{
    for (qsizetype i = std::max<qsizetype>(from, 0); i < head.size(); ++i) {
        if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r'))
            return false;
        if (head[i] == '\r' && i + 1 < head.size() && head[i + 1] != '\n')
            return false;
    }
    return true;
}

/// Whether each header line of a complete head is "name: value" with a token for a name, which
/// RFC 9112 §5 requires: no line folded onto the one before (a leading space or tab, §5.2), no
/// space before the colon (§5.1). Another parser would read such a line another way (a folded
/// "Content-Length" is part of the line above to Qt's), so the gateway refuses it (400).
bool headerLinesWellFormed(QByteArrayView head)
{
    qsizetype start = head.indexOf("\r\n") + 2;  // past the request line
    while (start > 1 && start < head.size()) {
        const qsizetype end = head.indexOf("\r\n", start);
        if (end == start)
            return true;  // the empty line that ends the head
        if (end < 0)
            return false;
        const QByteArrayView line = head.sliced(start, end - start);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !std::all_of(line.begin(), line.begin() + colon, isHttpTokenChar))
            return false;
        start = end + 2;
    }
    return true;
}

} // namespace

bool RequestSizeCheck::startsLikeARequest(QByteArrayView bytes)
{
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == ' ')
            return i > 0;
        if (c < 'A' || c > 'Z' || i >= kLongestMethod)
            return false;
    }
    return true;  // too short to tell yet
}

qint64 RequestSizeCheck::contentLength(QByteArrayView head)
{
    qint64 length = -1;
    forEachHeader(head, [&length](QByteArrayView name, QByteArrayView value) {
        if (name.compare("content-length", Qt::CaseInsensitive) != 0 || length == -2)
            return;
        // Digits only: "+5", "0x10" or "1 2" are not lengths, whatever toLongLong() thinks.
        const bool digits = !value.isEmpty() && value.size() <= 18
                            && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
        length = digits && length == -1 ? value.toLongLong() : -2;  // a second one is refused too
    });
    return length;
}

bool RequestSizeCheck::hasTransferEncoding(QByteArrayView head)
{
    bool found = false;
    forEachHeader(head, [&found](QByteArrayView name, QByteArrayView) {
        found = found || name.compare("transfer-encoding", Qt::CaseInsensitive) == 0;
    });
    return found;
}

RequestSizeCheck::Verdict RequestSizeCheck::feed(QByteArrayView fresh)
{
    qsizetype at = 0;
    while (at < fresh.size() && m_verdict == Verdict::Fine) {
        if (m_bodyLeft > 0) {
            const qint64 body = std::min<qint64>(m_bodyLeft, fresh.size() - at);
            m_bodyLeft -= body;
            at += body;
            continue;
        }
        at += takeHead(fresh.sliced(at));
    }
    return m_verdict;
}

void RequestSizeCheck::skipBody(qint64 count)
{
    m_bodyLeft -= std::clamp<qint64>(count, 0, m_bodyLeft);
}

qsizetype RequestSizeCheck::takeHead(QByteArrayView bytes)
{
    qsizetype at = 0;
    if (m_head.isEmpty()) {
        // Empty lines before a request line are skipped, as HTTP/1.1 servers should; not forever.
        while (at < bytes.size() && (bytes[at] == '\r' || bytes[at] == '\n'))
            ++at;
        m_blank += at;
        if (m_blank > m_limits.maxHeaderBytes) {
            m_verdict = Verdict::HeadTooLarge;
            return at;
        }
        if (at == bytes.size())
            return at;
    }
    // At most a few bytes past the limit are kept: enough to know the head is too long.
    const qsizetype before = m_head.size();
    const qsizetype room = std::max<qsizetype>(0, m_limits.maxHeaderBytes + kEndOfHead.size() - before);
    m_head += bytes.sliced(at).first(std::min(room, bytes.size() - at));
    const qsizetype end = m_head.indexOf(kEndOfHead, std::max<qsizetype>(0, before - (kEndOfHead.size() - 1)));
    // What follows the head is body (or the next request): only the head's lines are looked at.
    const QByteArrayView head = end < 0 ? QByteArrayView(m_head) : QByteArrayView(m_head).first(end + kEndOfHead.size());
    // Only the bytes within the limit are judged; those past it only show where the head ends.
    // Otherwise the verdict would depend on how the bytes arrived: a malformed line just past
    // the limit is seen in one arrival, but not byte by byte, where the head is too large first.
    const QByteArrayView judged = head.first(std::min(head.size(), m_limits.maxHeaderBytes));
    if (!startsLikeARequest(judged) || !linesEndInCrLf(judged, before - 1)) {
        m_verdict = Verdict::BadRequest;
        return bytes.size();
    }
    if (end < 0) {
        if (m_head.size() > m_limits.maxHeaderBytes)
            m_verdict = Verdict::HeadTooLarge;
        return bytes.size();
    }
    const qsizetype headSize = end + kEndOfHead.size();
    if (headSize > m_limits.maxHeaderBytes) {
        m_verdict = Verdict::HeadTooLarge;
        return bytes.size();
    }
    m_head.truncate(headSize);
    if ((m_verdict = checkHead()) != Verdict::Fine)
        return bytes.size();
    m_bodyLeft = std::max<qint64>(contentLength(m_head), 0);
    m_head.clear();
    m_blank = 0;
    ++m_requests;
    return at + (headSize - before);
}

RequestSizeCheck::Verdict RequestSizeCheck::checkHead() const
{
    if (!headerLinesWellFormed(m_head))
        return Verdict::BadRequest;
    if (hasTransferEncoding(m_head))
        return Verdict::LengthRequired;
    const qint64 length = contentLength(m_head);
    if (length == -2)
        return Verdict::BadRequest;
    return length > m_limits.maxBodyBytes ? Verdict::BodyTooLarge : Verdict::Fine;
}

} // namespace mandate::api
