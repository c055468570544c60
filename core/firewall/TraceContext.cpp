// SPDX-License-Identifier: Apache-2.0
#include "firewall/TraceContext.h"

#include <QRandomGenerator>
#include <QRegularExpression>

namespace mandate::firewall {

namespace {

QString randomHex(int bytes)
{
    QByteArray data(bytes, Qt::Uninitialized);
    do {
        for (char &c : data)
            c = static_cast<char>(QRandomGenerator::global()->generate() & 0xff);
    } while (data.count('\0') == bytes);  // all-zero ids are invalid
    return QString::fromLatin1(data.toHex());
}

} // namespace

TraceContext TraceContext::continueOrStart(const QString &traceparent)
{
    static const QRegularExpression pattern(QStringLiteral("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$"));
    TraceContext context;
    const auto match = pattern.match(traceparent.trimmed());
    if (match.hasMatch() && match.captured(1) != QString(32, u'0') && match.captured(2) != QString(16, u'0')) {
        context.traceId = match.captured(1);
        context.parentSpanId = match.captured(2);
        context.sampled = (match.captured(3).toInt(nullptr, 16) & 1) != 0;
    } else {
        context.traceId = randomHex(16);
    }
    context.spanId = randomHex(8);
    return context;
}

QString TraceContext::header() const
{
    return QStringLiteral("00-%1-%2-%3").arg(traceId, spanId, sampled ? QStringLiteral("01") : QStringLiteral("00"));
}

} // namespace mandate::firewall
