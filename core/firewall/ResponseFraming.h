// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace mandate::firewall::framing {

/// The strict reading of an upstream's answer head (RFC 9110, RFC 9112) that UpstreamConnection
/// applies: whatever could frame the body ambiguously, or be written back to the agent as
/// something else (a line break in a header, a Content-Type that is no media type), fails.

/// What the header fields of one answer say.
struct Head
{
    bool keepAlive = true;
    std::optional<qint64> length;
    std::optional<QByteArray> transferCodings;  ///< all Transfer-Encoding fields, joined by commas
    QByteArray contentType;
};

/// Takes in one header field line; why it is malformed, or nothing.
QString takeField(const QByteArray &line, Head &head);
/// Framing that only all the fields together show to be ambiguous; why, or nothing.
QString checkFraming(const Head &head);
/// The chunk-size of a chunk line (RFC 9112 §7.1): 1 to 16 hex digits, no sign or prefix, then
/// nothing or BWS and a chunk extension. nullopt when malformed.
std::optional<quint64> chunkSize(QByteArrayView line);
/// A status code: exactly three digits.
bool isThreeDigits(QByteArrayView text);
/// type "/" subtype *( OWS ";" OWS [ token "=" ( token / quoted-string ) ] ), RFC 9110 §8.3.1.
bool isMediaType(QByteArrayView text);

} // namespace mandate::firewall::framing
