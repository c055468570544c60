// SPDX-License-Identifier: Apache-2.0
#include "api/OffThreadJobs.h"

#include <optional>
#include <utility>

namespace mandate::api {

OffThreadJobs::OffThreadJobs(QThreadPool &pool, const AdminAuth &auth, int limit, QString busyDetail)
    : m_pool(pool), m_auth(auth), m_limit(limit), m_busyDetail(std::move(busyDetail))
{
}

AsyncHandler OffThreadJobs::route(std::shared_ptr<OffThreadJobs> jobs, Permission permission,
                                  std::function<HttpResponse(const HttpRequest &)> job)
{
    return [jobs = std::move(jobs), permission, job = std::move(job)](const HttpRequest &request, const RouteParams &, Completion done) {
        start(jobs, request, permission, done, job);
    };
}

void OffThreadJobs::start(const std::shared_ptr<OffThreadJobs> &jobs, const HttpRequest &request, Permission permission,
                          const Completion &done, const std::function<HttpResponse(const HttpRequest &)> &job)
{
    std::optional<ApiPrincipal> caller;
    HttpResponse refused = jobs->m_auth.guard(request, permission, [&](const ApiPrincipal &principal) {
        caller = principal;
        return HttpResponse{};
    });
    if (!caller)
        return done(std::move(refused));
    if (jobs->m_admitted.fetch_add(1) >= jobs->m_limit) {
        jobs->m_admitted.fetch_sub(1);
        HttpResponse busy = HttpResponse::problem(503, QStringLiteral("busy"), QStringLiteral("Busy"), jobs->m_busyDetail);
        busy.setHeader("Retry-After", "10");
        return done(std::move(busy));
    }
    // The job holds `jobs`: its count outlives the routes if the router goes first.
    jobs->m_pool.start([jobs, request, done, job, caller = *caller]() {
        // The key may have been revoked while the request waited.
        const Result<bool> valid = jobs->m_auth.stillValid(caller);
        if (!valid)
            done(HttpResponse::fromError(valid.error()));
        else if (!valid.value())
            done(HttpResponse::fromError(Error{QStringLiteral("unauthorized"), QStringLiteral("the API key was revoked")}));
        else
            done(job(request));
        jobs->m_admitted.fetch_sub(1);
    });
}

} // namespace mandate::api
