// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditVerifier.h"

#include "audit/BodyColumnReader.h"
#include "audit/ChainHash.h"

#include <QSqlDriver>
#include <QSqlQuery>

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace mandate::audit {

namespace {

Error readError(const QSqlQuery &query)
{
    return store::Database::sqlError(QStringLiteral("cannot read the audit log"), query);
}

void fail(VerifyReport &report, TamperKind kind, const QString &gatewayId, qint64 sequence, const QString &reason)
{
    report.problem = kind;
    report.gatewayId = gatewayId;
    report.sequence = sequence;
    report.reason = reason;
}

/// Which query column of a row disagrees with its body: kColumnsAgree, a column, or
/// kBodyUnreadable when the body is not of the canonical form the columns are read from.
constexpr int kColumnsAgree = -1;
constexpr int kBodyUnreadable = AuditColumns::Count;

/// Receives each stored row in order with whether it matches its own hash and which column
/// disagrees with its body; false stops the walk.
using RowCheck = std::function<bool(qint64 seq, QByteArrayView prev, QByteArrayView hash, bool hashOk, int badColumn)>;

/// "seq, prev_hash, hash, body" and the query columns: the result columns of both walks.
QByteArray selectedColumns()
{
    QByteArray columns = "seq, prev_hash, hash, body";
    for (int c = 0; c < AuditColumns::Count; ++c)
        columns += QByteArray(", ") + AuditColumns::sqlName(AuditColumns::Column(c));
    return columns;
}
constexpr int kFirstQueryColumn = 4;

// Physical (rowid) order: it is the order the records were written in, and what an attacker
// must change to reorder them. The unary + keeps SQLite from using the (gateway, seq) index,
// which would make it sort the whole table by id in a temporary b-tree instead of scanning.
const QByteArray kRowsSql = "SELECT " + selectedColumns() + " FROM audit_records WHERE +gateway = ? ORDER BY id";

bool hashMatches(const QByteArray &gatewayUtf8, qint64 seq, QByteArrayView prev, QByteArrayView hash,
                 QByteArrayView body, QByteArray &scratch)
{
    std::array<unsigned char, ChainHash::kSize> computed{};
    ChainHash::link(gatewayUtf8, seq, prev, body, scratch, computed);
    return hash.size() == ChainHash::kSize && std::memcmp(computed.data(), hash.data(), computed.size()) == 0;
}

/// A stored query column as read: SQL NULL, or its bytes and whether they were stored as TEXT.
struct StoredColumn
{
    bool null = true;
    bool text = false;
    QByteArrayView bytes;
};

/// The first query column that disagrees with the body. The indexes answer queries and
/// lineage from these columns alone, so a column changed after the fact would hide a record
/// from (or add it to) an investigation while the chain still verifies. Only the verifier
/// sees every row, so the check is here rather than in AuditQuery or Lineage, which cannot
/// notice a record they were never given.
template <typename Column>
int disagreeingColumn(BodyColumnReader &reader, QByteArrayView body, Column &&stored)
{
    if (!reader.read(body))
        return kBodyUnreadable;
    for (int c = 0; c < AuditColumns::Count; ++c) {
        const QByteArrayView expected = reader.value(AuditColumns::Column(c));
        const StoredColumn column = stored(kFirstQueryColumn + c);
        if (column.null != expected.isNull())
            return c;
        if (!column.null && (!column.text || column.bytes.size() != expected.size()
                             || !BodyColumnReader::sameBytes(column.bytes.data(), expected.data(), expected.size())))
            return c;
    }
    return kColumnsAgree;
}

// A block of the id space, for the parallel walk below.
const QByteArray kBlockSql = "SELECT " + selectedColumns() + " FROM audit_records WHERE id >= ? AND id < ? AND +gateway = ? ORDER BY id";

/// The rows of one block of ids, hashed straight from SQLite's pages: what the sequential check
/// needs of each record (its links and whether it matches its hash), not the record itself.
struct Block
{
    struct Row
    {
        qint64 seq = 0;
        std::array<char, ChainHash::kSize> prev{};
        std::array<char, ChainHash::kSize> hash{};
        bool prevWellFormed = false;  ///< a stored link of another length can never match
        bool hashOk = false;
        int badColumn = kColumnsAgree;
        QByteArrayView prevView() const { return prevWellFormed ? QByteArrayView(prev.data(), prev.size()) : QByteArrayView(); }
        QByteArrayView hashView() const { return QByteArrayView(hash.data(), hash.size()); }
    };
    std::vector<Row> rows;
    QString error;  ///< set when SQLite failed
};

Error nativeError(sqlite3 *db)
{
    return Error{QStringLiteral("store_error"), QStringLiteral("cannot read the audit log: %1").arg(QString::fromUtf8(sqlite3_errmsg(db)))};
}

/// Reads and hashes blocks of ids on one SQLite connection.
class BlockReader
{
public:
    BlockReader(sqlite3 *db, const QByteArray &gatewayUtf8) : m_db(db), m_gateway(gatewayUtf8)
    {
        // Map the file instead of copying every page through read(); capped by SQLite's limit.
        sqlite3_exec(m_db, "PRAGMA mmap_size=17179869184", nullptr, nullptr, nullptr);
        if (sqlite3_prepare_v2(m_db, kBlockSql.constData(), int(kBlockSql.size()), &m_stmt, nullptr) != SQLITE_OK)
            m_stmt = nullptr;
    }
    ~BlockReader() { sqlite3_finalize(m_stmt); }
    BlockReader(const BlockReader &) = delete;
    BlockReader &operator=(const BlockReader &) = delete;

    bool ok() const { return m_stmt != nullptr; }

    void read(qint64 fromId, qint64 toId, Block &block)
    {
        block.rows.clear();
        block.error.clear();
        sqlite3_reset(m_stmt);
        sqlite3_bind_int64(m_stmt, 1, fromId);
        sqlite3_bind_int64(m_stmt, 2, toId);
        sqlite3_bind_text(m_stmt, 3, m_gateway.constData(), static_cast<int>(m_gateway.size()), nullptr);
        int rc;
        while ((rc = sqlite3_step(m_stmt)) == SQLITE_ROW) {
            Block::Row &row = block.rows.emplace_back();
            row.seq = sqlite3_column_int64(m_stmt, 0);
            const auto column = [this](int index) {
                const void *bytes = index == 3 ? static_cast<const void *>(sqlite3_column_text(m_stmt, index)) : sqlite3_column_blob(m_stmt, index);
                return QByteArrayView(static_cast<const char *>(bytes), sqlite3_column_bytes(m_stmt, index));
            };
            const QByteArrayView prev = column(1);
            const QByteArrayView hash = column(2);
            const QByteArrayView body = column(3);
            row.prevWellFormed = prev.size() == ChainHash::kSize;
            std::memcpy(row.prev.data(), prev.data(), std::min<size_t>(size_t(prev.size()), row.prev.size()));
            std::memcpy(row.hash.data(), hash.data(), std::min<size_t>(size_t(hash.size()), row.hash.size()));
            std::array<unsigned char, ChainHash::kSize> computed;
            ChainHash::link(m_gateway, row.seq, prev, body, m_scratch, m_hasher, computed);
            row.hashOk = hash.size() == ChainHash::kSize && std::memcmp(computed.data(), hash.data(), computed.size()) == 0;
            row.badColumn = disagreeingColumn(m_columns, body, [this](int index) {
                StoredColumn column;
                const int type = sqlite3_column_type(m_stmt, index);
                column.null = type == SQLITE_NULL;
                column.text = type == SQLITE_TEXT;
                if (column.text)
                    column.bytes = QByteArrayView(reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, index)),
                                                  sqlite3_column_bytes(m_stmt, index));
                return column;
            });
        }
        if (rc != SQLITE_DONE)
            block.error = QString::fromUtf8(sqlite3_errmsg(m_db));
    }

private:
    sqlite3 *m_db;
    const QByteArray &m_gateway;
    sqlite3_stmt *m_stmt = nullptr;
    QByteArray m_scratch;
    crypto::Sha256::Hasher m_hasher;
    BodyColumnReader m_columns;
};

