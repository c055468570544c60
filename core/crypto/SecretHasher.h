// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArrayView>
#include <QString>

namespace mandate::crypto {

/// Hashes password-style secrets (OAuth client secrets, admin API keys) with scrypt (RFC 7914)
/// and a random 16-byte salt, into a self-describing string
/// `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64url), so parameters can be raised
/// later without breaking stored hashes. Verification compares in constant time.
///
/// scrypt is slow by design (about 0.1 s and 32 MiB at the defaults): a caller that checks the
/// same client on every request should cache a successful check briefly.
class SecretHasher
{
public:
    struct Params
    {
        int logN = 15; ///< N = 2^logN
        int r = 8;
        int p = 1;
    };

    static Result<QString> hash(QByteArrayView secret, const Params &params);
    static Result<QString> hash(QByteArrayView secret) { return hash(secret, Params{}); }

    /// Ok when `secret` matches; error code "secret_mismatch" when it does not, "bad_hash" when
    /// `encoded` is malformed or its parameters are outside sane bounds (a stored string is
    /// input too: it must not be able to demand gigabytes of memory).
    static Status verify(QByteArrayView secret, QStringView encoded);

    /// Raw scrypt, for the known-answer self-test.
    static Result<QByteArray> scrypt(QByteArrayView secret, QByteArrayView salt, const Params &params,
                                     qsizetype length);
};

} // namespace mandate::crypto
