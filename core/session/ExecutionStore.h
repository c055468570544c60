// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "identity/Execution.h"
#include "session/Charge.h"
#include "session/ExecutionChange.h"
#include "session/ExecutionFilter.h"
#include "session/ExecutionState.h"
#include "session/ExecutionStateCache.h"
#include "store/Database.h"
#include "store/GroupCommitter.h"

#include <functional>

#include <QObject>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

class QSqlQuery;
class QThread;

namespace mandate::session {

/// Executions and their live state on the gateway database: the record minted by the broker
/// (immutable once written) plus what changes per call: budget used, risk score and session
/// counters, and the status. Every state change is one guarded SQL statement or one
/// transaction, so several gateways sharing the database never double-spend a budget or
/// resurrect a revoked execution. Thread-safe (one connection per thread); changed() is emitted
/// from the calling thread after the change is committed.
///
/// Error codes: not_found, inactive (not active, or past its expiry), budget_exhausted (path:
/// the dimension, "calls" / "tokens" / "amount"), invalid, and the store's own codes.
class ExecutionStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExecutionStore)

public:
    /// Risk scores saturate here; ceilings are 0..100.
    static constexpr int MaxRiskScore = 1000;

    ExecutionStore(const store::Database &database, const Clock &clock, QObject *parent = nullptr);
    ~ExecutionStore() override;

    /// The database its executions live in.
    const store::Database &database() const { return m_db; }

    /// Persists a newly minted, active execution. A sub-execution's budget is reserved from its
    /// parent in the same transaction: it is charged to the parent as used, which fails with
    /// budget_exhausted if it no longer fits the parent's remaining budget (so concurrent
    /// sub-delegations can never hand out more than the parent holds), and with inactive if the
    /// parent is no longer active.
    /// Concurrent creates share their transactions (store::GroupCommitter).
    Status create(const identity::Execution &execution);
    /// create() without waiting: `done` is told the outcome once the record's batch is
    /// committed (with the state cached and `Started` emitted before it), on the thread that
    /// committed it (store::GroupCommitter::submit()). A server that goes on with its next
    /// request meanwhile has its records share commits even on one core.
    void createThen(const identity::Execution &execution, std::function<void(const Status &)> done);
    /// create() in three steps, for a caller whose own transaction carries the record (the
    /// gateway commits it with the delegation's audit record, so that neither exists without
    /// the other): prepareNew() checks it and encodes its body; writeNew() writes it (and the
    /// parent's reservation) in the caller's transaction on this thread's connection, which
    /// must undo both together if it fails (a savepoint); announceNew() caches its state and
    /// emits `Started` once that transaction has committed. Errors as create()'s.
    struct NewExecution
    {
        identity::Execution execution;  ///< as stored: active
        QByteArray body;
        quint64 readAt = 0;  ///< the state cache's generation before the write
        int parentPendingRisk = 0;  ///< the parent's risk not yet written (pendingRisk())
        int riskScore = 0;          ///< set by writeNew(): a sub-execution starts at its parent's
    };
    Result<NewExecution> prepareNew(const identity::Execution &execution) const;
    /// Where to ask for an execution's risk that is decided but not yet written (a gateway's
    /// SessionRecorder): counted when a sub-execution starts at its parent's score, and by the
    /// broker's check that the parent is within its ceiling. Set before serving, cleared before
    /// the source goes.
    void setPendingRisk(std::function<int(const QString &executionId)> source) { m_pendingRisk = std::move(source); }
    int pendingRisk(const QString &executionId) const { return m_pendingRisk ? m_pendingRisk(executionId) : 0; }
    Status writeNew(NewExecution &created);
    void announceNew(NewExecution created);
    /// Transactions create() has committed: fewer than executions created when mints overlap.
    quint64 createCommits() const { return m_creates.batches(); }

    Result<identity::Execution> get(const QString &id) const;
    /// The execution's state as stored now.
    Result<ExecutionState> state(const QString &id) const;
    /// The state from ExecutionStateCache when recent enough, else state(): this store's own
    /// changes are seen at once, another gateway's after at most ExecutionStateCache::kMaxAgeSecs.
    /// For per-call token checks; not for use inside a transaction (it would cache what the
    /// transaction has not committed yet).
    Result<ExecutionState> recentState(const QString &id) const;
    /// Drops the cached state of `id`: for callers whose transaction changed the execution
    /// (chargeInTransaction(), applyUpdate()), once that transaction is over.
    void forgetRecentState(const QString &id) const;
    /// The execution's ancestors, parent first, up to the root execution.
    Result<std::vector<identity::Execution>> ancestors(const QString &id) const;

    /// Charges every dimension of `charge` in one UPDATE whose WHERE clause holds the budget
    /// check, so it is all or nothing. Returns the state after the charge.
    Result<ExecutionState> charge(const QString &id, const Charge &charge);
    /// The guarded UPDATE of charge() alone, in the caller's transaction on this thread's
    /// connection: true when charged, false when the charge does not fit (or the execution is not
    /// active). For a charge made durable together with an audit record (ChargeLedger).
    Result<bool> chargeInTransaction(const QString &id, const Charge &charge);
    /// Gives a committed charge back in the caller's transaction (a call that never reached its
    /// upstream); no dimension goes below zero. False when the execution does not exist.
    Result<bool> refundInTransaction(const QString &id, const Charge &charge);
    /// Counts a call in the session (calls, denied, distinct allowed actions) and moves the risk
    /// score by `riskDelta` (never below 0). Recorded whatever the status: denied calls of a
    /// revoked execution are still counted.
    Status recordCall(const QString &id, const QString &action, bool allowed, int riskDelta);
    /// Moves the risk score alone (a flagged upstream response).
    Status adjustRisk(const QString &id, int riskDelta);

    /// One entry of recordCalls(): a call (`countsAsCall`) or a risk adjustment alone.
    struct SessionUpdate
    {
        QString id;
        QString action;
        bool countsAsCall = true;
        bool allowed = true;
        int riskDelta = 0;
    };
    /// Applies many session updates in one transaction: what a gateway's write-behind recorder
    /// flushes, so that request threads do not each wait for the write lock.
    Status recordCalls(const std::vector<SessionUpdate> &updates);
    /// The same in the caller's transaction, on this thread's connection.
    Status applyUpdates(const std::vector<SessionUpdate> &updates);
    Status applyUpdate(const SessionUpdate &update);

    /// Revokes the execution and all its active descendants; returns the ids revoked (empty when
    /// none was active). Fails with not_found for an unknown id.
    Result<QStringList> revoke(const QString &id, const QString &reason);
    /// Marks an active execution completed. Its active descendants complete with it: their
    /// authority derives from a task that is over.
    Status complete(const QString &id);
    /// Marks every active execution past its expiry expired; returns how many.
    Result<int> expireDue();
    /// Active executions past their expiry, soonest expired first, at most `limit` (on the
    /// executions_status index): what the gateway's expiry sweeper records, then marks.
    Result<std::vector<identity::Execution>> dueForExpiry(int limit) const;
    /// Marks one active execution past its expiry expired, in the caller's transaction on this
    /// thread's connection: true when it did. For an expiry made durable with its audit record.
    Result<bool> expireInTransaction(const QString &id);

    Result<std::vector<ExecutionState>> list(const ExecutionFilter &filter) const;
    /// Executions active now (not ended, not past their expiry), counted on the status index:
    /// what /metrics reports, however many there are.
    Result<qint64> countActive() const;

