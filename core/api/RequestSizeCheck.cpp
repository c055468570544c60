// SPDX-License-Identifier: Apache-2.0
#include "api/RequestSizeCheck.h"

#include <algorithm>

namespace mandate::api {

namespace {

constexpr QByteArrayView kEndOfHead = "\r\n\r\n";
constexpr qsizetype kLongestMethod = 16;

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
    qsizetype start = 0;
    while (start < head.size()) {
        qsizetype end = head.indexOf('\n', start);
        if (end < 0)
            end = head.size();
        const QByteArrayView line = head.sliced(start, end - start);
        start = end + 1;
        const qsizetype colon = line.indexOf(':');
        if (colon < 0 || line.first(colon).trimmed().compare("content-length", Qt::CaseInsensitive) != 0)
            continue;
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        // Digits only: "+5", "0x10" or " 1 2" are not lengths, whatever toLongLong() thinks.
        if (value.isEmpty() || value.size() > 18 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return -2;
        return value.toLongLong();
    }
    return -1;
}

RequestSizeCheck::Verdict RequestSizeCheck::feed(QByteArrayView fresh, qint64 uncopied)
{
    if (m_verdict != Verdict::Fine || (fresh.isEmpty() && uncopied <= 0))
        return m_verdict;
    m_received += fresh.size() + std::max<qint64>(uncopied, 0);
    if (!m_headDone) {
        // At most one byte past the limit is kept: enough to know the head is too long.
        const qsizetype room = std::max<qsizetype>(0, m_limits.maxHeaderBytes + kEndOfHead.size() - m_head.size());
        m_head += fresh.first(std::min(fresh.size(), room));
        if (!startsLikeARequest(m_head)) {
            m_headDone = true;  // the tail of a pipelined request: its boundary is unknown
            m_head.clear();
        } else if (Verdict head = checkHead(); head != Verdict::Fine) {
            return m_verdict = head;
        }
    }
    if (m_received > m_limits.maxHeaderBytes + m_limits.maxBodyBytes)
        m_verdict = Verdict::BodyTooLarge;
    return m_verdict;
}

RequestSizeCheck::Verdict RequestSizeCheck::checkHead()
{
    const qsizetype end = m_head.indexOf(kEndOfHead);
    if (end < 0)
        return m_head.size() > m_limits.maxHeaderBytes ? Verdict::HeadTooLarge : Verdict::Fine;
    if (end + kEndOfHead.size() > m_limits.maxHeaderBytes)
        return Verdict::HeadTooLarge;
    m_head.truncate(end + kEndOfHead.size());
    m_headDone = true;
    return contentLength(m_head) > m_limits.maxBodyBytes ? Verdict::BodyTooLarge : Verdict::Fine;
}

void RequestSizeCheck::reset()
{
    m_received = 0;
    m_head.clear();
    m_headDone = false;
    m_verdict = Verdict::Fine;
}

} // namespace mandate::api
