// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditLog.h"

#include "audit/AuditQuery.h"

#include "audit/ChainHash.h"
#include "audit/RecordInserter.h"
#include "common/Logging.h"

#include <QSqlError>
#include <QSqlQuery>

namespace mandate::audit {

namespace {

const char kHeadSql[] = "SELECT seq, hash FROM audit_records WHERE gateway = ? ORDER BY seq DESC LIMIT 1";

Result<AuditHead> readHead(QSqlQuery &query, const QString &gatewayId)
{
    query.bindValue(0, gatewayId);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the audit head"), query);
    AuditHead head{gatewayId, 0, ChainHash::genesis()};
    if (query.next()) {
        head.sequence = query.value(0).toLongLong();
        head.hash = query.value(1).toByteArray();
    }
    query.finish();
    return head;
}

} // namespace

AuditLog::AuditLog(const store::Database &database, Options options, AuditHead head)
    : m_db(database), m_options(std::move(options)), m_gatewayUtf8(m_options.gatewayId.toUtf8()), m_head(std::move(head))
{
    m_writer = std::thread([this] { run(); });
}

AuditLog::~AuditLog()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_writer.join();
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(const store::Database &database, Options options)
{
    if (options.gatewayId.isEmpty() || options.gatewayId.contains(QChar(u'\0')))
        return Error{QStringLiteral("invalid"), QStringLiteral("the audit log needs a gateway id")};
    if (options.sealingKey && !options.sealingKey->hasPrivateKey())
        return Error{QStringLiteral("invalid"), QStringLiteral("the audit sealing key has no private part")};
    options.maxBatch = std::max(1, options.maxBatch);
    QSqlQuery query(database.connection());
    query.prepare(QLatin1String(kHeadSql));
    Result<AuditHead> head = readHead(query, options.gatewayId);
    if (!head)
        return head.error();
    return std::unique_ptr<AuditLog>(new AuditLog(database, std::move(options), head.value()));
}

Result<AppendReceipt> AuditLog::append(const AuditRecord &record, Companion companion)
{
    return appendAsync(record, std::move(companion)).get();
}

std::future<Result<AppendReceipt>> AuditLog::appendAsync(const AuditRecord &record, Companion companion)
{
    auto promise = std::make_shared<std::promise<Result<AppendReceipt>>>();
    std::future<Result<AppendReceipt>> future = promise->get_future();
    appendThen(record, std::move(companion), [promise](Result<AppendReceipt> outcome) { promise->set_value(std::move(outcome)); });
    return future;
}

void AuditLog::appendThen(const AuditRecord &record, Companion companion, Appended appended)
{
    Pending pending;
    pending.done = std::move(appended);
    Status valid = record.validate();
    if (valid && record.gatewayId != m_options.gatewayId)
        valid = Error{QStringLiteral("invalid"), QStringLiteral("record of gateway %1 appended to the log of %2")
                                                     .arg(record.gatewayId, m_options.gatewayId)};
    if (!valid)
        return tell(pending, valid.error());
    // Encoding happens on the caller's thread: the writer only hashes and inserts.
    pending.body = record.canonicalBytes();
    pending.columns = AuditColumns::fromRecord(record);
    pending.companion = std::move(companion);
    {
        std::unique_lock lock(m_mutex);
        if (m_stopping) {
            lock.unlock();
            return tell(pending, Error{QStringLiteral("audit_closed"), QStringLiteral("the audit log is shut down")});
        }
        m_queue.push_back(std::move(pending));
    }
    m_wake.notify_one();
}

void AuditLog::tell(Pending &pending, Result<AppendReceipt> outcome)
{
    try {
        pending.done(std::move(outcome));
    } catch (...) {
        // Logged; the writer must go on telling the rest of its batch.
        (void)store::Database::currentException("an audit append's completion");
    }
}

void AuditLog::setBatchParticipant(BatchParticipant participant)
{
    const std::lock_guard lock(m_mutex);
    m_participant = std::move(participant);
}

void AuditLog::requestBatch()
{
    {
        const std::lock_guard lock(m_mutex);
        m_batchRequested = true;
    }
    m_wake.notify_one();
}

AuditHead AuditLog::head() const
{
    const std::lock_guard lock(m_mutex);
    return m_head;
}

Result<SignedHead> AuditLog::exportHead(const crypto::Ed25519Key &key) const
{
    return SignedHead::sign(head(), key, QDateTime::currentDateTimeUtc());
}

void AuditLog::addSink(std::shared_ptr<AuditSink> sink)
{
    const std::lock_guard lock(m_mutex);
    m_sinks.push_back(std::move(sink));
}

Status AuditLog::addSink(std::shared_ptr<AuditSink> sink, qint64 afterSequence, const QByteArray &expectedHash)
{
    std::future<Status> joined;
    {
        const std::lock_guard lock(m_mutex);
        if (m_stopping)
            return Error{QStringLiteral("unavailable"), QStringLiteral("the audit log is closing")};
        JoiningSink joining{std::move(sink), afterSequence, expectedHash, {}};
        joined = joining.joined.get_future();
        m_joining.push_back(std::move(joining));
    }
    m_wake.notify_one();
    return joined.get();
}

Result<QString> AuditLog::cursorAfter(qint64 sequence, const QByteArray &expectedHash) const
{
    if (sequence <= 0)
        return QString();  // from the chain's start
    QSqlQuery position(m_db.connection());
    position.prepare(QStringLiteral("SELECT id, hash FROM audit_records WHERE gateway = ? AND seq = ?"));
    position.addBindValue(m_options.gatewayId);
    position.addBindValue(sequence);
    if (!position.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the audit log"), position);
    if (!position.next())
        return Error{QStringLiteral("conflict"), QStringLiteral("the sink has records up to sequence %1, which this audit log "
                                                               "does not have (head %2): is it another gateway's or another database's?")
                                                     .arg(sequence).arg(head().sequence)};
    if (!expectedHash.isEmpty() && position.value(1).toByteArray() != expectedHash)
        return Error{QStringLiteral("conflict"), QStringLiteral("the sink's record %1 is not this audit log's (another hash): "
                                                               "is it another database's?").arg(sequence)};
    return AuditQuery::encodeCursor(position.value(0).toLongLong());
}

void AuditLog::join(std::vector<JoiningSink> &joining)
{
    // Only this thread writes this gateway's chain, so nothing commits while a sink catches up
    // and nothing it is handed here reaches it again in a batch.
    const AuditQuery query(m_db);
    AuditFilter filter;
    filter.gatewayId = m_options.gatewayId;
    for (JoiningSink &j : joining) {
        Result<QString> cursor = cursorAfter(j.afterSequence, j.expectedHash);
        Status caughtUp = cursor ? Status::success() : Status(cursor.error());
        qint64 handed = 0;
        while (cursor) {
            Result<AuditPage> page = query.find(filter, cursor.value(), AuditQuery::kMaxLimit);
            if (!page) {
                caughtUp = page.error();
                break;
            }
            if (!page->records.empty())
                j.sink->consume(page->records);
            handed += qint64(page->records.size());
            if (page->nextCursor.isEmpty())
                break;
            cursor = page->nextCursor;
        }
        if (caughtUp) {
            if (handed > 0)
                qCInfo(lcAudit) << "an audit sink caught up with" << handed << "records after sequence" << j.afterSequence;
            const std::lock_guard lock(m_mutex);
            m_sinks.push_back(std::move(j.sink));
        }
        j.joined.set_value(caughtUp);
    }
    joining.clear();
}

void AuditLog::run()
{
    {
        QSqlDatabase db = m_db.connection();
        QSqlQuery pragma(db);
        pragma.exec(m_options.fullSync ? QStringLiteral("PRAGMA synchronous=FULL") : QStringLiteral("PRAGMA synchronous=NORMAL"));
        pragma.exec(QStringLiteral("PRAGMA busy_timeout=%1").arg(m_options.busyTimeoutMs));
        // The indexes take inserts at random places (trace ids, executions): keep their pages
        // in memory instead of re-reading them for every batch.
        pragma.exec(QStringLiteral("PRAGMA cache_size=-65536"));
        // WAL checkpoints run on the database's own thread (store::Checkpointer), never in a commit.
        QSqlQuery headQuery(db);
        headQuery.prepare(QLatin1String(kHeadSql));
        RecordInserter insert(db);

        std::vector<Pending> batch;
        std::vector<std::optional<Error>> refused;
        std::vector<StoredRecord> stored;
        std::vector<JoiningSink> joining;
        for (;;) {
            std::vector<std::shared_ptr<AuditSink>> sinks;
            BatchParticipant participant;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || m_batchRequested || !m_queue.empty() || !m_joining.empty(); });
                joining.swap(m_joining);
            }
            if (!joining.empty()) {
                join(joining);
                continue;
            }
            {
                std::unique_lock lock(m_mutex);
                if (m_queue.empty() && !m_batchRequested)
                    break; // stopping, and everything queued is written
                m_batchRequested = false;
                const auto take = std::min<size_t>(m_queue.size(), static_cast<size_t>(m_options.maxBatch));
                batch.clear();
                for (size_t i = 0; i < take; ++i) {
                    batch.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                }
                sinks = m_sinks;
                participant = m_participant;
            }
            stored.clear();
            refused.assign(batch.size(), std::nullopt);
            const Status written = m_db.transaction([&]() -> Status {
                if (Status done = writeBatch(headQuery, insert, batch, refused, stored); !done)
                    return done;
                // Last: it writes what the accepted records handed it.
                return participant.write ? participant.write() : Status::success();
            });
            if (participant.finished)
                participant.finished(bool(written));
            if (!written) {
                qCWarning(lcAudit) << "audit commit failed, denying" << batch.size() << "appends:" << written.error().message;
                for (Pending &p : batch)
                    tell(p, written.error());
                batch.clear();  // what the completions hold goes now, not with the next batch
                continue;
            }
            if (!stored.empty()) {
                const std::lock_guard lock(m_mutex);
                m_head = AuditHead{m_options.gatewayId, stored.back().sequence, stored.back().hash};
            }
            ++m_commits;
            auto next = stored.cbegin();
            for (size_t i = 0; i < batch.size(); ++i) {
                if (refused[i]) {
                    tell(batch[i], *refused[i]);
                } else {
                    tell(batch[i], AppendReceipt{next->sequence, next->hash});
                    ++next;
                }
            }
            batch.clear();  // what the completions hold goes now, not with the next batch
            if (!stored.empty()) {
                for (const auto &sink : sinks)
                    sink->consume(stored);
            }
        }
    }
    m_db.closeThreadConnection();
}

