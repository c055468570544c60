// SPDX-License-Identifier: Apache-2.0
#include "common/Rfc3339.h"

namespace mandate {

QDateTime parseRfc3339(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
    // A date alone, or a time without "Z" or an offset, comes back as local time.
    if (!time.isValid() || time.timeSpec() == Qt::LocalTime)
        return {};
    return time;
}

} // namespace mandate
