// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringView>

namespace mandate {

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
