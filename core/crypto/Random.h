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
    static Result<QByteArray> bytes(qsizetype count);
    /// `count` random bytes as base64url: identifiers such as jti, kid or execution ids.
    static Result<QString> token(qsizetype count = 16);
};

} // namespace mandate::crypto
