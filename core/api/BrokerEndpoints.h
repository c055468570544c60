// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/AuditTrail.h"
#include "api/PendingAnswers.h"
#include "api/Router.h"
#include "broker/DelegationBroker.h"
#include "session/ExecutionStore.h"

class QThreadPool;

namespace mandate::api {

/// The broker over HTTP. OAuth (RFC 6749 error bodies {"error","error_description"}):
/// POST /v1/token (RFC 8693 token exchange, application/x-www-form-urlencoded only, client
/// authentication by HTTP Basic or client_id/client_secret form fields, never both) and
/// POST /v1/revoke (RFC 7009). Public: GET /.well-known/jwks.json and
/// GET /.well-known/oauth-authorization-server (RFC 8414). Admin (problem+json):
/// GET /v1/executions (?status=&agent=&human=&parent=&limit=), GET /v1/executions/{id},
/// POST /v1/executions/{id}/revoke (optional JSON body {"reason": "..."}).
/// Each token minted is a delegation record and each execution revoked a revocation record
/// in `trail`; a token is never returned unless its record is committed. /v1/token and
/// /v1/revoke run on `pool`; a token's answer comes once its records commit, from the thread
/// that committed them. `pending` counts both until they are answered.
class BrokerEndpoints
{
public:
    static void install(Router &router, QThreadPool &pool, PendingAnswers &pending, broker::DelegationBroker &broker,
                        session::ExecutionStore &executions, const AdminAuth &auth, AuditTrail &trail);

    /// RFC 8414 metadata for `issuer` (the gateway's base URL).
    static QJsonObject metadata(const QString &issuer);
    /// The RFC 6749 §5.2 error body for `error`: its OAuth code and message, or, for a
    /// server_error or any other failure, server_error with a summary (the log has the message,
    /// which may name internals). 401 carries WWW-Authenticate: Basic.
    static HttpResponse oauthError(const Error &error);
};

} // namespace mandate::api