/// SQLite fast path: the columns are read in place through the driver's native handle (as
/// QSqlDriver::handle() documents), without a QVariant and a copy per value. Hashing is most of
/// the work, so a second thread on its own read-only connection takes every other block of
/// ids; the calling thread reads the others and checks the links, in id order. Records are
/// append-only, so both connections see the same records up to the id read at the start.
/// Every other driver takes the generic path.
std::optional<Status> walkNative(const QSqlDatabase &db, const QByteArray &gatewayUtf8, const RowCheck &check)
{
    sqlite3 *native = store::Database::nativeHandle(db);
    if (!native)
        return std::nullopt;

    qint64 firstId = 0;
    qint64 lastId = -1;
    {
        sqlite3_stmt *range = nullptr;
        if (sqlite3_prepare_v2(native, "SELECT min(id), max(id) FROM audit_records", -1, &range, nullptr) != SQLITE_OK)
            return nativeError(native);
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> guard(range, sqlite3_finalize);
        if (sqlite3_step(range) != SQLITE_ROW)
            return nativeError(native);
        if (sqlite3_column_type(range, 0) == SQLITE_NULL)
            return Status::success();  // no records at all
        firstId = sqlite3_column_int64(range, 0);
        lastId = sqlite3_column_int64(range, 1);
    }

    BlockReader own(native, gatewayUtf8);
    if (!own.ok())
        return nativeError(native);
    constexpr qint64 kBlockIds = 8192;
    const qint64 blocks = (lastId - firstId) / kBlockIds + 1;
    const auto blockStart = [&](qint64 k) { return firstId + k * kBlockIds; };

    // The helper's connection; without one (an in-memory database, say) this thread reads all.
    // Inside a transaction this connection may see records that another one would not yet.
    sqlite3 *second = nullptr;
    const char *file = sqlite3_db_filename(native, "main");
    if (blocks > 1 && file && *file && sqlite3_get_autocommit(native) != 0
        && sqlite3_open_v2(file, &second, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close(second);
        second = nullptr;
    }
    const std::unique_ptr<sqlite3, int (*)(sqlite3 *)> secondGuard(second, sqlite3_close);

    // Odd blocks come from the helper through two slots, so it reads at most two blocks ahead.
    std::mutex mutex;
    std::condition_variable changed;
    Block ahead[2];
    bool filled[2] = {false, false};
    bool stop = false;
    std::thread helper;
    if (second) {
        helper = std::thread([&, second] {
            BlockReader reader(second, gatewayUtf8);
            for (qint64 k = 1; k < blocks; k += 2) {
                const int slot = int((k / 2) % 2);
                {
                    std::unique_lock lock(mutex);
                    changed.wait(lock, [&] { return stop || !filled[slot]; });
                    if (stop)
                        return;
                }
                if (reader.ok())
                    reader.read(blockStart(k), blockStart(k + 1), ahead[slot]);
                else
                    ahead[slot].error = QString::fromUtf8(sqlite3_errmsg(second));
                {
                    const std::lock_guard lock(mutex);
                    filled[slot] = true;
                }
                changed.notify_all();
            }
        });
    }
    const auto finish = [&](Status status) {
        if (helper.joinable()) {
            {
                const std::lock_guard lock(mutex);
                stop = true;
            }
            changed.notify_all();
            helper.join();
        }
        return status;
    };

    Block mine;
    for (qint64 k = 0; k < blocks; ++k) {
        const bool fromHelper = second && k % 2 == 1;
        const int slot = int((k / 2) % 2);
        if (fromHelper) {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return filled[slot]; });
        } else {
            own.read(blockStart(k), blockStart(k + 1), mine);
        }
        const Block &block = fromHelper ? ahead[slot] : mine;
        if (!block.error.isEmpty())
            return finish(Error{QStringLiteral("store_error"), QStringLiteral("cannot read the audit log: %1").arg(block.error)});
        for (const Block::Row &r : block.rows) {
            if (!check(r.seq, r.prevView(), r.hashView(), r.hashOk, r.badColumn))
                return finish(Status::success());
        }
        if (fromHelper) {
            {
                const std::lock_guard lock(mutex);
                filled[slot] = false;
            }
            changed.notify_all();
        }
    }
    return finish(Status::success());
}

