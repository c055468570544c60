// SPDX-License-Identifier: Apache-2.0
#include "firewall/ToolFirewall.h"

#include "common/Logging.h"
#include "firewall/ResponseFraming.h"
#include "firewall/ToolRoute.h"
#include "firewall/TraceContext.h"

#include <QJsonArray>


namespace mandate::firewall {

namespace {

constexpr int FlaggedResponseRisk = 10;

/// The upstream's Content-Type if it is a media type (http and https alike), which can be passed
/// on to the agent as it is; anything else is answered as opaque bytes.
QByteArray passableContentType(const QByteArray &contentType)
{
    return framing::isMediaType(contentType) ? contentType : QByteArray("application/octet-stream");
}

/// Path parameters join the arguments the policy sees; a body or query argument of the same
/// name must agree with the path, or the policy and the upstream would see different values.
void addPathParameters(CallRequest &call, const ToolRoute &route)
{
    for (auto it = route.parameters.cbegin(); it != route.parameters.cend(); ++it) {
        // Many servers match names without regard to case ("ID" for "id"): another spelling is
        // refused, whatever its value.
        const QString folded = it.key().toCaseFolded();
        for (auto arg = call.args.constBegin(); arg != call.args.constEnd() && call.refusal.isEmpty(); ++arg) {
            if (arg.key() != it.key() && arg.key().toCaseFolded() == folded)
                call.refusal = QStringLiteral("argument \"%1\" is the path's parameter \"%2\" spelled otherwise").arg(arg.key(), it.key());
        }
        const QJsonValue given = call.args.value(it.key());
        if (given.isUndefined()) {
            call.args.insert(it.key(), it.value());
        } else if (given != QJsonValue(it.value()) && call.refusal.isEmpty()) {
            call.refusal = QStringLiteral("argument \"%1\" disagrees with the path, which says \"%2\"").arg(it.key(), it.value());
        }
    }
}

} // namespace

void ToolFirewall::warnNotInspected(const identity::Tool &tool)
{
    const std::lock_guard lock(m_warnedMutex);
    if (m_warnedTools.contains(tool.id))
        return;
    m_warnedTools.insert(tool.id);
    qCWarning(lcGateway).noquote() << "tool" << tool.id << "asks for its responses to be flagged, but this gateway has no "
                                      "response inspector: they pass unexamined";
}

ToolFirewall::ToolFirewall(DecisionPipeline &pipeline, const ResponseInspector *inspector, UpstreamForwarder::Limits limits,
                           std::shared_ptr<UpstreamAdmission> admission, std::shared_ptr<const UpstreamCredentials> credentials)
    : m_pipeline(pipeline), m_inspector(inspector), m_limits(limits), m_admission(std::move(admission)),
      m_credentials(std::move(credentials))
{
}

Result<UpstreamCredential> ToolFirewall::credentialFor(const identity::Tool &tool)
{
    const QString &name = tool.upstreamCredential;
    QString why;
    if (!m_credentials) {
        why = QStringLiteral("this gateway has no upstream-credentials directory");
    } else if (Result<UpstreamCredential> credential = m_credentials->credential(name); !credential) {
        why = credential.error().message;
    } else if (!credential->mayBeSentTo(QUrl(tool.upstream, QUrl::StrictMode), &why)) {
        why = QStringLiteral("it may not be sent to the upstream of tool %1: %2").arg(tool.id, why);
    } else {
        if (m_credentialWarnings.load() > 0) {  // working again: a new fault is worth saying again
            const std::lock_guard lock(m_warnedMutex);
            const QString prefix = tool.id + u'\n' + name + u'\n';
            m_warnedCredentials.removeIf([&](const QString &said) { return said.startsWith(prefix); });
            m_credentialWarnings = int(m_warnedCredentials.size());
        }
        return credential;
    }
    {
        const std::lock_guard lock(m_warnedMutex);
        const QString said = tool.id + u'\n' + name + u'\n' + why;
        if (!m_warnedCredentials.contains(said)) {
            m_warnedCredentials.insert(said);
            m_credentialWarnings = int(m_warnedCredentials.size());
            qCWarning(lcGateway).noquote() << "tool" << tool.id << "names upstream credential" << name
                                           << "which cannot be used, so its calls are refused:" << why;
        }
    }
    return Error{QStringLiteral("credential_unavailable"),
                 QStringLiteral("tool %1 is called with upstream credential \"%2\", which this gateway cannot present: "
                                "the call was not forwarded")
                     .arg(tool.id, name)};
}

void ToolFirewall::checkCredentials(const std::vector<identity::Tool> &tools)
{
    for (const identity::Tool &tool : tools) {
        if (tool.upstreamCredential.isEmpty())
            continue;
        if (const Result<UpstreamCredential> credential = credentialFor(tool); credential && credential->origins.isEmpty())  // a fault is logged there
            qCInfo(lcGateway).noquote() << "upstream credential" << tool.upstreamCredential << "of tool" << tool.id
                                        << "is bound to no origin: it goes to any https upstream the tool is pointed at";
    }
}

UpstreamResponse ToolFirewall::sendWithinBound(const QString &toolId, const QByteArray &method, const QUrl &url, const QByteArray &body,
                                               const QList<QPair<QByteArray, QByteArray>> &headers, Outcome &outcome) const
{
    if (!m_admission)
        return UpstreamForwarder::send(method, url, body, headers, m_limits);
    // Taken after the decision: a caller without a valid token, or one the policy refuses,
    // never holds a place. Held until the upstream has answered.
    const QString origin = url.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
    if (const UpstreamAdmission::Place place = m_admission->enter(origin))
        return UpstreamForwarder::send(method, url, body, headers, m_limits);
    UpstreamResponse refused;
    refused.problemStatus = 503;
    refused.sent = false;  // nothing left: the charge is given back
    refused.error = QStringLiteral("the upstream of tool %1 already has %2 calls in flight, the most it may; try again shortly")
                        .arg(toolId, QString::number(m_admission->perUpstream()));
    outcome.retryAfterSecs = 1;
    return refused;
}

ToolFirewall::Outcome ToolFirewall::handle(CallRequest call, const QByteArray &method, const QString &subPath,
                                           const QList<QPair<QString, QString>> &query, const QByteArray &body)
{
    Outcome outcome;
    Result<identity::Tool> tool = m_pipeline.tool(call.tool);
    std::optional<ToolRoute> route = tool ? ToolRoute::match(tool.value(), method, subPath) : std::nullopt;
    // An unknown route still goes through the pipeline (token check, audit) as a denial.
    call.action = route ? route->action.name : QStringLiteral("%1:<%2 %3>").arg(call.tool, QString::fromLatin1(method), subPath);
    if (route) {
        addPathParameters(call, *route);
        call.toolVersion = tool->version;  // decided on the record it is routed and forwarded by
    }
    call.charge = true;
    // A tool whose responses must be redacted or withheld is not called when nothing can look
    // at them (fail closed): the pipeline refuses such a call once it is allowed, before it is
    // charged. Flagging only records, and a response passes either way.
    const bool mustInspect = route && (tool->inspection == identity::Tool::Inspection::Redact || tool->inspection == identity::Tool::Inspection::Block);
    if (!m_inspector && mustInspect)
        call.unservable = QStringLiteral("tool %1 requires response inspection (%2), which this gateway cannot do: the call was not forwarded")
                              .arg(tool->id, identity::Tool::inspectionName(tool->inspection));
    // Read before deciding, so that a call without it is refused uncharged, like one above.
    std::optional<UpstreamHeader> credential;
    if (route && !tool->upstreamCredential.isEmpty() && call.unservable.isEmpty()) {
        Result<UpstreamCredential> usable = credentialFor(tool.value());
        if (usable)
            credential = std::move(usable->header);
        else
            call.unservable = usable.error().message;
    }
    outcome.decision = m_pipeline.decide(call);
    if (!outcome.decision.allowed) {
        outcome.status = outcome.decision.httpStatus;
        outcome.problem = outcome.decision.message;
        return outcome;
    }

    // Built from the values the policy saw, never from the request's path as text.
    const QUrl url = route->upstreamUrl(tool->upstream, query);
    TraceContext trace{outcome.decision.traceId, outcome.decision.spanId, {}, outcome.decision.traceSampled};
    // The execution token never leaves the gateway; the upstream learns who acts through headers.
    QList<QPair<QByteArray, QByteArray>> headers{
        {"Content-Type", "application/json"},
        {"traceparent", trace.header().toLatin1()},
        {"X-Mandate-Execution", outcome.decision.view.execution.id.toUtf8()},
        {"X-Mandate-Agent", outcome.decision.view.execution.agent.toUtf8()},
        {"X-Mandate-On-Behalf-Of", outcome.decision.view.execution.rootHuman().toUtf8()},
        {"X-Mandate-Decision-Id", outcome.decision.decisionId.toLatin1()},
    };
    // W3C Trace Context: a tracestate is discarded with an invalid traceparent.
    if (outcome.decision.traceContinued && !call.tracestate.isEmpty())
        headers.append({"tracestate", call.tracestate});
    // The agent's own headers are never forwarded, so this is the only credential the upstream sees.
    QJsonObject sentWith;
    if (credential) {
        headers.append({credential->name, credential->value});
        sentWith.insert(QStringLiteral("mandate.upstream.credential"), tool->upstreamCredential);
    }
    const QByteArray forwarded = method == "GET" || method == "DELETE" ? QByteArray() : body;
    UpstreamResponse upstream = sendWithinBound(tool->id, method, url, forwarded, headers, outcome);
    if (upstream.status == 0) {
        outcome.status = upstream.problemStatus;
        outcome.problem = upstream.error;
        QJsonObject details = sentWith;
        details.insert(QStringLiteral("mandate.upstream.error"), upstream.error);
        if (Status recorded = m_pipeline.recordForward(call, outcome.decision, 0, details, 0, !upstream.sent);
            !recorded)
            qCWarning(lcGateway) << "cannot record the failed forward:" << recorded.error().message;
        return outcome;
    }

    QJsonObject findingsJson = sentWith;
    if (!m_inspector && tool->inspection == identity::Tool::Inspection::Flag)
        warnNotInspected(tool.value());
    // An upstream that echoes request headers (a debug endpoint, an error page) must not hand
    // the agent the secret it was called with. Before inspection: the inspector's offsets are
    // into the body the agent gets, and its findings must not quote the secret.
    if (credential && UpstreamCredentials::redact(upstream.body, *credential))
        findingsJson.insert(QStringLiteral("mandate.upstream.credential_echoed"), true);
    const QList<Finding> findings = m_inspector ? m_inspector->inspect(call.tool, call.action, upstream.body) : QList<Finding>();
    if (!findings.isEmpty()) {
        QJsonArray list;
        for (const Finding &finding : findings)
            list.append(QJsonObject{{QStringLiteral("kind"), finding.kind}, {QStringLiteral("offset"), finding.offset},
                                    {QStringLiteral("length"), finding.length}, {QStringLiteral("detail"), finding.detail}});
        findingsJson.insert(QStringLiteral("mandate.response.findings"), list);
        findingsJson.insert(QStringLiteral("mandate.response.mode"), identity::Tool::inspectionName(tool->inspection));
        if (tool->inspection == identity::Tool::Inspection::Redact)
            upstream.body = redactFindings(std::move(upstream.body), findings, "[redacted by Mandate]");
    }
    const bool block = !findings.isEmpty() && tool->inspection == identity::Tool::Inspection::Block;
    const int riskDelta = findings.isEmpty() || tool->inspection == identity::Tool::Inspection::Off ? 0 : FlaggedResponseRisk;
    if (Status recorded = m_pipeline.recordForward(call, outcome.decision, upstream.status, findingsJson, riskDelta); !recorded) {
        // The call already happened upstream; we still must not hand over an unrecorded response.
        outcome.status = 503;
        outcome.problem = QStringLiteral("the audit log cannot record the response: ") + recorded.error().message;
        return outcome;
    }
    if (block) {
        outcome.status = 502;
        outcome.problem = QStringLiteral("the response was withheld by the tool firewall (%1 finding(s))").arg(findings.size());
        return outcome;
    }
    outcome.status = upstream.status;
    outcome.contentType = passableContentType(upstream.contentType);
    outcome.body = upstream.body;
    return outcome;
}

} // namespace mandate::firewall
