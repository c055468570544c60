// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringView>

#include <algorithm>
#include <optional>

namespace mandate::api {

/// `text` as an integer from `min` to `max` when it is written in decimal digits alone: what a
/// query or a path of the admin API takes as a number. QString::toLongLong() would also take a
/// sign and surrounding spaces ("+5", " 5"), which these refuse rather than read.
inline std::optional<qint64> plainNumber(QStringView text, qint64 min, qint64 max)
{
    const bool digits = !text.isEmpty() && text.size() <= 18
                        && std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
    if (!digits)
        return std::nullopt;
    const qint64 number = text.toLongLong();
    if (number < min || number > max)
        return std::nullopt;
    return number;
}

} // namespace mandate::api
