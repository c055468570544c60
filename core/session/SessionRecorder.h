// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "session/ExecutionStore.h"

#include <QDateTime>
#include <QHash>
#include <QStringList>

#include <array>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace mandate::session {

/// The per-call session counters and risk score, written by whoever already writes: the gateway
/// hooks writePending() into the audit log's batch transaction, so that the database has one
/// writer (before, a writer thread of its own and the audit writer queued on SQLite's write
/// lock, whose busy handler sleeps). A decided call's effect is reserved while its record is
/// being written and staged by that record's batch (stage(), from the record's companion), so
/// that the two commit together: a crash never leaves a recorded call uncounted. Other updates
/// (record()) ride on the next batch. Until an update is committed, pending() reports it, so
/// this gateway's decisions see it at once; the budget is kept by ChargeLedger.
class SessionRecorder final
{
public:
    explicit SessionRecorder(ExecutionStore &store);
    ~SessionRecorder();  ///< writes what is still queued
    SessionRecorder(const SessionRecorder &) = delete;
    SessionRecorder &operator=(const SessionRecorder &) = delete;

    /// Called after an update is queued, to have it written soon (e.g. AuditLog::requestBatch).
    void setWake(std::function<void()> wake);

    void record(ExecutionStore::SessionUpdate update);

    /// Writes everything queued in the caller's transaction, on this thread's connection; then
    /// finishWrite() says whether that transaction committed (if not, the updates are queued again).
    Status writePending();
    void finishWrite(bool committed);
    /// Writes what is queued in a transaction of its own.
    Status flush();

    /// The effect on one execution that is queued or being written.
    struct Pending
    {
        qint64 calls = 0;
        qint64 denied = 0;
        int risk = 0;
        QStringList actions;
    };
    /// With `lastWrite`: written() as of the last committed batch that may have held updates of
    /// this execution. A caller that notes written() before reading the execution's stored state
    /// and gets a later lastWrite here must read both again: that batch's updates left pending()
    /// and may not be in the state it read.
    Pending pending(const QString &executionId, quint64 *lastWrite = nullptr) const;

    /// The number of batches committed so far.
    quint64 written() const;

    /// A decided call's effect, shown by pending() from now on, until settle() replaces it with
    /// what the call came to (queued like record()) or gives it up (no `final`).
    void reserve(const ExecutionStore::SessionUpdate &update);
    void settle(const ExecutionStore::SessionUpdate &reserved, const std::optional<ExecutionStore::SessionUpdate> &final);
    /// Moves a reservation into the batch being written, on the writer's thread inside its
    /// transaction and before writePending(): the batch that commits the call's record commits
    /// its effect, which is settled by that (settle() must not follow for it). Should the batch
    /// not commit, finishWrite() reserves it again, for settle() to replace.
    void stage(const ExecutionStore::SessionUpdate &reserved);

    /// True for exactly one caller per execution and action that is neither in `known` (what the
    /// caller read as exercised) nor claimed before; claims last until the execution expires,
    /// since a caller's `known` may have been read before another call's update was written.
    bool claimAction(const QString &executionId, const QString &action, const QStringList &known, const QDateTime &expiresAt,
                     const QDateTime &now);
    void releaseAction(const QString &executionId, const QString &action);

private:
    struct Claims
    {
        QStringList actions;
        QDateTime expiresAt;
    };
    void pruneClaims(const QDateTime &now);  ///< with m_mutex held

    /// Reservations of one execution: as Pending, with each action counted (several calls of one
    /// action may be in flight).
    struct Reserved
    {
        int updates = 0;
        qint64 calls = 0;
        qint64 denied = 0;
        int risk = 0;
        QHash<QString, int> actions;
    };

    static void add(QHash<QString, Pending> &into, const ExecutionStore::SessionUpdate &update);
    void queue(ExecutionStore::SessionUpdate update);  ///< with m_mutex held
    void reserveLocked(const ExecutionStore::SessionUpdate &update);    ///< with m_mutex held
    void unreserveLocked(const ExecutionStore::SessionUpdate &update);  ///< with m_mutex held

    ExecutionStore &m_store;
    std::function<void()> m_wake;
    mutable std::mutex m_mutex;
    std::vector<ExecutionStore::SessionUpdate> m_queue;
    std::vector<ExecutionStore::SessionUpdate> m_writingQueue;  ///< taken by writePending()
    std::vector<ExecutionStore::SessionUpdate> m_staged;        ///< reservations the batch writes
    QHash<QString, Pending> m_queued;   ///< effect of m_queue
    QHash<QString, Pending> m_writing;  ///< effect of m_writingQueue and m_staged
    QHash<QString, Reserved> m_reserved; ///< decided calls whose records are being committed
    quint64 m_written = 0;               ///< batches committed
    /// m_written when a batch last committed updates of executions in each bucket (by id hash):
    /// a batch of other executions rarely makes a reader start again.
    static constexpr size_t kWriteBuckets = 256;
    std::array<quint64, kWriteBuckets> m_lastWrite{};
    static size_t bucketOf(const QString &executionId) { return qHash(executionId) % kWriteBuckets; }
    QHash<QString, Claims> m_claims;     ///< first exercises, by execution
    qsizetype m_pruneAt = 1024;          ///< prune expired claims when there are this many
};

} // namespace mandate::session
