// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/Router.h"
#include "audit/AuditLog.h"
#include "registry/PolicyStore.h"

class QThreadPool;

namespace mandate::api {

/// The policy simulator on the gateway (permission Simulate: roles admin and analyst):
///   POST /v1/simulate  {"policies": "<candidate Cedar text>",
///                       "filter": {"from","to","human","agent","execution","descendants","tool",
///                                  "action","decision","gateway","trace_id"},   (all optional)
///                       "bucket_seconds": 60, "max_changes": 1000, "max_records": N}
///   → the ReplaySummary JSON, plus "records_read", "not_replayable", "truncated",
///     "policy_version" (the active set the candidate is compared with is what was recorded).
/// bucket_seconds, when left out, is a minute or the smallest usual step above it that keeps the
/// window within kMaxBuckets; one given that is too small for the window is refused.
/// Replays the recorded decisions the filter selects, streamed from the audit log in pages,
/// server-side so that a large window does not travel to the console. Bounded: at most
/// kMaxRecords decision records per request ("truncated": true when the window held more; ask
/// again with a later "from"), kMaxChangesSent changed requests in the answer, and one
/// simulation at a time with one more waiting (others get 503 and Retry-After). A candidate that does not parse is a 422 problem with
/// every diagnostic in "errors".
class SimulateEndpoints
{
public:
    static constexpr qint64 kMaxRecords = 1'000'000;
    static constexpr int kMaxChangesSent = 1'000;
    /// Simulations running or waiting at once; more are answered 503 with Retry-After.
    static constexpr int kMaxAdmitted = 2;
    /// Timeline buckets a window may span: bucket_seconds must be large enough.
    static constexpr qint64 kMaxBuckets = 10'000;

    /// Replays on `pool` (one thread; the owner drains it before the server goes).
    static void install(Router &router, QThreadPool &pool, audit::AuditLog &log, registry::PolicyStore &policies,
                        const AdminAuth &auth);
};

} // namespace mandate::api
