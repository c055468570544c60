// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditColumns.h"
#include "audit/AuditHead.h"
#include "audit/AuditRecord.h"
#include "audit/AuditSink.h"
#include "common/Result.h"
#include "crypto/Ed25519Key.h"
#include "crypto/Sha256.h"
#include "store/Database.h"

#include <QtGlobal>

class QSqlQuery;

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mandate::audit {

class RecordInserter;

/// Where an appended record landed in the chain.
struct AppendReceipt
{
    qint64 sequence = 0;
    QByteArray hash;
};

/// The gateway's tamper-evident audit log: an append-only SHA-256 hash chain per gateway in the
/// gateway database. append() returns only once the record is committed (durable before
/// effect); a failed write is returned as an error, never swallowed, so that the caller can deny
/// (fail closed). Concurrent appends are group-committed: one writer thread takes everything
/// queued, writes it in one transaction and wakes the callers, so one fsync serves many calls.
/// With a sealing key, the last record of each commit carries an Ed25519 signature of the head,
/// which makes a recomputed ("forged") chain detectable.
///
/// Other state that must be durable before a call takes effect rides on the same transactions,
/// so that the gateway has one writer and one fsync per batch: a companion write commits with
/// one record (the call's budget charge, and the call's effect on its session, handed to the
/// participant), a batch participant with every batch (the session counters). Both run on the
/// writer thread, on its connection.
class AuditLog final
{
public:
    /// A write that must commit together with one record. It runs in the batch's transaction
    /// before the record is inserted: `false` refuses that record alone (its append fails with
    /// `refusal`, the rest of the batch commits); an error takes the companion's writes back and
    /// refuses that record alone, with the error, unless it cost the whole transaction (a full
    /// disk, an I/O error) or the file is damaged: then the batch fails.
    ///
    /// `accepted` (optional, with or without `write`) runs once the record is in the batch, after
    /// every record of the batch is written and before the participant writes: what it hands the
    /// participant commits with the record, and is rolled back with it.
    struct Companion
    {
        std::function<Result<bool>()> write;
        Error refusal;
        std::function<void()> accepted;
        explicit operator bool() const { return bool(write); }
    };
    /// Writes that ride on every batch's transaction. `write` runs last in it, after the records
    /// (an error rolls the batch back: its appends fail, fail closed); `finished` is told whether
    /// it committed.
    struct BatchParticipant
    {
        std::function<Status()> write;
        std::function<void(bool committed)> finished;
    };

    struct Options
    {
        QString gatewayId;
        std::optional<crypto::Ed25519Key> sealingKey;
        bool fullSync = true;      ///< PRAGMA synchronous=FULL: each commit reaches the disk
        int maxBatch = 4096;       ///< records per transaction at most
        int busyTimeoutMs = 2000;  ///< how long a commit waits for a lock before failing
    };

    ~AuditLog();
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;

    /// Starts the writer thread for `options.gatewayId`, continuing its chain in `database`.
    static Result<std::unique_ptr<AuditLog>> open(const store::Database &database, Options options);

    /// Appends and blocks until committed. Errors: "invalid" (bad record, gateway mismatch),
    /// store_* (could not commit: the caller must fail closed), "audit_closed".
    Result<AppendReceipt> append(const AuditRecord &record, Companion companion = {});
    /// The same without blocking: the future is ready once the record's batch is committed.
    std::future<Result<AppendReceipt>> appendAsync(const AuditRecord &record, Companion companion = {});
    /// Told an append's outcome, on the writer thread (or at once, on the caller's, for a record
    /// refused before it is queued). Must not wait for this log; what it throws is logged and
    /// dropped.
    using Appended = std::function<void(Result<AppendReceipt>)>;
    /// The same for a caller that moves on instead of holding a thread: `appended` is told the
    /// outcome once the record's batch is committed (or has failed).
    void appendThen(const AuditRecord &record, Companion companion, Appended appended);

    /// Sets the participant (once, before the first append).
    void setBatchParticipant(BatchParticipant participant);
    /// Asks for a batch even when no record is queued: the participant has work of its own.
    void requestBatch();

    /// The newest committed head of this gateway's chain.
    AuditHead head() const;
    /// head(), signed with `key` (the gateway key), stamped with the current time.
    Result<SignedHead> exportHead(const crypto::Ed25519Key &key) const;

    /// Adds a sink fed with every batch after it commits (not before the log is open).
    void addSink(std::shared_ptr<AuditSink> sink);
    /// The same for a sink that keeps its own place in the chain (a file): first it is handed
    /// every committed record of this gateway after `afterSequence`, on the writer thread and so
    /// before any newer batch, then every batch as above. A record committed just before a
    /// crash, which the sink never saw, reaches it when the gateway starts again. Blocks until
    /// the sink has caught up; an Error (and the sink not added) when the log cannot be read or
    /// does not reach `afterSequence` (the sink has records this database does not), or its
    /// record there has another hash than `expectedHash` (when given): another chain's.
    Status addSink(std::shared_ptr<AuditSink> sink, qint64 afterSequence, const QByteArray &expectedHash = {});

    const store::Database &database() const { return m_db; }
    const QString &gatewayId() const { return m_options.gatewayId; }
    /// Number of committed transactions; appended records / batches is the group-commit factor.
    quint64 commits() const { return m_commits.load(); }

private:
    struct Pending
    {
        QByteArray body;
        AuditColumns::Values columns;
        Companion companion;
        Appended done;
    };
    static void tell(Pending &pending, Result<AppendReceipt> outcome);

    AuditLog(const store::Database &database, Options options, AuditHead head);
    void run();
    Status writeBatch(QSqlQuery &headQuery, RecordInserter &insert, std::vector<Pending> &batch,
                      std::vector<std::optional<Error>> &refused, std::vector<StoredRecord> &stored);

    const store::Database &m_db;
    const Options m_options;
    const QByteArray m_gatewayUtf8;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending> m_queue;
    bool m_stopping = false;
    bool m_batchRequested = false;
    BatchParticipant m_participant;
    AuditHead m_head;
    std::vector<std::shared_ptr<AuditSink>> m_sinks;
    struct JoiningSink
    {
        std::shared_ptr<AuditSink> sink;
        qint64 afterSequence = 0;
        QByteArray expectedHash;
        std::promise<Status> joined;
    };
    std::vector<JoiningSink> m_joining;  ///< addSink(sink, after): caught up by the writer thread
    /// On the writer thread: hands each joining sink what it missed, then adds it to m_sinks.
    void join(std::vector<JoiningSink> &joining);
    /// The query cursor just after this gateway's record `sequence` (empty for 0), which must
    /// exist and, when given, have `expectedHash`; "conflict" otherwise.
    Result<QString> cursorAfter(qint64 sequence, const QByteArray &expectedHash) const;
    std::atomic<quint64> m_commits{0};
    crypto::Sha256::Hasher m_hasher;  ///< the writer thread's
    std::thread m_writer;
};

} // namespace mandate::audit
