// SPDX-License-Identifier: Apache-2.0
#include "api/AdminAuth.h"

#include "common/Logging.h"

namespace mandate::api {

Result<ApiPrincipal> AdminAuth::check(const HttpRequest &request, Permission permission) const
{
    const QByteArray authorization = request.header("authorization");
    if (authorization.isEmpty())
        return Error{QStringLiteral("unauthorized"), QStringLiteral("this endpoint needs an admin API key (Authorization: Bearer mdk_…)")};
    QByteArray credential;
    if (!request.bearer(&credential))
        return Error{QStringLiteral("unauthorized"), QStringLiteral("only Bearer authorization is accepted")};
    if (credential.count('.') == 2 && !credential.startsWith("mdk_"))
        // Not a lesser admin credential but no admin credential at all: 401, like any unknown key.
        return Error{QStringLiteral("unauthorized"), QStringLiteral("execution tokens cannot use the admin API")};
    Result<ApiPrincipal> principal = m_keys.authenticate(credential);
    if (!principal) {
        if (principal.error().code == QLatin1String("unauthorized"))
            return principal.error();
        // The store's own text (a locked file, a path) is for the log, not for a caller who has
        // not even shown a key that works.
        qCWarning(lcGateway) << "cannot check an admin API key:" << principal.error().message;
        return Error{principal.error().code, QStringLiteral("the gateway cannot check API keys right now; try again")};
    }
    if (!roleAllows(principal->role, permission))
        return Error{QStringLiteral("forbidden"), QStringLiteral("the %1 role may not do this").arg(roleName(principal->role))};
    return principal;
}

Result<bool> AdminAuth::stillValid(const ApiPrincipal &caller) const
{
    const Result<ApiKeyInfo> key = m_keys.find(caller.keyId);
    if (key)
        return key->role == caller.role;
    if (key.error().code == QLatin1String("not_found"))
        return false;
    return key.error();
}

HttpResponse AdminAuth::guard(const HttpRequest &request, Permission permission, const Guarded &handler) const
{
    Result<ApiPrincipal> principal = check(request, permission);
    if (!principal) {
        HttpResponse response = HttpResponse::fromError(principal.error());
        if (response.status == 401)
            response.setHeader("WWW-Authenticate", "Bearer realm=\"mandate-admin\"");
        return response;
    }
    return handler(principal.value());
}

} // namespace mandate::api
