// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "common/Result.h"
#include "policy/PolicySet.h"
#include "policy/Schema.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace mandate::simulate {

/// One recorded decision that can be replayed: the complete Cedar request the gateway evaluated
/// and what the policy set said at the time. The policy verdict is not the final decision: a
/// call the policies allowed may still have been stopped by a rate limit or the budget.
struct RecordedRequest
{
    qint64 sequence = 0;
    QString gatewayId;
    QDateTime time;
    QString human;
    QString agent;
    QString execution;
    QString tool;
    QString action;
    QString decisionId;
    bool policyAllowed = false;
    QStringList policies;      ///< the determining policies recorded
    QStringList errors;
    QJsonObject cedarRequest;  ///< {principal, action, resource, context, entities}

    /// From a decision record that reached the policy step; "not_replayable" otherwise (the
    /// token was refused, the action was not granted, ... : nothing for a policy to decide).
    static Result<RecordedRequest> fromAudit(const audit::AuditRecord &record, qint64 sequence, const QString &gatewayId);
    /// From the export form the admin API returns (GET /v1/audit), same rules.
    static Result<RecordedRequest> fromExportJson(const QJsonObject &object);
};

/// What a policy set says about one request, and why, in words an analyst reads:
/// "allowed by p1", "forbidden by p7", "no permit policy matched".
struct Outcome
{
    bool allowed = false;
    QStringList policies;      ///< determining policies (their @id annotation, else the policy id)
    QStringList errors;        ///< "policy: message"
    QString explanation;
};

enum class Change { Unchanged, NewlyDenied, NewlyAllowed };

struct ChangeCounts
{
    qint64 unchanged = 0;
    qint64 newlyDenied = 0;
    qint64 newlyAllowed = 0;
    qint64 total() const { return unchanged + newlyDenied + newlyAllowed; }
};

struct ReplayedRequest
{
    RecordedRequest recorded;
    Outcome before;            ///< as recorded
    Outcome after;             ///< under the candidate
    Change change = Change::Unchanged;
};

/// The result of a replay; accumulates over batches so that a caller can feed pages of records
/// as they arrive and show the summary growing.
struct ReplaySummary
{
    static constexpr int kMaxChanges = 10'000;  ///< changed requests kept in full

    qint64 replayed = 0;
    qint64 skipped = 0;                         ///< requests that no longer fit the schema
    QStringList skipReasons;                    ///< the first few, for the analyst
    ChangeCounts overall;
    std::map<QString, ChangeCounts> byAgent;
    std::map<QString, ChangeCounts> byTool;
    std::map<QString, ChangeCounts> byAction;
    std::map<QString, ChangeCounts> byPolicy;   ///< every determining policy, before or after
    std::map<QDateTime, ChangeCounts> timeline; ///< bucket start → counts
    std::vector<ReplayedRequest> changes;       ///< the first kMaxChanges changed requests
    bool cancelled = false;

    QJsonObject toJson() const;
    static Result<ReplaySummary> fromJson(const QJsonObject &object);
};

struct ReplayOptions
{
    qint64 bucketSeconds = 60;                  ///< timeline resolution
    int threads = 0;                            ///< 0: QThread::idealThreadCount()
};

/// Re-decides recorded requests under a candidate policy set with the core evaluator, locally.
/// Thread-safe after construction (const), so the console runs it off the GUI thread.
class Replayer
{
public:
    /// "invalid" with every parse diagnostic (line, column, message in details) when the
    /// candidate does not parse.
    static Result<Replayer> create(const QString &candidateSource, std::shared_ptr<const policy::Schema> schema);

    /// What-if: one request (Cedar JSON form) under the candidate. "invalid" when the request
    /// does not fit the schema.
    Result<Outcome> decide(const QJsonObject &cedarRequest) const;

    /// Replays `records` into `summary`. Checks `cancel` between chunks; `progress(done)` is
    /// called from the calling thread every few thousand records.
    void replay(const std::vector<RecordedRequest> &records, ReplaySummary &summary, const ReplayOptions &options = {},
                const std::atomic_bool *cancel = nullptr, const std::function<void(qint64 done)> &progress = {}) const;

private:
    Replayer() = default;
    std::shared_ptr<const policy::PolicySet> m_policies;
    std::shared_ptr<const policy::Schema> m_schema;
};

} // namespace mandate::simulate
