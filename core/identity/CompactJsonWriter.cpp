// SPDX-License-Identifier: Apache-2.0
#include "identity/CompactJsonWriter.h"

#include "json/JsonWriter.h"

#include <QDateTime>

namespace mandate::identity {

void CompactJsonWriter::key(const char *latin1Name)
{
    separate();
    m_out.append('"');
    json::appendEscaped(m_out, QByteArrayView(latin1Name));
    m_out.append("\":", 2);
    m_afterKey = true;
}

void CompactJsonWriter::string(const QString &value)
{
    separate();
    m_out.append('"');
    json::appendEscaped(m_out, value);
    m_out.append('"');
}

void CompactJsonWriter::string(QLatin1StringView value)
{
    string(QString(value));
}

void CompactJsonWriter::integer(qint64 value)
{
    separate();
    m_out.append(QByteArray::number(value));
}

void CompactJsonWriter::null()
{
    separate();
    m_out.append("null", 4);
}

void CompactJsonWriter::strings(const QStringList &values)
{
    beginArray();
    for (const QString &value : values)
        string(value);
    endArray();
}

void CompactJsonWriter::raw(QByteArrayView json)
{
    separate();
    m_out.append(json);
}

void CompactJsonWriter::isoTime(qint64 secsSinceEpoch)
{
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm); years 0..9999 only, which
    // is what Qt::ISODate prints without a sign or extra digits.
    const qint64 days = secsSinceEpoch >= 0 ? secsSinceEpoch / 86400 : (secsSinceEpoch - 86399) / 86400;
    const qint64 secsOfDay = secsSinceEpoch - days * 86400;
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) {
        string(QDateTime::fromSecsSinceEpoch(secsSinceEpoch, Qt::UTC).toString(Qt::ISODate));
        return;
    }
    char text[22];
    const auto two = [&text](int at, qint64 v) {
        text[at] = char('0' + v / 10);
        text[at + 1] = char('0' + v % 10);
    };
    text[0] = '"';
    two(1, year / 100);
    two(3, year % 100);
    text[5] = '-';
    two(6, month);
    text[8] = '-';
    two(9, day);
    text[11] = 'T';
    two(12, secsOfDay / 3600);
    text[14] = ':';
    two(15, secsOfDay / 60 % 60);
    text[17] = ':';
    two(18, secsOfDay % 60);
    text[20] = 'Z';
    text[21] = '"';
    separate();
    m_out.append(text, sizeof text);
}

} // namespace mandate::identity
