// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>

namespace mandate::crypto {

/// Comparison whose running time does not depend on where two secrets differ.
class ConstantTime
{
public:
    /// True when equal. Lengths are compared first (they are not secret: hashes, MACs, keys).
    static bool equal(QByteArrayView a, QByteArrayView b);
};

} // namespace mandate::crypto
