// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

namespace mandate::crypto {

/// Why a JWS / JWT / JWK was rejected. Each reason has its own stable Error::code (the string
/// in the comment), so callers, logs and the audit trail can tell them apart.
enum class JoseError {
    Malformed,        ///< "malformed_token": not three dot-separated parts, missing alg, wrong member types
    Oversized,        ///< "oversized_token": longer than the policy allows
    BadBase64Url,     ///< "bad_base64url": padding, invalid characters or non-canonical trailing bits
    MalformedJson,    ///< "malformed_json": header or claims are not strict JSON objects
    DuplicateKey,     ///< "duplicate_json_key": a member name appears twice in header or claims
    AlgNone,          ///< "alg_none": unsecured JWS
    AlgConfusion,     ///< "alg_confusion": an HMAC algorithm where only public keys verify
    AlgNotAllowed,    ///< "alg_not_allowed": an algorithm outside the policy, or not the key's
    MissingKid,       ///< "missing_kid": the policy requires a kid and there is none
    UnknownKid,       ///< "unknown_kid": no key with that kid in the key set
    EmbeddedKey,      ///< "embedded_key": jwk / jku / x5u / x5c in the header
    UnknownCrit,      ///< "unknown_crit": a critical extension we do not implement
    WrongType,        ///< "wrong_typ": typ is not what the policy requires
    KeyNotUsable,     ///< "key_not_usable": the key is for encryption, unsupported or invalid
    BadSignature,     ///< "bad_signature"
    BadKey,           ///< "bad_key": a JWK / JWKS that cannot be used at all
    Expired,          ///< "expired"
    NotYetValid,      ///< "not_yet_valid": nbf (or iat) in the future beyond the clock skew
    WrongIssuer,      ///< "wrong_issuer"
    WrongAudience,    ///< "wrong_audience"
    MissingClaim,     ///< "missing_claim": a required claim is absent
    InvalidClaim,     ///< "invalid_claim": a registered claim has the wrong type
};

QString joseErrorCode(JoseError error);
Error joseError(JoseError error, const QString &message);

} // namespace mandate::crypto
