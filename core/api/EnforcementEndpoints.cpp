// SPDX-License-Identifier: Apache-2.0
#include "api/EnforcementEndpoints.h"

#include "api/RequestBody.h"
#include "api/ToolCallArguments.h"

#include <QJsonDocument>

#include <algorithm>

namespace mandate::api {

using firewall::CallDecision;
using firewall::CallRequest;

namespace {

QByteArray bearerOf(const HttpRequest &request)
{
    QByteArray credential;
    return request.bearer(&credential) ? credential : QByteArray();
}

/// Reads the agent's optional headers into the call.
void readCallHeaders(const HttpRequest &request, CallRequest &call)
{
    call.bearer = bearerOf(request);
    call.statedReason = QString::fromUtf8(request.header("x-mandate-reason").left(1024));
    call.traceparent = QString::fromLatin1(request.header("traceparent"));
    // Vendors' trace state, when well formed; it goes on only with the caller's own trace, which
    // the pipeline's reading of traceparent decides (CallDecision::traceContinued).
    call.tracestate = ToolCallArguments::wellFormedTracestate(request.header("tracestate"));
    if (request.hasHeader("x-mandate-confidence"))
        call.confidence = QString::fromLatin1(request.header("x-mandate-confidence").trimmed());
    call.modelTokens = std::max<qint64>(0, request.header("x-mandate-model-tokens").toLongLong());
}

/// Reads what /v1/authorize is asked to decide into the call; why it cannot, or nothing. The
/// pipeline refuses such a request at the request step once its token is checked, so that it
/// is audited and answered with a decision id like any other refusal.
QString readAuthorizeBody(const HttpRequest &request, CallRequest &call)
{
    Result<QJsonObject> body = RequestBody::jsonObject(request);
    if (!body)
        return body.error().message;
    const QJsonValue action = body->value(QStringLiteral("action"));
    const QJsonValue resource = body->value(QStringLiteral("resource"));
    const QJsonValue args = body->value(QStringLiteral("args"));
    const auto absent = [](const QJsonValue &v) { return v.isUndefined() || v.isNull(); };
    if (!action.isString() || (!absent(resource) && !resource.isObject()) || (!absent(args) && !args.isObject()))
        return QStringLiteral("expected {\"action\":\"tool:verb\",\"resource\":{\"type\":\"Tool\",\"id\":…},\"args\":{…}}");
    call.action = action.toString();
    const QJsonObject tool = resource.toObject();
    call.tool = tool.value(QStringLiteral("id")).toString(call.action.section(u':', 0, 0));
    if (!tool.isEmpty() && tool.value(QStringLiteral("type")).toString() != QLatin1String("Tool"))
        return QStringLiteral("the resource must be a Tool");
    call.args = args.toObject();
    if (body->contains(QStringLiteral("confidence")))
        call.confidence = body->value(QStringLiteral("confidence")).toString();  // a decimal where the schema declares the action
    return {};
}

} // namespace

EnforcementEndpoints::EnforcementEndpoints(firewall::DecisionPipeline &pipeline, firewall::ToolFirewall &firewall,
                                           Metrics &metrics, int workers, int deciders)
    : m_pipeline(pipeline), m_firewall(firewall), m_metrics(metrics)
{
    m_pool.setMaxThreadCount(workers);
    m_pool.setExpiryTimeout(-1);  // keep threads: each holds its database connection
    m_deciderPool.setMaxThreadCount(std::max(1, deciders));
    m_deciderPool.setExpiryTimeout(-1);
}

EnforcementEndpoints::~EnforcementEndpoints()
{
    // In-flight calls finish before the services they use go away.
    m_pool.waitForDone();
    m_deciderPool.waitForDone();
    m_pipeline.waitForPendingDecisions();
}

void EnforcementEndpoints::install(Router &router)
{
    router.addAsync("POST", QStringLiteral("/v1/authorize"), [this](const HttpRequest &request, const RouteParams &, Completion done) {
        m_deciderPool.start([this, request, done]() { authorize(request, done); });
    });
    for (const QByteArray method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
        router.addAsync(method, QStringLiteral("/v1/tools/{tool}/{path...}"),
                        [this](const HttpRequest &request, const RouteParams &params, Completion done) {
            m_pool.start([this, request, params, done]() { done(callTool(request, params)); });
        });
    }
}

void EnforcementEndpoints::authorize(const HttpRequest &request, const Completion &done)
{
    CallRequest call;
    readCallHeaders(request, call);
    call.refusal = readAuthorizeBody(request, call);

    m_pipeline.decideAsync(std::move(call), [this, done](const CallDecision &decision) {
        m_metrics.countDecision(decision.allowed, decision.latencyUs);
        // A decision is an answer, allow or deny; only a call that cannot be attributed, a
        // request that is itself wrong (400: unreadable, or arguments that are not plain
        // data) or one the gateway fails at (5xx) is an error. A call to a tool or action that
        // does not exist is denied.
        if (decision.step == QLatin1String("token") || decision.step == QLatin1String("audit")
            || (decision.step == QLatin1String("request") && (decision.httpStatus == 400 || decision.httpStatus >= 500)))
            return done(denial(decision));
        done(HttpResponse::text(decision.toCompactJson(), "application/json"));
    });
}

HttpResponse EnforcementEndpoints::callTool(const HttpRequest &request, const RouteParams &params)
{
    CallRequest call;
    readCallHeaders(request, call);
    call.tool = params.value(QStringLiteral("tool"));
    // The arguments the policy sees are all the upstream gets: the query's items (forwarded,
    // re-encoded, only for GET and DELETE) or the JSON body's members.
    QList<QPair<QString, QString>> query;
    if (request.method == "GET" || request.method == "DELETE") {
        query = request.query.queryItems(QUrl::FullyDecoded);
        call.refusal = ToolCallArguments::ambiguousQuery(query);
        for (const auto &[key, value] : std::as_const(query))
            call.args.insert(key, value);
    } else {
        if (!request.query.isEmpty())
            call.refusal = QStringLiteral("a query string is not accepted with %1: send the arguments in the JSON body")
                               .arg(QString::fromLatin1(request.method));
        if (!request.body.isEmpty()) {
            // A body that is not a JSON object is refused at the request step like any other
            // bad call, once the token is checked: audited, with a decision id.
            Result<QJsonObject> body = RequestBody::jsonObject(request);
            if (!body && call.refusal.isEmpty())
                call.refusal = body.error().message;
            if (body)
                call.args = body.value();
            if (call.refusal.isEmpty())
                call.refusal = ToolCallArguments::ambiguousNames(call.args);
        }
    }
    const QString subPath = u'/' + params.value(QStringLiteral("path"));
    firewall::ToolFirewall::Outcome outcome = m_firewall.handle(call, request.method, subPath, query, request.body);
    m_metrics.countDecision(outcome.decision.allowed, outcome.decision.latencyUs);
    if (!outcome.decision.allowed)
        return denial(outcome.decision);
    if (!outcome.problem.isEmpty()) {
        HttpResponse failed = HttpResponse::problem(outcome.status, QStringLiteral("upstream"), QStringLiteral("Upstream call failed"),
                                                    outcome.problem, {{QStringLiteral("decision_id"), outcome.decision.decisionId}});
        if (outcome.retryAfterSecs > 0)
            failed.setHeader("Retry-After", QByteArray::number(outcome.retryAfterSecs));
        return failed;
    }
    HttpResponse response = HttpResponse::text(outcome.body, outcome.contentType.isEmpty() ? QByteArray("application/octet-stream")
                                                                                          : outcome.contentType, outcome.status);
    response.setHeader("X-Mandate-Decision-Id", outcome.decision.decisionId.toLatin1());
    return response;
}

HttpResponse EnforcementEndpoints::denial(const CallDecision &decision)
{
    static const QHash<QString, QString> titles{
        {QStringLiteral("token"), QStringLiteral("Execution token rejected")},
        {QStringLiteral("capability"), QStringLiteral("Action not granted to this execution")},
        {QStringLiteral("request"), QStringLiteral("Call refused")},
        {QStringLiteral("policy"), QStringLiteral("Denied by policy")},
        {QStringLiteral("risk"), QStringLiteral("Risk ceiling exceeded")},
        {QStringLiteral("rate_limit"), QStringLiteral("Rate limit reached")},
        {QStringLiteral("budget"), QStringLiteral("Budget exhausted")},
        {QStringLiteral("audit"), QStringLiteral("Audit log unavailable")},
    };
    // A token or budget step the gateway's store failed at (503) is neither a rejected token
    // nor an exhausted budget.
    const bool storeFailed = decision.httpStatus >= 500 && (decision.step == QLatin1String("token") || decision.step == QLatin1String("budget"));
    HttpResponse response = HttpResponse::problem(decision.httpStatus, QStringLiteral("denied-") + decision.step,
                                                  storeFailed ? QStringLiteral("Gateway temporarily unavailable")
                                                              : titles.value(decision.step, QStringLiteral("Denied")),
                                                  decision.message, decision.toJson());
    if (decision.httpStatus == 401)
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    if (decision.retryAfterSecs > 0)
        response.setHeader("Retry-After", QByteArray::number(decision.retryAfterSecs));
    return response;
}

} // namespace mandate::api