Status AuditLog::writeBatch(QSqlQuery &headQuery, RecordInserter &insert, std::vector<Pending> &batch,
                            std::vector<std::optional<Error>> &refused, std::vector<StoredRecord> &stored)
{
    // Companions first: which records are written must be known before the last one is sealed.
    // Each in a nested transaction (a savepoint): one that fails takes its own writes back and
    // refuses its record alone, instead of failing every call in the batch; unless the failure
    // took the whole transaction with it, or says the file is damaged.
    size_t last = batch.size();
    for (size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].companion) {
            bool accepted = false;
            const Status done = m_db.transaction([&]() -> Status {
                Result<bool> written = batch[i].companion.write();
                if (!written)
                    return written.error();
                accepted = written.value();
                return Status::success();
            });
            if (!done) {
                if (!m_db.inTransaction() || done.error().code == QLatin1String("store_corrupt"))
                    return done;
                qCWarning(lcAudit) << "a record's companion write failed; refusing that record:" << done.error().message;
                refused[i] = done.error();
                continue;
            }
            if (!accepted) {
                refused[i] = batch[i].companion.refusal;
                continue;
            }
        }
        last = i;
    }
    if (last == batch.size())
        return Status::success();  // nothing to insert (participant work, or every record refused)
    // The head is re-read inside the write transaction: the database, not memory, is the
    // truth, so a failed earlier batch or another writer can never fork the chain.
    Result<AuditHead> head = readHead(headQuery, m_options.gatewayId);
    if (!head)
        return head.error();
    QByteArray prev = head->hash;
    qint64 seq = head->sequence;
    QByteArray scratch;
    std::array<unsigned char, ChainHash::kSize> digest;
    for (size_t i = 0; i <= last; ++i) {
        if (refused[i])
            continue;
        StoredRecord rec;
        rec.sequence = ++seq;
        rec.gatewayId = m_options.gatewayId;
        rec.prevHash = prev;
        rec.body = batch[i].body;
        // Hashed where it lies: only the short prefix is copied.
        ChainHash::link(m_gatewayUtf8, rec.sequence, prev, rec.body, scratch, m_hasher, digest);
        rec.hash = QByteArray(reinterpret_cast<const char *>(digest.data()), ChainHash::kSize);
        if (m_options.sealingKey && i == last) {
            Result<QByteArray> seal = m_options.sealingKey->sign(AuditHead{m_options.gatewayId, rec.sequence, rec.hash}.signingBytes());
            if (!seal)
                return seal.error();
            rec.seal = seal.value();
        }
        if (Status written = insert.insert(m_gatewayUtf8, rec, batch[i].columns); !written)
            return written;
        prev = rec.hash;
        stored.push_back(std::move(rec));
    }
    for (size_t i = 0; i <= last; ++i) {
        if (!refused[i] && batch[i].companion.accepted)
            batch[i].companion.accepted();
    }
    return Status::success();
}

} // namespace mandate::audit
