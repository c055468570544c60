// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>

namespace mandate::crypto {

/// SHA-256 (FIPS 180-4).
class Sha256
{
public:
    static constexpr qsizetype kSize = 32;
    static QByteArray hash(QByteArrayView data);
    /// Writes the 32-byte digest to `out`; for hot paths that must not allocate.
    static void hash(QByteArrayView data, std::array<unsigned char, kSize> &out);
};

} // namespace mandate::crypto
