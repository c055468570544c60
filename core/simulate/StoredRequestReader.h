// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "common/Result.h"
#include "simulate/Replay.h"

#include <optional>

namespace mandate::simulate {

/// Reads a stored decision record into a RecordedRequest straight from its bytes: the summary
/// members are decoded and the Cedar request is located, not parsed (see StoredCedarRequest).
/// Reading the whole body with Qt was most of the load time of a large replay.
class StoredRequestReader
{
public:
    /// The request, or "not_replayable" / "invalid" exactly as reading the body with Qt would
    /// say; nullopt when the body is outside what JsonSpans reads (non-ASCII text, escapes,
    /// duplicate members, ...) and Qt must read it.
    static std::optional<Result<RecordedRequest>> read(const audit::StoredRecord &stored);
};

} // namespace mandate::simulate
