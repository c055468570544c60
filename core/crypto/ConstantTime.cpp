// SPDX-License-Identifier: Apache-2.0
#include "crypto/ConstantTime.h"

#include <openssl/crypto.h>

namespace mandate::crypto {

bool ConstantTime::equal(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    return a.isEmpty() || CRYPTO_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

} // namespace mandate::crypto
