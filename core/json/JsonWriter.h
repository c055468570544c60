// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonValue>

namespace mandate::json {

/// Compact, deterministic JSON: no whitespace, object members in QJsonObject's (sorted) order,
/// integers exact, doubles in shortest round-trip form, non-ASCII as raw UTF-8 and only the
/// escapes RFC 8259 requires. The same value always serialises to the same bytes, which is what
/// signing (JWS headers and claims) and hashing (audit chain) need.
QByteArray writeCompact(const QJsonValue &value);

/// Appends `utf8` as the inside of a JSON string, with exactly writeCompact()'s escapes: for
/// writers that build JSON bytes directly and must give the same bytes.
void appendEscaped(QByteArray &out, QByteArrayView utf8);
/// The same for UTF-16 text. Most strings written are ASCII that needs no escape: those are
/// copied as they are, without first making a UTF-8 copy.
void appendEscaped(QByteArray &out, QStringView text);

} // namespace mandate::json
