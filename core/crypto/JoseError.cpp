// SPDX-License-Identifier: Apache-2.0
#include "crypto/JoseError.h"

namespace mandate::crypto {

QString joseErrorCode(JoseError error)
{
    switch (error) {
    case JoseError::Malformed: return QStringLiteral("malformed_token");
    case JoseError::Oversized: return QStringLiteral("oversized_token");
    case JoseError::BadBase64Url: return QStringLiteral("bad_base64url");
    case JoseError::MalformedJson: return QStringLiteral("malformed_json");
    case JoseError::DuplicateKey: return QStringLiteral("duplicate_json_key");
    case JoseError::AlgNone: return QStringLiteral("alg_none");
    case JoseError::AlgConfusion: return QStringLiteral("alg_confusion");
    case JoseError::AlgNotAllowed: return QStringLiteral("alg_not_allowed");
    case JoseError::MissingKid: return QStringLiteral("missing_kid");
    case JoseError::UnknownKid: return QStringLiteral("unknown_kid");
    case JoseError::EmbeddedKey: return QStringLiteral("embedded_key");
    case JoseError::UnknownCrit: return QStringLiteral("unknown_crit");
    case JoseError::WrongType: return QStringLiteral("wrong_typ");
    case JoseError::KeyNotUsable: return QStringLiteral("key_not_usable");
    case JoseError::BadSignature: return QStringLiteral("bad_signature");
    case JoseError::BadKey: return QStringLiteral("bad_key");
    case JoseError::Expired: return QStringLiteral("expired");
    case JoseError::NotYetValid: return QStringLiteral("not_yet_valid");
    case JoseError::WrongIssuer: return QStringLiteral("wrong_issuer");
    case JoseError::WrongAudience: return QStringLiteral("wrong_audience");
    case JoseError::MissingClaim: return QStringLiteral("missing_claim");
    case JoseError::InvalidClaim: return QStringLiteral("invalid_claim");
    }
    return QStringLiteral("malformed_token");
}

Error joseError(JoseError error, const QString &message)
{
    return Error{joseErrorCode(error), message, {}};
}

} // namespace mandate::crypto
