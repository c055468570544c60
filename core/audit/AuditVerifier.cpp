// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditVerifier.h"

#include "audit/ChainHash.h"

#include <QSqlDriver>
#include <QSqlQuery>

#include <sqlite3.h>

#include <cstring>
#include <functional>
#include <future>
#include <memory>

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

/// Receives each stored row in order with whether it matches its own hash; false stops the walk.
using RowCheck = std::function<bool(qint64 seq, QByteArrayView prev, QByteArrayView hash, bool hashOk)>;

// Physical (rowid) order: it is the order the records were written in, and what an attacker
// must change to reorder them. The unary + keeps SQLite from using the (gateway, seq) index,
// which would make it sort the whole table by id in a temporary b-tree instead of scanning.
const char kRowsSql[] = "SELECT seq, prev_hash, hash, body FROM audit_records WHERE +gateway = ? ORDER BY id";

bool hashMatches(const QByteArray &gatewayUtf8, qint64 seq, QByteArrayView prev, QByteArrayView hash,
                 QByteArrayView body, QByteArray &scratch)
{
    std::array<unsigned char, ChainHash::kSize> computed{};
    ChainHash::link(gatewayUtf8, seq, prev, body, scratch, computed);
    return hash.size() == ChainHash::kSize && std::memcmp(computed.data(), hash.data(), computed.size()) == 0;
}

/// Rows read ahead while the previous chunk is hashed on another core: hashing (SHA-256 of
/// every body) and reading cost about the same, so the pipeline roughly doubles the rate.
struct Chunk
{
    struct Row
    {
        qint64 seq = 0;
        qsizetype offset = 0;   ///< prev (32 bytes as stored), hash, body follow each other in data
        int prevSize = 0;
        int hashSize = 0;
        int bodySize = 0;
        bool hashOk = false;
    };
    std::vector<Row> rows;
    QByteArray data;

    QByteArrayView prev(const Row &r) const { return QByteArrayView(data).sliced(r.offset, r.prevSize); }
    QByteArrayView hash(const Row &r) const { return QByteArrayView(data).sliced(r.offset + r.prevSize, r.hashSize); }
    QByteArrayView body(const Row &r) const { return QByteArrayView(data).sliced(r.offset + r.prevSize + r.hashSize, r.bodySize); }

    void hashAll(const QByteArray &gatewayUtf8)
    {
        QByteArray scratch;
        for (Row &r : rows)
            r.hashOk = hashMatches(gatewayUtf8, r.seq, prev(r), hash(r), body(r), scratch);
    }
};

/// SQLite fast path: the columns are read in place through the driver's native handle (as
/// QSqlDriver::handle() documents), without a QVariant and a copy per value. Every other
/// driver takes the generic path.
std::optional<Status> walkNative(const QSqlDatabase &db, const QByteArray &gatewayUtf8, const RowCheck &check)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return std::nullopt;
    sqlite3 *native = *static_cast<sqlite3 *const *>(handle.data());
    if (!native)
        return std::nullopt;
    // Map the file instead of copying every page through read(); harmless for later users of
    // this connection, and capped by SQLite's compile-time limit.
    sqlite3_exec(native, "PRAGMA mmap_size=17179869184", nullptr, nullptr, nullptr);
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(native, kRowsSql, -1, &stmt, nullptr) != SQLITE_OK)
        return Error{QStringLiteral("store_error"), QStringLiteral("cannot read the audit log: %1").arg(QString::fromUtf8(sqlite3_errmsg(native)))};
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> guard(stmt, sqlite3_finalize);
    sqlite3_bind_text(stmt, 1, gatewayUtf8.constData(), static_cast<int>(gatewayUtf8.size()), nullptr);

    constexpr size_t kChunkRows = 4096;
    Chunk chunks[2];
    int reading = 0;
    std::future<void> hashing;
    int rc = SQLITE_ROW;
    for (;;) {
        Chunk &next = chunks[reading];
        next.rows.clear();
        next.data.resize(0);
        // Never step past SQLITE_DONE: SQLite would restart the statement.
        while (rc == SQLITE_ROW && next.rows.size() < kChunkRows && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            Chunk::Row row;
            row.seq = sqlite3_column_int64(stmt, 0);
            row.offset = next.data.size();
            const auto append = [&](int column, const void *bytes, int &size) {
                size = sqlite3_column_bytes(stmt, column);
                next.data.append(static_cast<const char *>(bytes), size);
            };
            append(1, sqlite3_column_blob(stmt, 1), row.prevSize);
            append(2, sqlite3_column_blob(stmt, 2), row.hashSize);
            append(3, sqlite3_column_text(stmt, 3), row.bodySize);
            next.rows.push_back(row);
        }
        if (hashing.valid()) {
            hashing.get();
            const Chunk &done = chunks[1 - reading];
            for (const Chunk::Row &r : done.rows) {
                if (!check(r.seq, done.prev(r), done.hash(r), r.hashOk))
                    return Status::success();
            }
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return Error{QStringLiteral("store_error"), QStringLiteral("cannot read the audit log: %1").arg(QString::fromUtf8(sqlite3_errmsg(native)))};
        if (next.rows.empty())
            return Status::success();
        hashing = std::async(std::launch::async, [&next, &gatewayUtf8] { next.hashAll(gatewayUtf8); });
        reading = 1 - reading;
    }
}

Status walkRows(const QSqlDatabase &db, const QByteArray &gatewayUtf8, const RowCheck &check)
{
    if (std::optional<Status> native = walkNative(db, gatewayUtf8, check))
        return *native;
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    rows.prepare(QLatin1String(kRowsSql));
    rows.bindValue(0, QString::fromUtf8(gatewayUtf8));
    if (!rows.exec())
        return readError(rows);
    QByteArray scratch;
    while (rows.next()) {
        const qint64 seq = rows.value(0).toLongLong();
        const QByteArray prev = rows.value(1).toByteArray();
        const QByteArray hash = rows.value(2).toByteArray();
        const QByteArray body = rows.value(3).toString().toUtf8();
        if (!check(seq, prev, hash, hashMatches(gatewayUtf8, seq, prev, hash, body, scratch)))
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
    const auto check = [&](qint64 seq, QByteArrayView storedPrev, QByteArrayView hash, bool hashOk) -> bool {
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
