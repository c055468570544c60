// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringView>

namespace mandate {

/// The value of one hex digit, either case; -1 for any other character.
constexpr int hexDigitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// `text` is exactly `digits` lower-case hex digits, and not all of them zero when `nonZero`
/// (W3C trace context forbids all-zero trace and span ids).
inline bool isLowerHex(QStringView text, qsizetype digits, bool nonZero)
{
    if (text.size() != digits)
        return false;
    bool zero = true;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f')))
            return false;
        zero = zero && u == u'0';
    }
    return !(nonZero && zero);
}

} // namespace mandate
