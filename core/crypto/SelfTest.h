// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

namespace mandate::crypto {

/// Known-answer tests of every primitive Mandate relies on (SHA-256, base64url, Ed25519 sign and
/// verify, ES256 and RS256 verify, scrypt, the random generator). The daemons run it at start-up
/// and refuse to start when it fails: a broken or misconfigured OpenSSL must not mint tokens.
class SelfTest
{
public:
    /// Ok, or the first failing check (code "self_test").
    static Status run();
};

} // namespace mandate::crypto
