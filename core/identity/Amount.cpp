// SPDX-License-Identifier: Apache-2.0
#include "identity/Amount.h"

#include <limits>

namespace mandate::identity {

std::optional<Amount> Amount::parse(const QString &text)
{
    const qsizetype dot = text.indexOf(QLatin1Char('.'));
    const QStringView whole = dot < 0 ? QStringView(text) : QStringView(text).left(dot);
    const QStringView fraction = dot < 0 ? QStringView() : QStringView(text).mid(dot + 1);
    if (whole.isEmpty() || whole.size() > 14 || (dot >= 0 && (fraction.isEmpty() || fraction.size() > 4)))
        return std::nullopt;
    if (whole.size() > 1 && whole.front() == QLatin1Char('0'))
        return std::nullopt;
    qint64 units = 0;
    for (QChar c : whole) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return std::nullopt;
        units = units * 10 + (c.unicode() - u'0');
    }
    qint64 fractionUnits = 0;
    for (int i = 0; i < 4; ++i) {
        fractionUnits *= 10;
        if (i < fraction.size()) {
            const QChar c = fraction[i];
            if (c < QLatin1Char('0') || c > QLatin1Char('9'))
                return std::nullopt;
            fractionUnits += c.unicode() - u'0';
        }
    }
    return fromUnits(units * Scale + fractionUnits);
}

QString Amount::toString() const
{
    // Units are split on their magnitude so that a negative amount prints as "-1.50", not "-1.-50".
    const bool negative = m_units < 0;
    const quint64 magnitude = negative ? 0 - static_cast<quint64>(m_units) : static_cast<quint64>(m_units);
    const quint64 whole = magnitude / Scale;
    quint64 fraction = magnitude % Scale;
    int digits = 4;
    while (digits > 2 && fraction % 10 == 0) {
        fraction /= 10;
        --digits;
    }
    return (negative ? QStringLiteral("-") : QString()) + QString::number(whole) + QLatin1Char('.')
        + QString::number(fraction).rightJustified(digits, QLatin1Char('0'));
}

} // namespace mandate::identity