Status walkRows(const QSqlDatabase &db, const QByteArray &gatewayUtf8, const RowCheck &check)
{
    if (std::optional<Status> native = walkNative(db, gatewayUtf8, check))
        return *native;
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    rows.prepare(QString::fromLatin1(kRowsSql));
    rows.bindValue(0, QString::fromUtf8(gatewayUtf8));
    if (!rows.exec())
        return readError(rows);
    QByteArray scratch;
    BodyColumnReader reader;
    std::array<QByteArray, AuditColumns::Count> columns;
    while (rows.next()) {
        const qint64 seq = rows.value(0).toLongLong();
        const QByteArray prev = rows.value(1).toByteArray();
        const QByteArray hash = rows.value(2).toByteArray();
        const QByteArray body = rows.value(3).toString().toUtf8();
        const int badColumn = disagreeingColumn(reader, body, [&](int index) {
            const QVariant value = rows.value(index);
            StoredColumn column;
            column.null = value.isNull();
            column.text = value.typeId() == QMetaType::QString;
            QByteArray &bytes = columns[size_t(index - kFirstQueryColumn)];
            bytes = value.toString().toUtf8();
            column.bytes = bytes;
            return column;
        });
        if (!check(seq, prev, hash, hashMatches(gatewayUtf8, seq, prev, hash, body, scratch), badColumn))
            break;
    }
    return Status::success();
}

} // namespace

