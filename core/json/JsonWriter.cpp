// SPDX-License-Identifier: Apache-2.0
#include "json/JsonWriter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QVariant>

#include <charconv>
#include <cmath>

namespace mandate::json {

namespace {

void writeString(QByteArray &out, const QString &s)
{
    out.append('"');
    appendEscaped(out, s);
    out.append('"');
}

void writeNumber(QByteArray &out, const QJsonValue &value)
{
    char buffer[32];
    // QJsonValue keeps integers as qint64; its variant form tells them apart from doubles.
    const QVariant variant = value.toVariant();
    std::to_chars_result r{};
    if (variant.typeId() == QMetaType::LongLong) {
        r = std::to_chars(buffer, buffer + sizeof buffer, variant.toLongLong());
    } else {
        const double d = value.toDouble();
        if (!std::isfinite(d)) {
            out.append("null"); // JSON has no inf/nan; the reader never produces them
            return;
        }
        r = std::to_chars(buffer, buffer + sizeof buffer, d);
    }
    out.append(buffer, r.ptr - buffer);
}

void write(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: out.append("null"); break;
    case QJsonValue::Bool: out.append(value.toBool() ? "true" : "false"); break;
    case QJsonValue::Double: writeNumber(out, value); break;
    case QJsonValue::String: writeString(out, value.toString()); break;
    case QJsonValue::Array: {
        out.append('[');
        bool first = true;
        for (const QJsonValue &v : value.toArray()) {
            if (!first)
                out.append(',');
            first = false;
            write(out, v);
        }
        out.append(']');
        break;
    }
    case QJsonValue::Object: {
        out.append('{');
        const QJsonObject object = value.toObject();
        bool first = true;
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!first)
                out.append(',');
            first = false;
            writeString(out, it.key());
            out.append(':');
            write(out, it.value());
        }
        out.append('}');
        break;
    }
    }
}

} // namespace

QByteArray writeCompact(const QJsonValue &value)
{
    QByteArray out;
    write(out, value);
    return out;
}

void appendEscaped(QByteArray &out, QStringView text)
{
    const qsizetype start = out.size();
    out.resize(start + text.size());
    char *next = out.data() + start;
    for (const QChar c : text) {
        const char16_t unit = c.unicode();
        if (unit < 0x20 || unit >= 0x80 || unit == u'"' || unit == u'\\') {
            out.truncate(start);
            appendEscaped(out, QByteArrayView(text.toUtf8()));
            return;
        }
        *next++ = char(unit);
    }
}

void appendEscaped(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    qsizetype plainFrom = 0;  // runs that need no escape are copied whole
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.sliced(plainFrom, i - plainFrom));
        plainFrom = i + 1;
        switch (c) {
        case '"': out.append("\\\"", 2); break;
        case '\\': out.append("\\\\", 2); break;
        case '\b': out.append("\\b", 2); break;
        case '\f': out.append("\\f", 2); break;
        case '\n': out.append("\\n", 2); break;
        case '\r': out.append("\\r", 2); break;
        case '\t': out.append("\\t", 2); break;
        default: {
            const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
            out.append(escaped, sizeof escaped);
        }
        }
    }
    out.append(utf8.sliced(plainFrom));
}

} // namespace mandate::json
