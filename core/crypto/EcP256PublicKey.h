// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace mandate::crypto {

/// A NIST P-256 public key for ES256 verification (RFC 7518 §3.4). Construction rejects
/// points that are not on the curve.
class EcP256PublicKey
{
public:
    static constexpr qsizetype kCoordinateSize = 32;
    static constexpr qsizetype kSignatureSize = 64; ///< IEEE P1363 r || s, as JWS carries it

    EcP256PublicKey();
    ~EcP256PublicKey();
    EcP256PublicKey(const EcP256PublicKey &);
    EcP256PublicKey &operator=(const EcP256PublicKey &);

    /// From the affine coordinates, each exactly 32 bytes big-endian (the JWK "x" and "y").
    static Result<EcP256PublicKey> fromCoordinates(QByteArrayView x, QByteArrayView y);

    bool isNull() const { return !d; }
    QByteArray x() const;
    QByteArray y() const;

    /// ECDSA with SHA-256 over `message`; `signature` is r || s (64 bytes, P1363), converted to
    /// DER for OpenSSL. Error code "bad_signature" for any other length, r or s out of [1, n-1],
    /// or a signature that does not verify. High-S signatures are accepted, as ECDSA (and
    /// Wycheproof) define them valid.
    Status verify(QByteArrayView message, QByteArrayView signature) const;

private:
    class Impl;
    std::shared_ptr<const Impl> d;
};

} // namespace mandate::crypto