QString tamperKindName(TamperKind kind)
{
    switch (kind) {
    case TamperKind::None: return QStringLiteral("intact");
    case TamperKind::Edited: return QStringLiteral("edited");
    case TamperKind::Removed: return QStringLiteral("removed");
    case TamperKind::Reordered: return QStringLiteral("reordered");
    case TamperKind::Truncated: return QStringLiteral("truncated");
    case TamperKind::Forged: return QStringLiteral("forged");
    case TamperKind::BadHead: return QStringLiteral("bad_head");
    }
    return {};
}

QJsonObject VerifyReport::toJson() const
{
    QJsonObject o{{QStringLiteral("intact"), intact()},
                  {QStringLiteral("records_checked"), recordsChecked},
                  {QStringLiteral("gateways"), gateways},
                  {QStringLiteral("seals_checked"), sealsChecked}};
    if (!intact()) {
        o.insert(QStringLiteral("problem"), tamperKindName(problem));
        o.insert(QStringLiteral("gateway"), gatewayId);
        o.insert(QStringLiteral("sequence"), sequence);
        o.insert(QStringLiteral("reason"), reason);
    }
    o.insert(QStringLiteral("head"), QJsonObject{{QStringLiteral("gateway"), head.gatewayId},
                                                 {QStringLiteral("sequence"), head.sequence},
                                                 {QStringLiteral("hash"), QString::fromLatin1(head.hash.toHex())}});
    return o;
}