Q_SIGNALS:
    /// Emitted on the thread that committed the change: for createThen() and the gateway's
    /// mints, the committer's or the audit writer's. Connect queued, or keep a direct slot short
    /// and away from this store's writes and the audit log's (it would wait for itself).
    void changed(const mandate::session::ExecutionChange &change);

private:
    Result<identity::Execution> record(const QString &id, const QString &body) const;
    Result<QStringList> sessionActions(const QString &id) const;
    Result<ExecutionState> stateFromRow(const class QSqlQuery &row) const;
    Result<ExecutionState> explainRefusal(const QString &id, const Charge &charge, const QString &what) const;
    /// An execution's risk score as stored (in the calling thread's transaction, if any); 0 for
    /// an execution that does not exist.
    Result<int> storedRisk(const QString &id) const;
    Result<QStringList> endTree(const QString &id, identity::Execution::Status status, const QString &reason,
                                std::vector<ExecutionChange> &changes);
    void emitAll(const std::vector<ExecutionChange> &changes);
    enum class Hot { State, Actions, Get, Charge, Insert, Risk, Session, SessionAction };
    QSqlQuery &hot(Hot which) const;

    const store::Database &m_db;
    const Clock &m_clock;
    store::GroupCommitter m_creates;  ///< create()'s inserts, committed together
    std::function<int(const QString &)> m_pendingRisk;
    // Execution records never change after minting (status lives in its own column), so the
    // parsed record is cached with the recent state: the per-call path then reads a few
    // integers, not a JSON body.
    mutable ExecutionStateCache m_recent;  ///< for recentState() and record(); states invalidated by every change
    // The per-call statements stay prepared, one set per thread (each thread has its own
    // connection): parsing the SQL costs more than running it.
    struct ThreadStatements;
    mutable std::mutex m_statementsMutex;
    mutable std::unordered_map<QThread *, std::unique_ptr<ThreadStatements>> m_statements;
};

} // namespace mandate::session
