// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace mandate::crypto {

/// base64url without padding (RFC 7515 §2, RFC 4648 §5), decoded strictly: only the 64
/// URL-safe characters, no '=', no whitespace, no length that leaves a lone character and no
/// non-zero unused bits in the last character. Each byte string thus has exactly one accepted
/// encoding, so a token cannot be altered without changing its signed bytes.
class Base64Url
{
public:
    static QByteArray encode(QByteArrayView data);
    /// Error code "bad_base64url"; the path is the offending character's 0-based offset.
    static Result<QByteArray> decode(QByteArrayView text);
};

} // namespace mandate::crypto
