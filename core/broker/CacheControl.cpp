// SPDX-License-Identifier: Apache-2.0
#include "broker/CacheControl.h"

#include "common/HttpToken.h"

#include <QByteArray>

#include <limits>

namespace mandate::broker {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

/// Delta-seconds (RFC 9111 §1.2.2): digits only; values beyond the range saturate.
std::optional<qint64> deltaSeconds(QByteArrayView digits)
{
    if (digits.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value > (std::numeric_limits<qint32>::max() - 9) / 10 ? std::numeric_limits<qint32>::max() : value * 10 + (c - '0');
    }
    return value;
}

} // namespace

std::optional<qint64> CacheControl::maxAgeSecs(QByteArrayView header)
{
    std::optional<qint64> maxAge;
    bool noCache = false;
    qsizetype i = 0;
    const qsizetype n = header.size();
    while (i < n) {
        while (i < n && (isSpace(header[i]) || header[i] == ','))
            ++i;
        if (i == n)
            break;
        const qsizetype nameStart = i;
        while (i < n && isHttpTokenChar(header[i]))
            ++i;
        if (i == nameStart)
            return std::nullopt;
        const QByteArray name = header.sliced(nameStart, i - nameStart).toByteArray().toLower();
        QByteArray value;
        bool hasValue = false;
        if (i < n && header[i] == '=') {
            hasValue = true;
            ++i;
            if (i < n && header[i] == '"') {
                ++i;
                while (i < n && header[i] != '"') {
                    if (header[i] == '\\') {
                        if (++i == n)
                            return std::nullopt;
                    }
                    value.append(header[i++]);
                }
                if (i == n)
                    return std::nullopt;  // unterminated quoted string
                ++i;
            } else {
                const qsizetype valueStart = i;
                while (i < n && isHttpTokenChar(header[i]))
                    ++i;
                value = header.sliced(valueStart, i - valueStart).toByteArray();
            }
        }
        while (i < n && isSpace(header[i]))
            ++i;
        if (i < n && header[i] != ',')
            return std::nullopt;
        if (name == "max-age") {
            const std::optional<qint64> seconds = hasValue ? deltaSeconds(value) : std::nullopt;
            if (!seconds || (maxAge && *maxAge != *seconds))
                return std::nullopt;
            maxAge = seconds;
        } else if (name == "no-store" || name == "no-cache") {
            noCache = true;
        }
    }
    if (noCache)
        return 0;
    return maxAge;
}

} // namespace mandate::broker
