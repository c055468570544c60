// SPDX-License-Identifier: Apache-2.0
#include "firewall/TraceContext.h"

#include "common/Hex.h"
#include "crypto/Random.h"

#include <QRandomGenerator>

namespace mandate::firewall {

namespace {

/// A random id of `bytes` bytes as lower-case hex, never all zeros (W3C: invalid).
QString randomHex(int bytes)
{
    for (;;) {
        Result<QByteArray> data = crypto::Random::identifierBytes(bytes);
        if (!data) {  // the DRBG failed: ids need to be unique, not secret
            data = QByteArray(bytes, Qt::Uninitialized);
            for (char &c : data.value())
                c = static_cast<char>(QRandomGenerator::global()->generate());
        }
        if (data->count('\0') != bytes)
            return QString::fromLatin1(data->toHex());
    }
}

/// The header parsed as W3C Trace Context asks (§ 3.2.2.1 and "Versioning of traceparent"):
/// version 00 is exactly 55 characters; a later version (not ff, which is invalid) is read by
/// the 00 layout as far as it goes, and may go on after a '-' with fields we do not know.
bool readTraceparent(QStringView header, TraceContext &context)
{
    // "00-" trace id (32 hex) "-" parent id (16 hex) "-" flags (2 hex): 55 characters.
    constexpr qsizetype kVersion00Size = 55;
    if (header.size() < kVersion00Size || !isLowerHex(header.first(2), 2, false) || header.startsWith(u"ff"))
        return false;
    const bool version00 = header.startsWith(u"00");
    if (version00 ? header.size() != kVersion00Size : header.size() > kVersion00Size && header[kVersion00Size] != u'-')
        return false;
    if (header[2] != u'-' || header[35] != u'-' || header[52] != u'-' || !isLowerHex(header.mid(3, 32), 32, true)
        || !isLowerHex(header.mid(36, 16), 16, true) || !isLowerHex(header.mid(53, 2), 2, false))
        return false;
    context.traceId = header.mid(3, 32).toString();
    context.parentSpanId = header.mid(36, 16).toString();
    context.sampled = (header.mid(53, 2).toInt(nullptr, 16) & 1) != 0;
    return true;
}

} // namespace

TraceContext TraceContext::continueOrStart(const QString &traceparent)
{
    TraceContext context;
    if (!readTraceparent(QStringView(traceparent).trimmed(), context))  // sets nothing when false
        context.traceId = randomHex(16);
    context.spanId = randomHex(8);
    return context;
}

QString TraceContext::header() const
{
    return QStringLiteral("00-%1-%2-%3").arg(traceId, spanId, sampled ? QStringLiteral("01") : QStringLiteral("00"));
}

} // namespace mandate::firewall
