// SPDX-License-Identifier: Apache-2.0
#include "common/RetryAfter.h"

#include <QLocale>

#include <algorithm>
#include <limits>

namespace mandate {

namespace {

/// RFC 9110 §5.6.7: IMF-fixdate, then the obsolete RFC 850 and asctime forms, always in GMT.
QDateTime httpDate(const QString &text)
{
    const QLocale c = QLocale::c();  // day and month names in English, whatever the locale
    QDateTime date = c.toDateTime(text, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
    if (!date.isValid()) {
        date = c.toDateTime(text, QStringLiteral("dddd, dd-MMM-yy hh:mm:ss 'GMT'"));
        // A two-digit year more than 50 years ahead is in the past century (§5.6.7).
        if (date.isValid() && date.date().year() < 1970)
            date = date.addYears(100);
    }
    if (!date.isValid())
        date = c.toDateTime(QString(text).replace(QStringLiteral("  "), QStringLiteral(" ")), QStringLiteral("ddd MMM d hh:mm:ss yyyy"));
    if (date.isValid())
        date.setTimeSpec(Qt::UTC);
    return date;
}

} // namespace

int retryAfterSecs(QByteArrayView value, const QDateTime &now)
{
    const QByteArrayView trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return 0;
    if (std::all_of(trimmed.begin(), trimmed.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        bool ok = false;
        const qint64 secs = trimmed.toLongLong(&ok);
        return ok ? int(std::min<qint64>(secs, std::numeric_limits<int>::max())) : std::numeric_limits<int>::max();
    }
    const QDateTime until = httpDate(QString::fromLatin1(trimmed));
    if (!until.isValid())
        return 0;
    return int(std::clamp<qint64>(now.secsTo(until), 0, std::numeric_limits<int>::max()));
}

} // namespace mandate
