// SPDX-License-Identifier: Apache-2.0
// Schema 7 rebuilds audit_records with plain query columns. A log written under schema 4
// (generated columns) must come out with every row byte for byte as it was, still verify
// (seals included), answer queries and lineage as before, and take new appends.
#include "AuditTestUtil.h"

#include "audit/AuditLog.h"
#include "audit/AuditQuery.h"
#include "audit/AuditVerifier.h"
#include "audit/ChainHash.h"
#include "audit/Lineage.h"
#include "store/Database.h"
#include "store/Schema.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

namespace {

constexpr int kMigration = 7;

QList<store::Migration> migrationsBefore(int version)
{
    QList<store::Migration> list;
    for (const store::Migration &m : store::Schema::migrations()) {
        if (m.version < version)
            list << m;
    }
    return list;
}

/// A small world: two humans, a sub-execution, decisions both ways, a revocation, an admin change.
std::vector<AuditRecord> history()
{
    const QString alice = QStringLiteral("alice"), bob = QStringLiteral("bob");
    const QString agent = QStringLiteral("support-agent"), sub = QStringLiteral("refund-agent");
    std::vector<AuditRecord> records;
    records.push_back(delegation(alice, agent, QStringLiteral("e1"), {}, 0));
    records.push_back(delegation(alice, sub, QStringLiteral("e2"), QStringLiteral("e1"), 1));
    records.push_back(delegation(bob, agent, QStringLiteral("e3"), {}, 2));
    for (int i = 0; i < 30; ++i) {
        const QString execution = QStringLiteral("e%1").arg(1 + i % 3);
        const QString human = i % 3 == 2 ? bob : alice;
        const bool allow = i % 4 != 0;
        records.push_back(decision(human, i % 3 == 1 ? sub : agent, execution,
                                   allow ? QStringLiteral("refund:create") : QStringLiteral("account:delete"), allow,
                                   i % 3 == 1 ? QStringLiteral("e1") : QString(), 10 + i));
    }
    AuditRecord revocation = delegation(bob, agent, QStringLiteral("e3"), {}, 60);
    revocation.event = EventType::Revocation;
    records.push_back(revocation);
    AuditRecord admin;
    admin.time = baseTime().addSecs(61);
    admin.gatewayId = kGateway;
    admin.event = EventType::AdminChange;
    admin.adminActor = QStringLiteral("root");
    admin.adminTarget = QStringLiteral("agent:\"quoted\" é");
    admin.adminAfter = QJsonObject{{QStringLiteral("status"), QStringLiteral("suspended")}};
    records.push_back(admin);
    return records;
}

/// Writes `records` as the AuditLog did under schema 4: the query columns were generated.
void writeSchema4Chain(const store::Database &db, const std::vector<AuditRecord> &records, const crypto::Ed25519Key &key)
{
    QSqlQuery insert(db.connection());
    QVERIFY(insert.prepare(QStringLiteral("INSERT INTO audit_records (gateway, seq, prev_hash, hash, body, seal) "
                                          "VALUES (?, ?, ?, ?, CAST(? AS TEXT), ?)")));
    QByteArray prev = ChainHash::genesis();
    for (size_t i = 0; i < records.size(); ++i) {
        const qint64 seq = qint64(i) + 1;
        const QByteArray body = records[i].canonicalBytes();
        const QByteArray hash = ChainHash::link(kGateway, seq, prev, body);
        QVariant seal{QMetaType(QMetaType::QByteArray)};
        if (seq % 5 == 0 || i + 1 == records.size()) {
            Result<QByteArray> signature = key.sign(AuditHead{kGateway, seq, hash}.signingBytes());
            QVERIFY(signature.ok());
            seal = signature.value();
        }
        insert.bindValue(0, kGateway);
        insert.bindValue(1, seq);
        insert.bindValue(2, prev);
        insert.bindValue(3, hash);
        insert.bindValue(4, body);
        insert.bindValue(5, seal);
        QVERIFY(insert.exec());
        prev = hash;
    }
}

/// Every stored value of every row, in id order, with the query columns as SQL sees them.
QList<QVariantList> rows(const store::Database &db)
{
    QSqlQuery q(db.connection());
    q.exec(QStringLiteral("SELECT id, gateway, seq, prev_hash, hash, CAST(body AS BLOB), seal, typeof(body), time, event, human, "
                          "agent, execution, parent_execution, tool, action, decision, trace_id FROM audit_records ORDER BY id"));
    QList<QVariantList> out;
    while (q.next()) {
        QVariantList row;
        for (int c = 0; c < 18; ++c)
            row << q.value(c);
        out << row;
    }
    return out;
}

/// The sequences each filter returns, page by page (small pages: the cursor is exercised too).
QStringList queryAnswers(const store::Database &db)
{
    QList<AuditFilter> filters;
    const auto filter = [&](auto set) {
        AuditFilter f;
        set(f);
        filters << f;
    };
    filter([](AuditFilter &) {});
    filter([](AuditFilter &f) { f.human = QStringLiteral("alice"); });
    filter([](AuditFilter &f) { f.agent = QStringLiteral("refund-agent"); });
    filter([](AuditFilter &f) { f.execution = QStringLiteral("e1"); });
    filter([](AuditFilter &f) { f.execution = QStringLiteral("e1"); f.withDescendants = false; });
    filter([](AuditFilter &f) { f.tool = QStringLiteral("account"); });
    filter([](AuditFilter &f) { f.action = QStringLiteral("refund:create"); f.decision = QStringLiteral("allow"); });
    filter([](AuditFilter &f) { f.decision = QStringLiteral("deny"); });
    filter([](AuditFilter &f) { f.event = QStringLiteral("revocation"); });
    filter([](AuditFilter &f) { f.event = QStringLiteral("admin_change"); });
    filter([](AuditFilter &f) { f.traceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e0015"); });
    filter([](AuditFilter &f) { f.from = baseTime().addSecs(20); f.to = baseTime().addSecs(30); });
    filter([](AuditFilter &f) { f.gatewayId = kGateway; f.human = QStringLiteral("bob"); });
    QStringList answers;
    const AuditQuery query(db);
    for (const AuditFilter &f : filters) {
        QStringList sequences;
        QString cursor;
        do {
            Result<AuditPage> page = query.find(f, cursor, 7);
            if (!page)
                return {page.error().message};
            for (const StoredRecord &r : page->records)
                sequences << QString::number(r.sequence);
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        answers << sequences.join(u',');
    }
    return answers;
}

QStringList lineageAnswers(const store::Database &db)
{
    const Lineage lineage(db);
    QStringList answers;
    const auto add = [&](const Result<LineageGraph> &graph) {
        answers << (graph ? QString::fromUtf8(QJsonDocument(graph->toJson()).toJson(QJsonDocument::Compact)) : graph.error().message);
    };
    add(lineage.forExecution(QStringLiteral("e1")));
    add(lineage.forExecution(QStringLiteral("e2")));
    add(lineage.forHuman(QStringLiteral("bob")));
    add(lineage.forAgent(QStringLiteral("refund-agent")));
    add(lineage.forTrace(QStringLiteral("4bf92f3577b34da6a3ce929d0e0e0013")));
    add(lineage.forTimeRange(baseTime().addSecs(15), baseTime().addSecs(25)));
    return answers;
}

} // namespace

class TestAuditMigration : public QObject
{
    Q_OBJECT

private slots:
    void schema4LogMigrates()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("gateway.db"));
        auto key = crypto::Ed25519Key::generate();
        QVERIFY(key.ok());
        const std::vector<AuditRecord> records = history();

        QList<QVariantList> before;
        QStringList queriesBefore;
        QStringList lineageBefore;
        {
            auto old = store::Database::open(path, migrationsBefore(kMigration));
            QVERIFY(old.ok());
            QCOMPARE(old.value()->schemaVersion(), kMigration - 1);
            writeSchema4Chain(*old.value(), records, key.value());
            before = rows(*old.value());
            queriesBefore = queryAnswers(*old.value());
            lineageBefore = lineageAnswers(*old.value());
        }
        QCOMPARE(before.size(), qsizetype(records.size()));

        auto db = store::Database::open(path);
        QVERIFY2(db.ok(), db.ok() ? "" : qPrintable(db.error().message));
        const store::Database &migrated = *db.value();
        QCOMPARE(migrated.schemaVersion(), store::Schema::currentVersion());

        // Byte for byte the same rows, and the columns hold what the generated ones computed.
        const QList<QVariantList> after = rows(migrated);
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < after.size(); ++i)
            QCOMPARE(after[i], before[i]);
        QSqlQuery info(migrated.connection());
        QVERIFY(info.exec(QStringLiteral("SELECT count(*) FROM pragma_table_xinfo('audit_records') WHERE hidden != 0")) && info.next());
        QCOMPARE(info.value(0).toInt(), 0);  // no generated column is left
        info.finish();  // an open read would keep this connection on the snapshot before the appends below

        AuditVerifier::Options options;
        options.trustedKey = crypto::Ed25519Key::fromPublicKey(key->publicKey()).value();
        Result<VerifyReport> report = AuditVerifier(migrated).verify(options);
        QVERIFY(report.ok());
        QVERIFY2(report->intact(), qPrintable(report->reason));
        QVERIFY(report->sealsChecked);
        QCOMPARE(report->recordsChecked, qint64(records.size()));

        QCOMPARE(queryAnswers(migrated), queriesBefore);
        QCOMPARE(lineageAnswers(migrated), lineageBefore);

        // The chain goes on where schema 4 left it.
        {
            AuditLog::Options logOptions;
            logOptions.gatewayId = kGateway;
            logOptions.sealingKey = key.value();
            auto log = AuditLog::open(migrated, logOptions);
            QVERIFY(log.ok());
            QCOMPARE(log.value()->head().sequence, qint64(records.size()));
            for (int i = 0; i < 5; ++i)
                QVERIFY(log.value()->append(decision(QStringLiteral("bob"), QStringLiteral("support-agent"), QStringLiteral("e4"),
                                                     QStringLiteral("refund:create"), true, {}, 100 + i)).ok());
        }
        report = AuditVerifier(migrated).verify(options);
        QVERIFY(report.ok());
        QVERIFY2(report->intact(), qPrintable(report->reason));
        QCOMPARE(report->head.sequence, qint64(records.size()) + 5);
        AuditFilter newOnes;
        newOnes.execution = QStringLiteral("e4");
        Result<AuditPage> page = AuditQuery(migrated).find(newOnes);
        QVERIFY(page.ok());
        QCOMPARE(page->records.size(), size_t(5));

        // A gateway still running the schema 4 writer cannot slip in a record without columns.
        QSqlQuery stale(migrated.connection());
        QVERIFY(stale.prepare(QStringLiteral("INSERT INTO audit_records (gateway, seq, prev_hash, hash, body, seal) "
                                             "VALUES (?, ?, ?, ?, ?, NULL)")));
        stale.addBindValue(kGateway);
        stale.addBindValue(qint64(records.size()) + 6);
        stale.addBindValue(QByteArray(32, '\0'));
        stale.addBindValue(QByteArray(32, '\1'));
        stale.addBindValue(QStringLiteral("{}"));
        QVERIFY(!stale.exec());
        QVERIFY2(stale.lastError().text().contains(QStringLiteral("NOT NULL constraint failed")), qPrintable(stale.lastError().text()));
    }
};

QTEST_GUILESS_MAIN(TestAuditMigration)
#include "tst_audit_migration.moc"
