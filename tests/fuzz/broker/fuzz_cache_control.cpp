// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the Cache-Control parser that bounds how long fetched JWKS keys are cached.
// Properties: never a negative lifetime, never more than the 32-bit saturation point, and the
// same answer for the header with its directive names upper-cased (they are case-insensitive).
#include "broker/CacheControl.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>

using mandate::broker::CacheControl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView header(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto seconds = CacheControl::maxAgeSecs(header);
    if (seconds && (*seconds < 0 || *seconds > std::numeric_limits<qint32>::max()))
        std::abort();
    // Upper-casing outside quoted strings must not change the answer; with no quote at all,
    // the whole header can be upper-cased.
    if (!header.contains('"') && CacheControl::maxAgeSecs(header.toByteArray().toUpper()) != seconds)
        std::abort();
    return 0;
}
