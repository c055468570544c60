// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/AdminAuth.h"
#include "api/Router.h"
#include "audit/AuditLog.h"

class QThreadPool;

namespace mandate::api {

/// The audit part of the admin API (permission ReadAudit):
///   GET  /v1/audit?from&to&human&agent&execution[&descendants=false]&tool&action&decision&trace_id
///        &event&gateway&cursor&limit   → {"items":[records],"next_cursor":…}
///   POST /v1/audit/verify  (optional body: a signed head) → the VerifyReport; 200 intact, 409 tampered
///   GET  /v1/lineage?execution=|human=|agent=[&format=dot] → the lineage graph as JSON or Graphviz
/// Each is answered on `pool` (of kReaders threads, which the owner drains before the server
/// goes), never on the server's thread.
class AuditEndpoints
{
public:
    static constexpr int kReaders = 2;
    /// Reads running or waiting at once; more are answered 503 with Retry-After.
    static constexpr int kMaxAdmitted = 16;

    static void install(Router &router, QThreadPool &pool, audit::AuditLog &log, const AdminAuth &auth);
};

} // namespace mandate::api
