// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

namespace mandate::simulate {

/// Where the members of a JSON object (or the items of an array) are in its bytes, found
/// without building a QJsonObject: a replay reads a handful of members of each stored record and
/// hands the rest on as bytes. Strict and bounded: it accepts only RFC 8259 JSON that is plain
/// ASCII, without `\u` escapes or control characters, nested at most kMaxDepth deep: text Qt's
/// reader also accepts and reads the same way. Anything else is refused, and the caller reads
/// it with Qt instead.
class JsonSpans
{
public:
    static constexpr int kMaxDepth = 64;

    /// Calls `member(key, value)` for each member of the object `text` is (whitespace around it
    /// allowed); `key` is the raw key (no escapes, see above). False when `text` is not such an
    /// object or `member` returned false.
    static bool forEachMember(QByteArrayView text, const std::function<bool(QByteArrayView key, QByteArrayView value)> &member);
    /// The same for the items of an array.
    static bool forEachItem(QByteArrayView text, const std::function<bool(QByteArrayView item)> &item);

    /// The string a value span holds (escapes decoded); nullopt when it is not a string.
    static std::optional<QString> string(QByteArrayView value);
    static bool isObject(QByteArrayView value) { return !value.isEmpty() && value.front() == '{'; }
    static bool isArray(QByteArrayView value) { return !value.isEmpty() && value.front() == '['; }
};

} // namespace mandate::simulate
