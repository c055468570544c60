// SPDX-License-Identifier: Apache-2.0
#include "broker/OAuthError.h"

namespace mandate::broker {

namespace {

const char *const kCodes[] = {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                              "unsupported_grant_type", "invalid_scope", "invalid_target",
                              "invalid_authorization_details", "server_error", "temporarily_unavailable"};

Error make(const char *code, const QString &description)
{
    return Error{QLatin1String(code), description};
}

} // namespace

Error OAuthError::invalidRequest(const QString &d) { return make("invalid_request", d); }
Error OAuthError::invalidClient(const QString &d) { return make("invalid_client", d); }
Error OAuthError::invalidGrant(const QString &d) { return make("invalid_grant", d); }
Error OAuthError::unauthorizedClient(const QString &d) { return make("unauthorized_client", d); }
Error OAuthError::unsupportedGrantType(const QString &d) { return make("unsupported_grant_type", d); }
Error OAuthError::invalidScope(const QString &d) { return make("invalid_scope", d); }
Error OAuthError::invalidTarget(const QString &d) { return make("invalid_target", d); }
Error OAuthError::invalidAuthorizationDetails(const QString &d) { return make("invalid_authorization_details", d); }
Error OAuthError::serverError(const QString &d) { return make("server_error", d); }
Error OAuthError::temporarilyUnavailable(const QString &d) { return make("temporarily_unavailable", d); }

int OAuthError::httpStatus(const QString &code)
{
    if (code == QLatin1String("invalid_client"))
        return 401;
    if (code == QLatin1String("temporarily_unavailable"))
        return 503;
    if (code == QLatin1String("server_error") || !isOAuthCode(code))
        return 500;
    return 400;
}

bool OAuthError::isOAuthCode(const QString &code)
{
    for (const char *known : kCodes) {
        if (code == QLatin1String(known))
            return true;
    }
    return false;
}

} // namespace mandate::broker
