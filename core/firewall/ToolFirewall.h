// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/DecisionPipeline.h"
#include "firewall/ResponseInspector.h"
#include "firewall/UpstreamAdmission.h"
#include "firewall/UpstreamCredentials.h"
#include "firewall/UpstreamForwarder.h"

#include <QSet>

#include <atomic>
#include <mutex>

namespace mandate::firewall {

/// A call through /v1/tools/{tool}/…: the decision pipeline with the budget charged, then the
/// forward to the tool's registered upstream, inspection of the response under the tool's
/// mode, and the forward's own audit record.
class ToolFirewall
{
public:
    struct Outcome
    {
        CallDecision decision;
        int status = 0;               ///< what to answer the agent
        QByteArray contentType;
        QByteArray body;
        QString problem;              ///< set when the firewall, not the upstream, answers
        int retryAfterSecs = 0;       ///< when > 0: the agent may try again after this long
    };

    /// With `admission`, a call whose upstream already has as many calls in flight as it may
    /// is not sent: it is answered 503 (Retry-After), recorded as a forward that never left,
    /// and its charge given back. `credentials` hold what tools' upstreams are called with; a
    /// call to a tool that names a credential this gateway cannot present is refused (503,
    /// not charged, never sent), also when there are no `credentials` at all.
    ToolFirewall(DecisionPipeline &pipeline, const ResponseInspector *inspector, UpstreamForwarder::Limits limits = {},
                 std::shared_ptr<UpstreamAdmission> admission = nullptr,
                 std::shared_ptr<const UpstreamCredentials> credentials = nullptr);

    /// `call.tool` is set; `call.action` is resolved here from the method and the decoded
    /// `subPath`, whose parameters join `call.args` (an argument that says otherwise is refused).
    /// `query`: the decoded (name, value) pairs forwarded to the upstream, re-encoded. `body`: the
    /// agent's JSON body, whose members are `call.args`; forwarded as it came (not for GET and
    /// DELETE), so that the upstream reads exactly what the policy did.
    Outcome handle(CallRequest call, const QByteArray &method, const QString &subPath, const QList<QPair<QString, QString>> &query,
                   const QByteArray &body);

    /// Logs, for each of `tools` that names an upstream credential this gateway cannot present,
    /// why (once, as its calls would).
    void checkCredentials(const std::vector<identity::Tool> &tools);

private:
    /// Sends the call, or, when its upstream already has as many calls in flight as it may,
    /// answers it 503 unsent (with Retry-After in `outcome`).
    UpstreamResponse sendWithinBound(const QString &toolId, const QByteArray &method, const QUrl &url, const QByteArray &body,
                                     const QList<QPair<QByteArray, QByteArray>> &headers, Outcome &outcome) const;
    /// Says once per tool that its inspection mode has no effect here.
    void warnNotInspected(const identity::Tool &tool);
    /// The header of the credential `tool` names, or why it cannot be had (said to the agent;
    /// the details, which name the file, go to the log once per tool, credential and reason, and
    /// again once it has worked in between).
    Result<UpstreamCredential> credentialFor(const identity::Tool &tool);

    DecisionPipeline &m_pipeline;
    const ResponseInspector *m_inspector;
    UpstreamForwarder::Limits m_limits;
    std::shared_ptr<UpstreamAdmission> m_admission;
    std::shared_ptr<const UpstreamCredentials> m_credentials;
    std::mutex m_warnedMutex;
    QSet<QString> m_warnedTools;
    QSet<QString> m_warnedCredentials;  ///< "tool\ncredential\nreason" said to the log already
    std::atomic<int> m_credentialWarnings{0};  ///< its size, read without the lock
};

} // namespace mandate::firewall
