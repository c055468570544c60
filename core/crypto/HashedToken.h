// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/Sha256.h"

#include <QByteArrayView>

#include <array>

namespace mandate::crypto {

/// A token's bytes with their SHA-256, computed once for the callers that key caches by it
/// (TokenVerifier, TrustedIssuers): the digest can only come from these bytes, so no cache can
/// be asked about one token under another's hash. Views the bytes: they must outlive it.
class HashedToken
{
public:
    using Digest = std::array<unsigned char, Sha256::kSize>;

    explicit HashedToken(QByteArrayView token) : m_bytes(token) { Sha256::hash(token, m_digest); }

    QByteArrayView bytes() const { return m_bytes; }
    const Digest &digest() const { return m_digest; }

private:
    QByteArrayView m_bytes;
    Digest m_digest;
};

} // namespace mandate::crypto
