// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditQuery.h"
#include "common/Result.h"
#include "simulate/Replay.h"
#include "store/Database.h"

#include <atomic>
#include <functional>
#include <vector>

namespace mandate::simulate {

/// The replayable decisions of a gateway's audit log, read in batches so that a window of
/// millions of records never has to be in memory at once. Record bodies are parsed on all
/// cores: after the evaluation itself, reading the stored JSON is the cost of a replay.
class RecordedTraffic
{
public:
    struct Totals
    {
        qint64 read = 0;           ///< decision records read
        qint64 notReplayable = 0;  ///< refused before the policy step, or unreadable
        bool truncated = false;    ///< stopped at maxRecords with more records left
    };
    struct Options
    {
        qint64 maxRecords = 0;     ///< decision records to read at most; 0: no bound
        int batchSize = 16'000;    ///< requests handed over at once
        int threads = 0;           ///< 0: QThread::idealThreadCount()
    };
    /// Receives each batch in chain order; returning false stops the reading.
    using BatchHandler = std::function<bool(std::vector<RecordedRequest> &&batch)>;

    explicit RecordedTraffic(const store::Database &database) : m_db(database) {}

    /// Reads the decision records `filter` selects (its event is forced to "decision").
    Result<Totals> read(audit::AuditFilter filter, const BatchHandler &handle, const Options &options) const;
    Result<Totals> read(const audit::AuditFilter &filter, const BatchHandler &handle) const { return read(filter, handle, Options{}); }

    /// One stored record as a replayable request; "not_replayable" or "invalid" otherwise.
    static Result<RecordedRequest> fromStored(const audit::StoredRecord &stored);
    /// The same read with Qt's JSON reader throughout: what fromStored falls back to, and the
    /// reference its fast path is tested against.
    static Result<RecordedRequest> fromStoredWithQt(const audit::StoredRecord &stored);

private:
    const store::Database &m_db;
};

} // namespace mandate::simulate