Result<VerifyReport> AuditVerifier::verify(const Options &options) const
{
    VerifyReport report;
    QStringList gateways;
    if (!options.gatewayId.isEmpty()) {
        gateways << options.gatewayId;
    } else {
        QSqlQuery query(m_db.connection());
        query.setForwardOnly(true);
        if (!query.exec(QStringLiteral("SELECT DISTINCT gateway FROM audit_records ORDER BY gateway")))
            return readError(query);
        while (query.next())
            gateways << query.value(0).toString();
    }
    if (options.savedHead && !gateways.contains(options.savedHead->head.gatewayId))
        gateways << options.savedHead->head.gatewayId; // a wholly deleted chain is a truncation
    for (const QString &gateway : gateways) {
        ++report.gateways;
        if (const Status read = verifyChain(gateway, options, report); !read)
            return read.error();
        if (!report.intact())
            break;
    }
    return report;
}

Status AuditVerifier::verifyChain(const QString &gatewayId, const Options &options, VerifyReport &report) const
{
    const QSqlDatabase db = m_db.connection();
    const QByteArray gatewayUtf8 = gatewayId.toUtf8();
    QByteArray prev = ChainHash::genesis();
    qint64 expected = 1;
    qint64 lastSeq = 0;
    const auto exists = [&](qint64 seq) {
        QSqlQuery probe(db);
        probe.prepare(QStringLiteral("SELECT 1 FROM audit_records WHERE gateway = ? AND seq = ?"));
        probe.bindValue(0, gatewayId);
        probe.bindValue(1, seq);
        return probe.exec() && probe.next();
    };
    const auto check = [&](qint64 seq, QByteArrayView storedPrev, QByteArrayView hash, bool hashOk, int badColumn) -> bool {
        ++report.recordsChecked;
        if (!hashOk) {
            fail(report, TamperKind::Edited, gatewayId, seq,
                 QStringLiteral("record %1 does not match its hash: its content, sequence or links were changed").arg(seq));
            return false;
        }
        if (seq != expected) {
            if (seq > expected && !exists(expected)) {
                fail(report, TamperKind::Removed, gatewayId, expected,
                     expected + 1 == seq ? QStringLiteral("record %1 is missing: the chain jumps from %2 to %3").arg(expected).arg(expected - 1).arg(seq)
                                         : QStringLiteral("records %1 to %2 are missing: the chain jumps from %3 to %4")
                                               .arg(expected).arg(seq - 1).arg(expected - 1).arg(seq));
            } else {
                fail(report, TamperKind::Reordered, gatewayId, seq,
                     QStringLiteral("record %1 is stored where record %2 belongs").arg(seq).arg(expected));
            }
            return false;
        }
        if (storedPrev != QByteArrayView(prev)) {
            // The record itself is consistent, so its predecessor was changed and re-hashed alone.
            fail(report, TamperKind::Edited, gatewayId, seq - 1,
                 QStringLiteral("record %1 was altered and re-hashed: record %2 links to a different hash").arg(seq - 1).arg(seq));
            return false;
        }
        if (badColumn != kColumnsAgree) {
            fail(report, TamperKind::Edited, gatewayId, seq,
                 badColumn == kBodyUnreadable
                     ? QStringLiteral("record %1's body is not canonical JSON, so its query columns cannot be checked").arg(seq)
                     : QStringLiteral("record %1's %2 column disagrees with its body: the column was changed after the record was written")
                           .arg(seq).arg(QLatin1String(AuditColumns::sqlName(AuditColumns::Column(badColumn)))));
            return false;
        }
        std::memcpy(prev.data(), hash.data(), ChainHash::kSize);
        lastSeq = seq;
        ++expected;
        return true;
    };
    if (const Status walked = walkRows(db, gatewayUtf8, check); !walked)
        return walked;
    report.head = AuditHead{gatewayId, lastSeq, prev};

    std::optional<crypto::Ed25519Key> key = options.trustedKey;
    bool headMismatch = false;
    if (options.savedHead && options.savedHead->head.gatewayId == gatewayId) {
        const SignedHead &saved = *options.savedHead;
        if (const Status authentic = saved.verify(options.trustedKey ? &*options.trustedKey : nullptr); !authentic) {
            fail(report, TamperKind::BadHead, gatewayId, saved.head.sequence,
                 QStringLiteral("the saved head is not authentic: %1").arg(authentic.error().message));
            return Status::success();
        }
        if (!key) {
            if (Result<crypto::Ed25519Key> headKey = crypto::Ed25519Key::fromPublicKey(saved.publicKey))
                key = headKey.value();
        }
        if (saved.head.sequence > lastSeq) {
            const QString removed = lastSeq + 1 == saved.head.sequence
                ? QStringLiteral("record %1 was removed").arg(saved.head.sequence)
                : QStringLiteral("records %1 to %2 were removed").arg(lastSeq + 1).arg(saved.head.sequence);
            fail(report, TamperKind::Truncated, gatewayId, lastSeq + 1,
                 QStringLiteral("the chain ends at record %1 but the saved head is at %2: %3")
                     .arg(lastSeq).arg(saved.head.sequence).arg(removed));
            return Status::success();
        }
        QSqlQuery at(db);
        at.prepare(QStringLiteral("SELECT hash FROM audit_records WHERE gateway = ? AND seq = ?"));
        at.bindValue(0, gatewayId);
        at.bindValue(1, saved.head.sequence);
        if (!at.exec())
            return readError(at);
        headMismatch = saved.head.sequence > 0 && !(at.next() && at.value(0).toByteArray() == saved.head.hash);
    }
    if (key) {
        // Seals locate a rewrite more precisely than the saved head can.
        if (const Status read = checkSeals(gatewayId, *key, report); !read || !report.intact())
            return read;
    }
    if (headMismatch) {
        fail(report, TamperKind::Forged, gatewayId, options.savedHead->head.sequence,
             QStringLiteral("record %1 differs from the saved head: the chain up to it was rewritten")
                 .arg(options.savedHead->head.sequence));
    }
    return Status::success();
}

