// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/ApiKeyStore.h"
#include "api/HttpRequest.h"
#include "api/HttpResponse.h"

#include <functional>

namespace mandate::api {

/// Guards admin endpoints: a bearer admin API key whose role allows the permission.
/// Execution tokens (JWTs) never authenticate here, whatever they claim.
class AdminAuth
{
public:
    explicit AdminAuth(const ApiKeyStore &keys) : m_keys(keys) {}

    /// The caller, or an Error with code "unauthorized" (401) or "forbidden" (403).
    Result<ApiPrincipal> check(const HttpRequest &request, Permission permission) const;

    /// Whether a caller's key still exists, for connections that outlive a request (event
    /// streams); an Error only when the store cannot say.
    Result<bool> stillValid(const ApiPrincipal &caller) const;

    using Guarded = std::function<HttpResponse(const ApiPrincipal &)>;
    /// Runs `handler` for an authorized caller, answers the problem otherwise.
    HttpResponse guard(const HttpRequest &request, Permission permission, const Guarded &handler) const;

private:
    const ApiKeyStore &m_keys;
};

} // namespace mandate::api
