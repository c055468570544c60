// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace mandate::crypto {

/// Cryptographically secure random bytes from OpenSSL's DRBG.
class Random
{
public:
    /// The most identifierBytes() hands out per call.
    static constexpr qsizetype kMaxIdentifierBytes = 64;

    static Result<QByteArray> bytes(qsizetype count);
    /// `count` random bytes as base64url: identifiers such as jti, kid or execution ids.
    static Result<QString> token(qsizetype count = 16);
    /// Random bytes for identifiers that are published anyway (a token's jti, an execution id):
    /// as unpredictable as bytes(), but drawn from the DRBG in blocks that each thread hands
    /// out piece by piece, since a RAND_bytes call costs the same for 28 bytes as for a
    /// kilobyte. Never for keys, salts or secrets: those use bytes().
    static Result<QByteArray> identifierBytes(qsizetype count);
    /// A random (version 4, RFC 9562) UUID in its 36-character form, from identifierBytes():
    /// decision ids. QUuid::createUuid() draws each word from the CPU's RDRAND, which a virtual
    /// machine may trap; this costs a copy from the thread's block.
    static QString uuid();
};

} // namespace mandate::crypto
