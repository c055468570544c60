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
    // One context per thread, kept: EVP_Digest() made and freed one (and the provider's state
    // in it) for every token hashed.
    thread_local Hasher hasher;
    hasher.add(data);
    hasher.finish(out);
}

QByteArray Sha256::hash(QByteArrayView data)
{
    std::array<unsigned char, kSize> digest;
    hash(data, digest);
    return QByteArray(reinterpret_cast<const char *>(digest.data()), kSize);
}

Sha256::Hasher::Hasher()
    : m_ctx(EVP_MD_CTX_new())
{
    if (!m_ctx || EVP_DigestInit_ex2(m_ctx, sha256(), nullptr) != 1)
        std::abort();
}

Sha256::Hasher::~Hasher()
{
    EVP_MD_CTX_free(m_ctx);
}

void Sha256::Hasher::add(QByteArrayView data)
{
    if (EVP_DigestUpdate(m_ctx, data.data(), size_t(data.size())) != 1)
        std::abort();
}

void Sha256::Hasher::finish(std::array<unsigned char, kSize> &out)
{
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(m_ctx, out.data(), &length) != 1 || length != kSize || EVP_DigestInit_ex2(m_ctx, sha256(), nullptr) != 1)
        std::abort();
}

} // namespace mandate::crypto
