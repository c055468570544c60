// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditVerifier.h"

#include "audit/ChainCursor.h"
#include "audit/NativeChainWalk.h"

#include "store/Schema.h"

#include <QSqlQuery>

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

/// Every driver but SQLite: the same check through Qt Sql, one row after another.
Status walkRows(const QSqlDatabase &db, const QByteArray &gatewayUtf8, ChainCursor &chain)
{
    // Physical (rowid) order, as the native walk reads.
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    rows.prepare(QString::fromLatin1("SELECT " + chainColumnsSql() + " FROM audit_records WHERE +gateway = ? ORDER BY id"));
    rows.bindValue(0, QString::fromUtf8(gatewayUtf8));
    if (!rows.exec())
        return readError(rows);
    QByteArray scratch;
    BodyColumnReader reader;
    std::array<QByteArray, AuditColumns::Count> columns;
    constexpr int kFirstQueryColumn = 4;
    while (rows.next()) {
        const QByteArray prev = rows.value(1).toByteArray();
        const QByteArray hash = rows.value(2).toByteArray();
        const QByteArray body = rows.value(3).toString().toUtf8();
        ChainRow row;
        row.seq = rows.value(0).toLongLong();
        row.prev = prev;
        row.hash = hash;
        row.hashOk = ChainHash::link(gatewayUtf8, row.seq, prev, body, scratch) == hash;
        row.badColumn = disagreeingColumn(reader, body, [&](int c) {
            const QVariant value = rows.value(kFirstQueryColumn + c);
            StoredColumn column;
            column.null = value.isNull();
            column.text = value.typeId() == QMetaType::QString;
            QByteArray &bytes = columns[size_t(c)];
            bytes = value.toString().toUtf8();
            column.bytes = bytes;
            return column;
        });
        if (!chain.add(row))
            break;
    }
    return Status::success();
}

/// Words the chain's first fault as the report names it.
void reportFault(const QSqlDatabase &db, const QString &gatewayId, const ChainFault &fault, VerifyReport &report)
{
    const qint64 seq = fault.seq;
    switch (fault.kind) {
    case ChainFault::HashMismatch:
        fail(report, TamperKind::Edited, gatewayId, seq,
             QStringLiteral("record %1 does not match its hash: its content, sequence or links were changed").arg(seq));
        return;
    case ChainFault::OutOfSequence: {
        const qint64 expected = fault.expected;
        QSqlQuery probe(db);
        probe.prepare(QStringLiteral("SELECT 1 FROM audit_records WHERE gateway = ? AND seq = ?"));
        probe.bindValue(0, gatewayId);
        probe.bindValue(1, expected);
        if (seq > expected && !(probe.exec() && probe.next())) {
            fail(report, TamperKind::Removed, gatewayId, expected,
                 expected + 1 == seq ? QStringLiteral("record %1 is missing: the chain jumps from %2 to %3").arg(expected).arg(expected - 1).arg(seq)
                                     : QStringLiteral("records %1 to %2 are missing: the chain jumps from %3 to %4")
                                           .arg(expected).arg(seq - 1).arg(expected - 1).arg(seq));
        } else {
            fail(report, TamperKind::Reordered, gatewayId, seq,
                 QStringLiteral("record %1 is stored where record %2 belongs").arg(seq).arg(expected));
        }
        return;
    }
    case ChainFault::BrokenLink:
        // The record itself is consistent, so its predecessor was changed and re-hashed alone.
        fail(report, TamperKind::Edited, gatewayId, seq - 1,
             QStringLiteral("record %1 was altered and re-hashed: record %2 links to a different hash").arg(seq - 1).arg(seq));
        return;
    case ChainFault::ColumnMismatch:
        fail(report, TamperKind::Edited, gatewayId, seq,
             fault.column == kBodyUnreadable
                 ? QStringLiteral("record %1's body is not canonical JSON, so its query columns cannot be checked").arg(seq)
                 : QStringLiteral("record %1's %2 column disagrees with its body: the column was changed after the record was written")
                       .arg(seq).arg(QLatin1String(AuditColumns::sqlName(AuditColumns::Column(fault.column)))));
        return;
    }
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
    case TamperKind::SchemaChanged: return QStringLiteral("schema_changed");
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
    // First: queries and lineage find records through the indexes, and an index or trigger
    // made to differ could hide records, or change them as they are written, with every
    // chain intact.
    if (const Status read = checkSchema(report); !read)
        return read.error();
    if (!report.intact())
        return report;
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
    ChainCursor chain = ChainCursor::atGenesis();
    if (std::optional<Result<ChainCursor>> native = walkChainNative(db, gatewayUtf8, options.partIds)) {
        if (!*native)
            return native->error();
        chain = native->value();
    } else if (const Status walked = walkRows(db, gatewayUtf8, chain); !walked) {
        return walked;
    }
    report.recordsChecked += chain.rows();
    const qint64 lastSeq = chain.lastSeq();
    report.head = AuditHead{gatewayId, lastSeq, chain.lastHash()};
    if (const std::optional<ChainFault> &fault = chain.fault()) {
        reportFault(db, gatewayId, *fault, report);
        return Status::success();
    }

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

Status AuditVerifier::checkSchema(VerifyReport &report) const
{
    sqlite3 *native = store::Database::nativeHandle(m_db.connection());
    if (!native)
        return Status::success();  // not SQLite
    const QString table = QStringLiteral("audit_records");
    const QMap<QString, QString> expected = store::Schema::expectedIndexesAndTriggers(table);
    if (expected.isEmpty())
        return Error{QStringLiteral("internal"), QStringLiteral("cannot derive the audit table's indexes from the migrations")};
    // Indexes compared by their SQL and by the keys SQLite uses (column, order, collation), and
    // every trigger by its SQL. Not the table's own text: ALTER TABLE rewrites it, in ways SQLite
    // versions and the history of a migration's text differ on; what of it changes what a query
    // finds (a column's collation) shows in the indexes' keys.
    const QMap<QString, QString> actual = store::Schema::indexesAndTriggers(native, table);
    QStringList problems;
    for (auto it = actual.cbegin(); it != actual.cend(); ++it) {
        const auto wanted = expected.constFind(it.key());
        const QString type = it.value().section(u' ', 0, 0);
        if (wanted == expected.cend())
            problems << QStringLiteral("%1 %2 was added").arg(type, it.key());
        else if (*wanted != it.value())
            problems << QStringLiteral("%1 %2 was changed").arg(type, it.key());
    }
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        if (!actual.contains(it.key()))
            problems << QStringLiteral("%1 was removed").arg(it.key());
    }
    if (!problems.isEmpty()) {
        fail(report, TamperKind::SchemaChanged, QString(), 0,
             QStringLiteral("the audit table is not as the gateway made it: %1").arg(problems.join(QStringLiteral("; "))));
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
