// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>

#include <optional>

namespace mandate::broker {

/// Reads the freshness lifetime out of an HTTP Cache-Control response header (RFC 9111 §5.2):
/// comma-separated directives, each a token with an optional `=` token or quoted string.
class CacheControl
{
public:
    /// Seconds the response may be cached: max-age (s-maxage is for shared caches and
    /// ignored); 0 for no-store / no-cache; nullopt when the header says nothing usable, is
    /// malformed, or gives max-age twice with different values (RFC 9111 §4.2.1: invalid).
    static std::optional<qint64> maxAgeSecs(QByteArrayView header);
};

} // namespace mandate::broker
