// SPDX-License-Identifier: Apache-2.0
#include "api/BrokerEndpoints.h"

#include "api/PlainNumber.h"
#include "api/RequestBody.h"
#include "broker/OAuthError.h"
#include "common/Hex.h"
#include "common/Logging.h"

#include <QHash>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSet>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <optional>

namespace mandate::api {

using broker::OAuthError;

namespace {

constexpr qsizetype kMaxFormBytes = 64 * 1024;
/// Token requests on the broker's pool, running or waiting, at most, and as many revocation
/// requests, counted apart (a flood of exchanges must not keep anyone from revoking a leaked
/// token): past it a client is told to come back (503) rather than its request waiting, body
/// and all, in a queue without bound (slow secret checks can keep the pool's threads busy).
constexpr int kMaxAdmitted = 256;

/// A parsed form: single-valued parameters, plus every value of audience and resource, the only
/// ones RFC 8693 §2.1 lets a client repeat.
struct Form
{
    QHash<QString, QString> values;
    QStringList audiences;
    QStringList resources;

    QString value(const char *name) const { return values.value(QLatin1String(name)); }
    bool contains(const char *name) const { return values.contains(QLatin1String(name)); }
};

/// One form-encoded name or value (application/x-www-form-urlencoded: '+' is a space, then
/// percent escapes), strictly: a '%' without two hex digits after it, or what does not decode
/// to UTF-8, is refused rather than repaired (a repaired client id or secret is another one).
std::optional<QByteArray> formDecoded(QByteArrayView part)
{
    QByteArray out;
    out.reserve(part.size());
    for (qsizetype i = 0; i < part.size(); ++i) {
        const char c = part[i];
        if (c == '+') {
            out.append(' ');
        } else if (c != '%') {
            out.append(c);
        } else {
            const int high = i + 2 < part.size() ? hexDigitValue(part[i + 1]) : -1;
            const int low = high >= 0 ? hexDigitValue(part[i + 2]) : -1;
            if (low < 0)
                return std::nullopt;
            out.append(char(high * 16 + low));
            i += 2;
        }
    }
    if (!out.isValidUtf8())
        return std::nullopt;
    return out;
}

Error badEncoding()
{
    return OAuthError::invalidRequest(QStringLiteral("the form has a malformed percent escape or text that is not UTF-8"));
}

/// application/x-www-form-urlencoded, strictly (formDecoded()); any parameter but audience and
/// resource sent twice is an error (RFC 6749 §3.2).
Result<Form> parseForm(const HttpRequest &request)
{
    const QByteArray contentType = request.header("content-type").split(';').first().trimmed().toLower();
    if (contentType != "application/x-www-form-urlencoded")
        return OAuthError::invalidRequest(QStringLiteral("the body must be application/x-www-form-urlencoded"));
    if (request.body.size() > kMaxFormBytes)
        return OAuthError::invalidRequest(QStringLiteral("the body exceeds %1 bytes").arg(kMaxFormBytes));
    Form form;
    for (const QByteArray &pair : request.body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        const std::optional<QByteArray> name = formDecoded(QByteArrayView(pair).first(eq < 0 ? pair.size() : eq));
        const std::optional<QByteArray> value = formDecoded(eq < 0 ? QByteArrayView() : QByteArrayView(pair).sliced(eq + 1));
        if (!name || !value)
            return badEncoding();
        const QString key = QString::fromUtf8(*name);
        const QString text = QString::fromUtf8(*value);
        if (key == QLatin1String("audience")) {
            form.audiences.append(text);
            continue;
        }
        if (key == QLatin1String("resource")) {
            form.resources.append(text);
            continue;
        }
        if (form.values.contains(key))
            return OAuthError::invalidRequest(QStringLiteral("parameter %1 is repeated").arg(key));
        form.values.insert(key, text);
    }
    return form;
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded id and secret) or the
/// client_id / client_secret parameters; using both is refused.
Result<broker::ClientCredentials> clientCredentials(const HttpRequest &request, const Form &form)
{
    const QByteArray authorization = request.header("authorization").trimmed();
    const bool inForm = form.contains("client_secret");
    if (!authorization.isEmpty()) {
        if (inForm)
            return OAuthError::invalidRequest(QStringLiteral("use one client authentication method, not both Basic and client_secret"));
        if (authorization.left(6).compare("Basic ", Qt::CaseInsensitive) != 0)
            return OAuthError::invalidClient(QStringLiteral("only HTTP Basic client authentication is accepted in Authorization"));
        const auto decoded = QByteArray::fromBase64Encoding(authorization.mid(6).trimmed(), QByteArray::AbortOnBase64DecodingErrors);
        const qsizetype colon = decoded ? decoded.decoded.indexOf(':') : -1;
        if (colon < 0)
            return OAuthError::invalidClient(QStringLiteral("malformed HTTP Basic credentials"));
        const std::optional<QByteArray> id = formDecoded(QByteArrayView(decoded.decoded).first(colon));
        const std::optional<QByteArray> secret = formDecoded(QByteArrayView(decoded.decoded).sliced(colon + 1));
        if (!id || !secret)
            return OAuthError::invalidClient(QStringLiteral("malformed HTTP Basic credentials: a bad percent escape or text that is not UTF-8"));
        broker::ClientCredentials credentials{QString::fromUtf8(*id), *secret};
        if (form.contains("client_id") && form.value("client_id") != credentials.clientId)
            return OAuthError::invalidRequest(QStringLiteral("client_id does not match the authenticated client"));
        return credentials;
    }
    if (!inForm || form.value("client_id").isEmpty())
        return OAuthError::invalidClient(QStringLiteral("client authentication required (HTTP Basic or client_id and client_secret)"));
    return broker::ClientCredentials{form.value("client_id"), form.value("client_secret").toUtf8()};
}

HttpResponse tokenResponse(const Result<broker::IssuedToken> &issued)
{
    if (!issued)
        return BrokerEndpoints::oauthError(issued.error());
    HttpResponse response = HttpResponse::json(QJsonObject{
        {QStringLiteral("access_token"), QString::fromLatin1(issued->accessToken)},
        {QStringLiteral("issued_token_type"), QLatin1String(broker::ExchangeRequest::kAccessTokenType)},
        {QStringLiteral("token_type"), QStringLiteral("Bearer")},
        {QStringLiteral("expires_in"), issued->expiresIn},
        {QStringLiteral("scope"), issued->scope},
        {QStringLiteral("authorization_details"), issued->authorizationDetails()}});
    response.setHeader("Pragma", "no-cache");
    return response;
}

/// The exchange's checks and signing run on the calling (pool) thread, which then moves on; the
/// response goes once the execution and its delegation record have committed, from the audit
/// writer's thread, so that the records of the mints in flight share commits.
void token(broker::DelegationBroker &broker, session::ExecutionStore &executions, AuditTrail &trail,
           const HttpRequest &request, const Completion &done)
{
    auto form = parseForm(request);
    if (!form)
        return done(BrokerEndpoints::oauthError(form.error()));
    auto client = clientCredentials(request, form.value());
    if (!client)
        return done(BrokerEndpoints::oauthError(client.error()));
    const Form &f = form.value();
    broker::ExchangeRequest exchange;
    exchange.client = client.value();
    exchange.grantType = f.value("grant_type");
    exchange.subjectToken = f.value("subject_token").toUtf8();
    exchange.subjectTokenType = f.value("subject_token_type");
    exchange.requestedTokenType = f.value("requested_token_type");
    exchange.actorToken = f.value("actor_token").toUtf8();
    exchange.scope = f.value("scope");
    exchange.authorizationDetails = f.value("authorization_details");
    exchange.audiences = f.audiences;
    exchange.resources = f.resources;
    // The execution's record commits with its delegation's audit record, before the token
    // leaves: fail closed, with nothing minted, if either cannot be written.
    broker.exchangeThen(
        exchange, [done](Result<broker::IssuedToken> issued) { done(tokenResponse(issued)); },
        [&](const identity::Execution &execution, broker::DelegationBroker::Recorded recorded) {
            trail.delegationThen(request, execution, exchange.client.clientId, executions, std::move(recorded));
        });
}

/// The execution a cascade started from: the one whose parent was not revoked with it.
QString cascadeRootOf(const session::ExecutionStore &executions, const QStringList &revoked)
{
    for (const QString &id : revoked) {
        auto execution = executions.get(id);
        if (!execution || !revoked.contains(execution->parent))
            return id;
    }
    return revoked.value(0);
}

HttpResponse revoke(broker::DelegationBroker &broker, const session::ExecutionStore &executions, AuditTrail &trail,
                    const HttpRequest &request)
{
    auto form = parseForm(request);
    if (!form)
        return BrokerEndpoints::oauthError(form.error());
    auto client = clientCredentials(request, form.value());
    if (!client)
        return BrokerEndpoints::oauthError(client.error());
    const QString token = form->value("token");
    if (token.isEmpty())
        return BrokerEndpoints::oauthError(OAuthError::invalidRequest(QStringLiteral("token is required")));
    auto revoked = broker.revokeToken(client.value(), token.toUtf8());
    if (!revoked)
        return BrokerEndpoints::oauthError(revoked.error());
    // The revocation stands whatever happens to its record; the client is told it was not recorded.
    const QString actor = QStringLiteral("client:") + client->clientId;
    if (Status recorded = trail.revocations(request, executions, revoked.value(), actor,
                                            QStringLiteral("revoked by client %1").arg(client->clientId),
                                            cascadeRootOf(executions, revoked.value()));
        !recorded)
        return BrokerEndpoints::oauthError(recorded.error());
    return HttpResponse::text({}, "text/plain", 200);
}

/// GET /v1/executions' query, strictly: a filter given twice or not known, or a limit that is
/// not an integer from 1 to 5000, is refused (400) rather than guessed at or ignored.
Result<session::ExecutionFilter> filterOf(const HttpRequest &request)
{
    session::ExecutionFilter filter;
    QSet<QString> seen;
    for (const auto &item : request.query.queryItems(QUrl::FullyDecoded)) {
        const QString &key = item.first;
        const QString &value = item.second;
        if (seen.contains(key))
            return Error{QStringLiteral("bad_request"), QStringLiteral("%1 is given twice").arg(key), key};
        seen.insert(key);
        if (key == QLatin1String("status")) {
            filter.status = value;
        } else if (key == QLatin1String("agent")) {
            filter.agent = value;
        } else if (key == QLatin1String("human")) {
            filter.rootHuman = value;
        } else if (key == QLatin1String("parent")) {
            filter.parent = value;
        } else if (key == QLatin1String("limit")) {
            const std::optional<qint64> limit = plainNumber(value, 1, 5000);
            if (!limit)
                return Error{QStringLiteral("bad_request"), QStringLiteral("limit must be an integer from 1 to 5000"), key};
            filter.limit = int(*limit);
        } else {
            return Error{QStringLiteral("bad_request"),
                         QStringLiteral("unknown filter %1 (status, agent, human, parent, limit)").arg(key), key};
        }
    }
    return filter;
}

} // namespace

HttpResponse BrokerEndpoints::oauthError(const Error &error)
{
    // A server error's own message may name internals (a signing failure's, a store's): the log
    // has it, the client gets a summary.
    const bool serverFault = !OAuthError::isOAuthCode(error.code) || error.code == QLatin1String("server_error");
    const QString code = serverFault ? QStringLiteral("server_error") : error.code;
    const int status = OAuthError::httpStatus(code);
    if (serverFault)
        qCWarning(lcBroker) << "token endpoint failed:" << error.code << error.message;
    const QString description = serverFault ? QStringLiteral("internal error") : error.message;
    HttpResponse response = HttpResponse::json(QJsonObject{{QStringLiteral("error"), code},
                                                           {QStringLiteral("error_description"), description}},
                                               status);
    if (status == 401)
        response.setHeader("WWW-Authenticate", "Basic realm=\"mandate\", charset=\"UTF-8\"");
    response.setHeader("Pragma", "no-cache");
    return response;
}

QJsonObject BrokerEndpoints::metadata(const QString &issuer)
{
    const QJsonArray clientAuth{QStringLiteral("client_secret_basic"), QStringLiteral("client_secret_post")};
    return {{QStringLiteral("issuer"), issuer},
            {QStringLiteral("token_endpoint"), QString(issuer + QStringLiteral("/v1/token"))},
            {QStringLiteral("revocation_endpoint"), QString(issuer + QStringLiteral("/v1/revoke"))},
            {QStringLiteral("jwks_uri"), QString(issuer + QStringLiteral("/.well-known/jwks.json"))},
            {QStringLiteral("grant_types_supported"), QJsonArray{QLatin1String(broker::ExchangeRequest::kGrantType)}},
            {QStringLiteral("response_types_supported"), QJsonArray{}},
            {QStringLiteral("token_endpoint_auth_methods_supported"), clientAuth},
            {QStringLiteral("revocation_endpoint_auth_methods_supported"), clientAuth},
            {QStringLiteral("authorization_details_types_supported"), QJsonArray{QLatin1String(broker::AgentExecutionRequest::kType)}},
            {QStringLiteral("subject_token_types_supported"), QJsonArray{QLatin1String(broker::ExchangeRequest::kIdTokenType),
                                                                         QLatin1String(broker::ExchangeRequest::kAccessTokenType),
                                                                         QLatin1String(broker::ExchangeRequest::kJwtTokenType)}},
            {QStringLiteral("access_token_signing_alg_values_supported"), QJsonArray{QStringLiteral("EdDSA")}}};
}

void BrokerEndpoints::install(Router &router, QThreadPool &pool, PendingAnswers &pending, broker::DelegationBroker &broker,
                              session::ExecutionStore &executions, const AdminAuth &auth, AuditTrail &trail)
{
    // A form too large is refused before it queues; so is any request past kMaxAdmitted, which
    // counts a request until it is answered (a mint whose record is being written too).
    const auto onPool = [&pool, &pending](const char *what, std::function<void(const HttpRequest &, const Completion &)> handle) -> AsyncHandler {
        auto admitted = std::make_shared<std::atomic<int>>(0);
        return [&pool, &pending, what, admitted, handle = std::move(handle)](const HttpRequest &request, const RouteParams &, Completion done) {
            if (request.body.size() > kMaxFormBytes)
                return done(BrokerEndpoints::oauthError(OAuthError::invalidRequest(QStringLiteral("the body exceeds %1 bytes").arg(kMaxFormBytes))));
            if (admitted->fetch_add(1) >= kMaxAdmitted) {
                admitted->fetch_sub(1);
                HttpResponse busy = BrokerEndpoints::oauthError(OAuthError::temporarilyUnavailable(
                    QStringLiteral("%1 %2 requests are running or waiting; try again shortly").arg(kMaxAdmitted).arg(QLatin1String(what))));
                busy.setHeader("Retry-After", "1");
                return done(std::move(busy));
            }
            pending.taken();
            pool.start([&pending, admitted, handle, request, done = std::move(done)]() {
                handle(request, [&pending, admitted, done](HttpResponse response) {
                    const auto answered = qScopeGuard([&] {
                        admitted->fetch_sub(1);
                        pending.answered();
                    });
                    done(std::move(response));
                });
            });
        };
    };
    router.addAsync("POST", QStringLiteral("/v1/token"),
                    onPool("token", [&broker, &executions, &trail](const HttpRequest &request, const Completion &done) {
                        token(broker, executions, trail, request, done);
                    }));
    router.addAsync("POST", QStringLiteral("/v1/revoke"),
                    onPool("revocation", [&broker, &executions, &trail](const HttpRequest &request, const Completion &done) {
                        done(revoke(broker, executions, trail, request));
                    }));
    router.add("GET", QStringLiteral("/.well-known/jwks.json"), [&broker](const HttpRequest &, const RouteParams &) {
        return HttpResponse::text(broker.keyRing().jwksJson(), "application/json");
    });
    router.add("GET", QStringLiteral("/.well-known/oauth-authorization-server"), [&broker](const HttpRequest &, const RouteParams &) {
        return HttpResponse::json(metadata(broker.config().issuer));
    });
    router.add("GET", QStringLiteral("/v1/executions"), [&executions, &auth](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadExecutions, [&](const ApiPrincipal &) {
            const Result<session::ExecutionFilter> filter = filterOf(request);
            if (!filter)
                return HttpResponse::fromError(filter.error());
            auto states = executions.list(filter.value());
            if (!states)
                return HttpResponse::fromError(states.error());
            QJsonArray items;
            for (const session::ExecutionState &state : states.value())
                items.append(state.toJson());
            return HttpResponse::json(QJsonObject{{QStringLiteral("items"), items}});
        });
    });
    router.add("GET", QStringLiteral("/v1/executions/{id}"), [&executions, &auth](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::ReadExecutions, [&](const ApiPrincipal &) {
            auto state = executions.state(params.value(QStringLiteral("id")));
            return state ? HttpResponse::json(state->toJson()) : HttpResponse::fromError(state.error());
        });
    });
    router.add("POST", QStringLiteral("/v1/executions/{id}/revoke"), [&broker, &executions, &auth, &trail](const HttpRequest &request,
                                                                                                     const RouteParams &params) {
        return auth.guard(request, Permission::RevokeExecutions, [&](const ApiPrincipal &caller) {
            // The body is optional; when there is one, {"reason": "..."} and nothing else.
            constexpr qsizetype kMaxReasonLength = 500;
            QString reason;
            if (!request.body.trimmed().isEmpty()) {
                auto body = RequestBody::jsonObject(request);
                if (!body)
                    return HttpResponse::fromError(body.error());
                const QJsonValue given = body->value(QStringLiteral("reason"));
                if (body->size() != (given.isUndefined() ? 0 : 1) || (!given.isUndefined() && !given.isString())
                    || given.toString().size() > kMaxReasonLength)
                    return HttpResponse::fromError(Error{QStringLiteral("bad_request"),
                                                         QStringLiteral("the body is {\"reason\": a string of at most %1 characters}")
                                                             .arg(kMaxReasonLength)});
                reason = given.toString();
            }
            const QString why = QStringLiteral("revoked by %1%2").arg(caller.name, reason.isEmpty() ? QString() : QStringLiteral(": ") + reason);
            const QString id = params.value(QStringLiteral("id"));
            auto revoked = broker.revokeExecution(id, why);
            if (!revoked)
                return HttpResponse::fromError(revoked.error());
            // The revocation stands; a failed record is reported, not hidden.
            // Key names need not be unique: the key's id and role say which key acted.
            const QJsonObject who{{QStringLiteral("actor_key"), caller.keyId}, {QStringLiteral("role"), roleName(caller.role)}};
            if (Status recorded = trail.revocations(request, executions, revoked.value(), QStringLiteral("admin:") + caller.name, why, id, who);
                !recorded)
                return HttpResponse::fromError(recorded.error());
            return HttpResponse::json(QJsonObject{{QStringLiteral("revoked"), QJsonArray::fromStringList(revoked.value())}});
        });
    });
}

} // namespace mandate::api
