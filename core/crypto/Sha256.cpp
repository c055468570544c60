// SPDX-License-Identifier: Apache-2.0
#include "crypto/Sha256.h"

#include "crypto/OpenSslHandles.h"

#include <cstdlib>

namespace mandate::crypto {

namespace {

// Fetched once: an implicit fetch per call costs more than hashing a token.
const EVP_MD *sha256()
{
    static EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md)
        std::abort(); // no SHA-256 means a broken OpenSSL installation; the self-test says so first
    return md;
}

} // namespace

void Sha256::hash(QByteArrayView data, std::array<unsigned char, kSize> &out)
{
    unsigned int length = 0;
    if (EVP_Digest(data.data(), size_t(data.size()), out.data(), &length, sha256(), nullptr) != 1 || length != kSize)
        std::abort();
}

QByteArray Sha256::hash(QByteArrayView data)
{
    std::array<unsigned char, kSize> digest;
    hash(data, digest);
    return QByteArray(reinterpret_cast<const char *>(digest.data()), kSize);
}

} // namespace mandate::crypto
