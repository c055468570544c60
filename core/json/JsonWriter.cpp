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
    static constexpr char hex[] = "0123456789abcdef";
    const QByteArray utf8 = s.toUtf8();
    out.append('"');
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
            if (c < 0x20) {
                out.append("\\u00");
                out.append(hex[c >> 4]);
                out.append(hex[c & 0xF]);
            } else {
                out.append(ch);
            }
        }
    }
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

} // namespace mandate::json