Status AuditVerifier::checkSeals(const QString &gatewayId, const crypto::Ed25519Key &key, VerifyReport &report) const
{
    // The chain commits to every earlier record, so one valid seal on the last record vouches
    // for all of them; the others are read only to locate a forgery.
    if (report.head.sequence == 0)
        return Status::success();
    QSqlQuery seals(m_db.connection());
    seals.setForwardOnly(true);
    seals.prepare(QStringLiteral("SELECT seq, hash, seal FROM audit_records WHERE gateway = ? AND seal IS NOT NULL "
                                 "ORDER BY seq DESC LIMIT 1"));
    seals.bindValue(0, gatewayId);
    if (!seals.exec())
        return readError(seals);
    if (!seals.next())
        return Status::success(); // an unsealed log: only the chain and the saved head count
    if (seals.value(0).toLongLong() == report.head.sequence
        && key.verify(AuditHead{gatewayId, report.head.sequence, seals.value(1).toByteArray()}.signingBytes(),
                      seals.value(2).toByteArray())) {
        report.sealsChecked = true;
        return Status::success();
    }
    seals.finish();
    seals.prepare(QStringLiteral("SELECT seq, hash, seal FROM audit_records WHERE gateway = ? AND seal IS NOT NULL ORDER BY seq"));
    seals.bindValue(0, gatewayId);
    if (!seals.exec())
        return readError(seals);
    qint64 lastGood = 0;
    while (seals.next()) {
        const qint64 seq = seals.value(0).toLongLong();
        if (!key.verify(AuditHead{gatewayId, seq, seals.value(1).toByteArray()}.signingBytes(), seals.value(2).toByteArray()))
            break;
        lastGood = seq;
    }
    report.sealsChecked = true;
    fail(report, TamperKind::Forged, gatewayId, lastGood + 1,
         QStringLiteral("records from %1 on are not vouched for by a valid seal: the chain was recomputed after record %2")
             .arg(lastGood + 1).arg(lastGood));
    return Status::success();
}

} // namespace mandate::audit
