// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"

#include <vector>

namespace mandate::audit {

/// Receives records after they are committed (SIEM file, OTLP). Called on the AuditLog's writer
/// thread in chain order, so an implementation must be quick and must not call back into the log.
class AuditSink
{
public:
    virtual ~AuditSink() = default;
    virtual void consume(const std::vector<StoredRecord> &batch) = 0;
};

} // namespace mandate::audit
