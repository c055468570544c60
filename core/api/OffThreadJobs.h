// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/Router.h"

#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

namespace mandate::api {

/// Admin requests answered on a pool rather than on the server's thread (audit reads, replays):
/// at most `limit` run or wait at once, beyond which callers get 503 with Retry-After (a queue
/// without bound would keep cores busy long after its callers gave up), and a job runs only if
/// its caller's key still exists when its turn comes. Routes share one by shared_ptr.
class OffThreadJobs
{
public:
    OffThreadJobs(QThreadPool &pool, const AdminAuth &auth, int limit, QString busyDetail);

    /// For a route: checks `permission` on the server's thread, then runs `job` on the pool.
    static AsyncHandler route(std::shared_ptr<OffThreadJobs> jobs, Permission permission,
                                      std::function<HttpResponse(const HttpRequest &)> job);

private:
    static void start(const std::shared_ptr<OffThreadJobs> &jobs, const HttpRequest &request, Permission permission,
                      const Completion &done, const std::function<HttpResponse(const HttpRequest &)> &job);

    QThreadPool &m_pool;
    const AdminAuth &m_auth;
    const int m_limit;
    const QString m_busyDetail;
    std::atomic<int> m_admitted{0};
};

} // namespace mandate::api
