// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/Metrics.h"
#include "api/Router.h"
#include "firewall/DecisionPipeline.h"
#include "firewall/ToolFirewall.h"

#include <QThreadPool>

namespace mandate::api {

/// The enforcement endpoints an agent calls with its execution token: `POST /v1/authorize`
/// (decision only) and `/v1/tools/{tool}/…` (the tool firewall). Both run on a worker pool,
/// because a decision waits for its audit record to be committed and a forward for the upstream.
class EnforcementEndpoints final
{
public:
    EnforcementEndpoints(firewall::DecisionPipeline &pipeline, firewall::ToolFirewall &firewall, Metrics &metrics,
                         int workers = 64);
    Q_DISABLE_COPY_MOVE(EnforcementEndpoints)
    ~EnforcementEndpoints();

    void install(Router &router);

private:
    HttpResponse authorize(const HttpRequest &request);
    HttpResponse callTool(const HttpRequest &request, const RouteParams &params);

    firewall::DecisionPipeline &m_pipeline;
    firewall::ToolFirewall &m_firewall;
    Metrics &m_metrics;
    QThreadPool m_pool;
};

} // namespace mandate::api
