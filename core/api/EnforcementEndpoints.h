// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Metrics.h"
#include "api/Router.h"
#include "firewall/DecisionPipeline.h"
#include "firewall/ToolFirewall.h"

#include <QThread>
#include <QThreadPool>

namespace mandate::api {

/// The enforcement endpoints an agent calls with its execution token: `POST /v1/authorize`
/// (decision only) and `/v1/tools/{tool}/…` (the tool firewall). A tool call runs on a large
/// worker pool, because it blocks on its audit record and on the upstream. A decision blocks on
/// nothing: its steps run on a pool as large as the machine has cores, and it is answered from
/// the pipeline's commit thread once its record is committed, so that no thread waits for a
/// commit and a busy gateway does not switch between dozens of threads per decision.
class EnforcementEndpoints final
{
public:
    EnforcementEndpoints(firewall::DecisionPipeline &pipeline, firewall::ToolFirewall &firewall, Metrics &metrics,
                         int workers = 64, int deciders = QThread::idealThreadCount());
    Q_DISABLE_COPY_MOVE(EnforcementEndpoints)
    ~EnforcementEndpoints();

    void install(Router &router);

    /// The problem+json answer to a refused call: the refusing step's title (a store failure
    /// at the token or budget step, a 5xx, says the gateway is unavailable: the token was not
    /// rejected, the budget not exhausted), the decision as extensions, and the headers a
    /// client acts on (WWW-Authenticate for 401, Retry-After for a rate limit).
    static HttpResponse denial(const firewall::CallDecision &decision);

private:
    /// Answers `done` with a bad request at once, or once the pipeline has decided.
    void authorize(const HttpRequest &request, const Completion &done);
    HttpResponse callTool(const HttpRequest &request, const RouteParams &params);

    firewall::DecisionPipeline &m_pipeline;
    firewall::ToolFirewall &m_firewall;
    Metrics &m_metrics;
    QThreadPool m_pool;           ///< tool calls
    QThreadPool m_deciderPool;    ///< the steps of /v1/authorize decisions
};

} // namespace mandate::api
