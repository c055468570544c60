// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "crypto/SecretBytes.h"

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace mandate::crypto {

/// An Ed25519 key (RFC 8032): a key pair that can sign, or a public key that can only verify.
/// Cheap to copy (the OpenSSL key is shared and immutable); safe to use from several threads.
class Ed25519Key
{
public:
    static constexpr qsizetype kPublicKeySize = 32;
    static constexpr qsizetype kSeedSize = 32;
    static constexpr qsizetype kSignatureSize = 64;

    Ed25519Key();
    ~Ed25519Key();
    Ed25519Key(const Ed25519Key &);
    Ed25519Key(Ed25519Key &&) noexcept;
    Ed25519Key &operator=(const Ed25519Key &);
    Ed25519Key &operator=(Ed25519Key &&) noexcept;

    static Result<Ed25519Key> generate();
    /// From the 32-byte private seed (RFC 8032's "private key"; the JWK "d").
    static Result<Ed25519Key> fromSeed(QByteArrayView seed);
    /// From the 32-byte public key (the JWK "x"); such a key can only verify.
    static Result<Ed25519Key> fromPublicKey(QByteArrayView publicKey);

    bool isNull() const { return !d; }
    bool hasPrivateKey() const;
    QByteArray publicKey() const;
    /// The private seed, for persisting the key; empty for a public-only key.
    SecretBytes seed() const;

    /// Fails when the key has no private part or OpenSSL fails.
    Result<QByteArray> sign(QByteArrayView message) const;
    /// Error code "bad_signature" when the signature does not verify (including wrong length).
    Status verify(QByteArrayView message, QByteArrayView signature) const;

private:
    class Impl;
    std::shared_ptr<Impl> d;
};

} // namespace mandate::crypto
