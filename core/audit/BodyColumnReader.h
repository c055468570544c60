// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditColumns.h"

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <cstring>

namespace mandate::audit {

/// Reads the query-column fields (AuditColumns) out of a record body, for the verifier's check
/// that the columns agree with what the chain protects. It runs once per verified record, so it
/// does not build a document: it walks the top-level members and skips nested values by their
/// brackets, 64 bytes at a time.
///
/// Strict where the answer depends on it: the body must be one compact JSON object (no
/// whitespace, nothing after it) with unescaped top-level keys, and each column field at most
/// once, a string with valid escapes. Key order is not checked: it cannot change a value read.
/// Inside nested values only strings and bracket balance are followed: a body whose hash
/// matches was written by AuditRecord::canonicalBytes (valid JSON) unless the chain was forged,
/// which the seals and the saved head catch.
class BodyColumnReader
{
public:
    /// False when `body` is not of that form; the values are then unspecified.
    bool read(QByteArrayView body);
    /// The field's decoded UTF-8 value, or a null view when the body leaves it out. Valid until
    /// the next read() and as long as the body.
    QByteArrayView value(AuditColumns::Column column) const { return m_values[column]; }

    /// memcmp() == 0, inline: for short keys and values a library call costs more than comparing.
    static bool sameBytes(const char *a, const char *b, qsizetype size)
    {
        for (; size >= 8; a += 8, b += 8, size -= 8) {
            quint64 x, y;
            std::memcpy(&x, a, 8);
            std::memcpy(&y, b, 8);
            if (x != y)
                return false;
        }
        for (; size > 0; --size) {
            if (*a++ != *b++)
                return false;
        }
        return true;
    }

private:
    std::array<QByteArrayView, AuditColumns::Count> m_values;
    std::array<QByteArray, AuditColumns::Count> m_unescaped;  ///< values that had escapes
};

} // namespace mandate::audit
