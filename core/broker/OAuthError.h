// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

namespace mandate::broker {

/// RFC 6749 §5.2 / RFC 8693 §2.2.2 / RFC 9396 §5 error responses, carried as an Error whose
/// code is the OAuth error code and whose message is the error_description.
class OAuthError
{
public:
    static Error invalidRequest(const QString &description);
    static Error invalidClient(const QString &description);
    static Error invalidGrant(const QString &description);
    static Error unauthorizedClient(const QString &description);
    static Error unsupportedGrantType(const QString &description);
    static Error invalidScope(const QString &description);
    static Error invalidTarget(const QString &description);
    static Error invalidAuthorizationDetails(const QString &description);
    static Error serverError(const QString &description);
    static Error temporarilyUnavailable(const QString &description);

    /// The HTTP status of an OAuth error code: 401 for invalid_client, 500 / 503 for server
    /// errors, 400 otherwise.
    static int httpStatus(const QString &code);
    /// True when `code` is one of the OAuth codes above.
    static bool isOAuthCode(const QString &code);
};

} // namespace mandate::broker
