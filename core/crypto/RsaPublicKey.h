// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace mandate::crypto {

/// An RSA public key for RS256 verification (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3).
/// Construction refuses keys a verifier should not trust: modulus under 2048 or over 8192 bits,
/// an even or tiny public exponent, and moduli with the ROCA fingerprint (CVE-2017-15361).
class RsaPublicKey
{
public:
    static constexpr int kMinBits = 2048;
    static constexpr int kMaxBits = 8192;

    RsaPublicKey();
    ~RsaPublicKey();
    RsaPublicKey(const RsaPublicKey &);
    RsaPublicKey &operator=(const RsaPublicKey &);

    /// From the big-endian modulus and exponent (the JWK "n" and "e"), in minimal form (no
    /// leading zero octets, RFC 7518 §6.3.1).
    static Result<RsaPublicKey> fromModulusExponent(QByteArrayView n, QByteArrayView e);

    bool isNull() const { return !d; }
    int bits() const;
    QByteArray modulus() const;
    QByteArray exponent() const;

    /// Error code "bad_signature" when the signature is not exactly the modulus length or does
    /// not verify.
    Status verifyPkcs1Sha256(QByteArrayView message, QByteArrayView signature) const;

private:
    class Impl;
    std::shared_ptr<const Impl> d;
};

} // namespace mandate::crypto
