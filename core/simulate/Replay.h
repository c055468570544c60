// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "common/Result.h"
#include "policy/PolicySet.h"
#include "policy/Schema.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace mandate::simulate {

/// The Cedar request of a record read from the audit store, as stored: the record's bytes
/// (shared, not copied) and where each member of the request is in them. A replay reads the
/// members straight from these bytes, and the entities only once per distinct set.
struct StoredCedarRequest
{
    struct Span
    {
        qsizetype offset = -1;   ///< -1: the member is absent
        qsizetype size = 0;
    };
    QByteArray body;
    Span whole, principal, action, resource, context, entities;

    bool isEmpty() const { return body.isEmpty(); }
    QByteArrayView view(Span span) const
    {
        return span.offset < 0 ? QByteArrayView() : QByteArrayView(body).sliced(span.offset, span.size);
    }
};

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
    QJsonObject cedarRequest;  ///< {principal, action, resource, context, entities}; empty when `stored` is set
    StoredCedarRequest stored; ///< the request as stored, when read from the audit store

    /// cedarRequest, or the stored request read into one.
    QJsonObject cedarRequestObject() const;
    /// Whether the policies allowed the call of a decision record, from its decision and the
    /// step that denied it; "not_replayable" when it was denied before a policy decided.
    static Result<bool> policyVerdict(const QString &decision, const QString &deniedAtStep);

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

    /// The analyst's sentence for a decision: "allowed by p1", "forbidden by p7", "no permit
    /// policy matched", followed by the policies that errored and were skipped.
    static QString explain(bool allowed, const QStringList &policies, const QStringList &errors);
    /// The outcome as recorded: the policy verdict, not the final decision.
    static Outcome recorded(const RecordedRequest &request);
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
    static constexpr int kMaxSkipReasons = 20;

    qint64 replayed = 0;
    qint64 bucketSeconds = 60;                  ///< timeline resolution it was made with
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

    /// Adds `other` (a later batch) to this summary; changes beyond kMaxChanges are dropped.
    void merge(ReplaySummary &&other);

    /// `maxChanges` bounds the changed requests written (the server sends fewer than it keeps);
    /// "changes_total" always says how many there were.
    QJsonObject toJson(int maxChanges = kMaxChanges) const;
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
    /// The same for a set parsed elsewhere (the gateway's active set).
    static Replayer fromPolicySet(policy::PolicySet policies, std::shared_ptr<const policy::Schema> schema);

    /// What-if: one request (Cedar JSON form) under the candidate. "invalid" when the request
    /// does not fit the schema.
    Result<Outcome> decide(const QJsonObject &cedarRequest) const;

    /// Replays `records` into `summary`. Checks `cancel` between chunks; `progress(done)` is
    /// called from the calling thread every few thousand records.
    void replay(const std::vector<RecordedRequest> &records, ReplaySummary &summary, const ReplayOptions &options = {},
                const std::atomic_bool *cancel = nullptr, const std::function<void(qint64 done)> &progress = {}) const;

private:
    struct Worker;

    Replayer() = default;
    std::shared_ptr<const policy::PolicySet> m_policies;
    std::shared_ptr<const policy::Schema> m_schema;
    /// Label of each candidate policy, computed once (hot path of a replay).
    std::shared_ptr<const std::unordered_map<const policy::Policy *, QString>> m_labels;
};

} // namespace mandate::simulate
