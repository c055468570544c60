// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace mandate::identity {

/// Appends compact JSON to a byte array member by member, for documents whose shape is fixed
/// in code (an execution's stored body, the claims of an execution token): building a
/// QJsonObject only to serialise it costs more than the rest of minting a token, signature
/// aside. Strings are escaped as RFC 8259 requires (quote, backslash, control characters) and
/// written as UTF-8. The caller supplies a well-formed sequence of calls; keys are not checked
/// for duplicates, so each document's keys are literals in one place.
class CompactJsonWriter
{
public:
    explicit CompactJsonWriter(qsizetype reserve = 512) { m_out.reserve(reserve); }

    void beginObject() { separate(); m_out.append('{'); m_first = true; }
    void endObject() { m_out.append('}'); m_first = false; }
    void beginArray() { separate(); m_out.append('['); m_first = true; }
    void endArray() { m_out.append(']'); m_first = false; }
    /// A member name; the value follows with the next call.
    void key(const char *latin1Name);

    void string(const QString &value);
    void string(QLatin1StringView value);
    void integer(qint64 value);
    void null();
    void strings(const QStringList &values);
    /// JSON text that is already valid and compact (e.g. from json::writeCompact).
    void raw(QByteArrayView json);
    /// A UTC time in seconds since the epoch as Qt::ISODate prints it: 2026-11-29T16:18:25Z.
    void isoTime(qint64 secsSinceEpoch);

    const QByteArray &bytes() const { return m_out; }
    QByteArray take() { return std::move(m_out); }

private:
    void separate()
    {
        if (!m_first && !m_afterKey)
            m_out.append(',');
        m_first = false;
        m_afterKey = false;
    }

    QByteArray m_out;
    bool m_first = true;
    bool m_afterKey = false;
};

} // namespace mandate::identity
