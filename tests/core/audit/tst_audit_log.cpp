// SPDX-License-Identifier: Apache-2.0
// The audit log: hash chain, group commit, fail closed, and the verifier's tamper detection.
// (Companion writes and the batch participant: tst_audit_companions.)
#include "AuditLogFixture.h"

#include "audit/AuditLog.h"
#include "audit/AuditVerifier.h"
#include "audit/ChainHash.h"
#include "json/JsonWriter.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <set>
#include <thread>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

namespace {

/// Moves record `a` into `b`'s row and vice versa: the rows' physical order changes.
void swapRows(const store::Database &db, qint64 a, qint64 b)
{
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral("SELECT id, seq, prev_hash, hash, body, seal FROM audit_records WHERE seq IN (?, ?) ORDER BY seq"));
    q.bindValue(0, a);
    q.bindValue(1, b);
    QVERIFY(q.exec());
    QVariantList rows[2];
    for (auto &row : rows) {
        QVERIFY(q.next());
        for (int c = 0; c < 6; ++c)
            row << q.value(c);
    }
    q.finish();
    exec(db, QStringLiteral("UPDATE audit_records SET seq = -seq WHERE seq IN (?, ?)"), {a, b});
    for (int i = 0; i < 2; ++i) {
        const QVariantList &to = rows[i];
        const QVariantList &from = rows[1 - i];
        exec(db, QStringLiteral("UPDATE audit_records SET seq = ?, prev_hash = ?, hash = ?, body = ?, seal = ? WHERE id = ?"),
             {from[1], from[2], from[3], from[4], from[5], to[0]});
    }
}

/// Rewrites record `seq` and recomputes every later hash, as an attacker without the key would.
void forge(const store::Database &db, qint64 seq)
{
    exec(db, QStringLiteral("UPDATE audit_records SET body = replace(body, '\"deny\"', '\"allow\"') WHERE seq = ?"), {seq});
    // The query column too, as an attacker who knows the schema would: the verifier compares it
    // with the body, so a forgery that left it behind would not be self-consistent.
    exec(db, QStringLiteral("UPDATE audit_records SET decision = json_extract(body, '$.\"mandate.decision\"') WHERE seq = ?"), {seq});
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral("SELECT seq, CAST(body AS BLOB) FROM audit_records WHERE seq >= ? ORDER BY seq"));
    q.bindValue(0, seq);
    QVERIFY(q.exec());
    QSqlQuery prevQ(db.connection());
    prevQ.prepare(QStringLiteral("SELECT hash FROM audit_records WHERE seq = ?"));
    prevQ.bindValue(0, seq - 1);
    QVERIFY(prevQ.exec() && prevQ.next());
    QByteArray prev = prevQ.value(0).toByteArray();
    QList<QPair<qint64, QByteArray>> rows;
    while (q.next())
        rows.append({q.value(0).toLongLong(), q.value(1).toByteArray()});
    q.finish();
    for (const auto &[s, body] : rows) {
        const QByteArray hash = ChainHash::link(kGateway, s, prev, body);
        exec(db, QStringLiteral("UPDATE audit_records SET prev_hash = ?, hash = ? WHERE seq = ?"), {prev, hash, s});
        prev = hash;
    }
}

} // namespace

class TestAuditLog : public AuditLogFixture
{
    Q_OBJECT

private slots:
    void recordRoundTrip()
    {
        const AuditRecord r = decision(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"),
                                       QStringLiteral("refund:create"), true, QStringLiteral("e0"), 7);
        QVERIFY(r.validate().ok());
        auto back = AuditRecord::fromJson(r.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->canonicalBytes(), r.canonicalBytes());
        QVERIFY(r.canonicalBytes().contains("\"mandate.delegation.chain\":[\"alice\",\"support-agent\"]"));
        QJsonObject extra = r.toJson();
        extra.insert(QStringLiteral("mandate.unknown"), 1);
        QVERIFY(!AuditRecord::fromJson(extra).ok());
        AuditRecord bad = r;
        bad.traceId = QStringLiteral("XYZ");
        QVERIFY(!bad.validate().ok());
    }

    void canonicalEncodingIsCompactSortedJson_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addRow("decision") << 0;
        QTest::addRow("delegation") << 1;
        QTest::addRow("admin change with unicode and numbers") << 2;
        QTest::addRow("every escape, surrogates and nested values") << 3;
    }

    void canonicalEncodingIsCompactSortedJson()
    {
        QFETCH(int, variant);
        AuditRecord r = variant == 0 ? decision(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"),
                                                QStringLiteral("refund:create"), false, QStringLiteral("e0"), 3)
                                     : delegation(QStringLiteral("bob"), QStringLiteral("finance-agent"), QStringLiteral("f1"));
        if (variant == 2) {
            r.event = EventType::AdminChange;
            r.adminActor = QStringLiteral("carol");
            r.adminTarget = QStringLiteral("agent:support-agent");
            r.adminBefore = QJsonObject{{QStringLiteral("maxTtl"), 3600}, {QStringLiteral("name"), QStringLiteral("Zoë \"q\"\n")}};
            r.adminAfter = QJsonObject{{QStringLiteral("maxTtl"), 1800.5}, {QStringLiteral("tab"), QStringLiteral("a\tb\u0001")}};
            r.upstreamStatus = 201;
            r.latencyUs = 1234567890123;
            r.riskAfter = 1.0;
            r.details = {{QStringLiteral("k"), QJsonArray{1, true, QJsonValue()}}};
        }
        if (variant == 3) {
            // Every control character, quotes, backslashes, DEL, a surrogate pair, a lone surrogate.
            QString tricky;
            for (char16_t c = 0; c < 0x20; ++c)
                tricky.append(QChar(c));
            tricky += QStringLiteral("\"\\/\x7f é 😀 ") + QChar(char16_t(0xD800)) + QStringLiteral("x") + QChar(char16_t(0xDC00));
            r.statedReason = tricky;
            r.time = QDateTime(QDate(987, 3, 4), QTime(5, 6, 7, 89), Qt::UTC);
            r.policies = {tricky, QString(), QStringLiteral("ü")};
            r.cedarRequest = QJsonObject{{tricky, QJsonArray{QJsonArray{-1, 2.5e-300, 1e300, qint64(-9007199254740993)}, QJsonObject{}}},
                                         {QStringLiteral("n"), QJsonValue()}, {QStringLiteral("b"), false}};
        }
        QCOMPARE(r.canonicalBytes(), json::writeCompact(r.toJson()));
    }

    void appendChainsAndVerifies()
    {
        auto db = openDb();
        auto log = openLog(*db);
        QCOMPARE(log->head().sequence, 0);
        appendSome(*log, 20);
        QCOMPARE(log->head().sequence, 20);
        const VerifyReport report = verify(*db);
        QVERIFY2(report.intact(), qPrintable(report.reason));
        QCOMPARE(report.recordsChecked, 20);
        QCOMPARE(report.head.hash, log->head().hash);
        // A reopened log continues the same chain.
        log.reset();
        log = openLog(*db);
        QCOMPARE(log->head().sequence, 20);
        appendSome(*log, 1);
        QVERIFY(verify(*db).intact());
    }

    void rejectsForeignGateway()
    {
        auto db = openDb();
        auto log = openLog(*db);
        AuditRecord r = delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e"));
        r.gatewayId = QStringLiteral("other");
        QVERIFY(!log->append(r).ok());
        QCOMPARE(log->head().sequence, 0);
    }

    void tamperDetection_data()
    {
        QTest::addColumn<QString>("attack");
        QTest::addColumn<int>("expectedKind");
        QTest::addColumn<qint64>("expectedSeq");
        QTest::addRow("edit a field") << "edit" << int(TamperKind::Edited) << qint64(5);
        QTest::addRow("edit and re-hash one record") << "rehash" << int(TamperKind::Edited) << qint64(5);
        QTest::addRow("delete a record") << "delete" << int(TamperKind::Removed) << qint64(5);
        QTest::addRow("swap two records") << "swap" << int(TamperKind::Reordered) << qint64(6);
        QTest::addRow("truncate against a saved head") << "truncate" << int(TamperKind::Truncated) << qint64(8);
        QTest::addRow("forge with recomputed hashes") << "forge" << int(TamperKind::Forged) << qint64(4);
        QTest::addRow("forge, caught by the saved head only") << "forge-head" << int(TamperKind::Forged) << qint64(10);
        QTest::addRow("head signed by another key") << "bad-head" << int(TamperKind::BadHead) << qint64(10);
    }

    void tamperDetection()
    {
        QFETCH(QString, attack);
        QFETCH(int, expectedKind);
        QFETCH(qint64, expectedSeq);
        auto key = crypto::Ed25519Key::generate();
        QVERIFY(key.ok());
        auto db = openDb();
        auto log = openLog(*db, attack == QLatin1String("forge-head") ? std::nullopt : std::optional(key.value()));
        appendSome(*log, 10); // sequential appends: each its own commit, so each record is sealed
        auto saved = log->exportHead(key.value());
        QVERIFY(saved.ok());
        log.reset();
        QVERIFY(verify(*db).intact());

        AuditVerifier::Options options;
        if (attack == QLatin1String("edit")) {
            exec(*db, QStringLiteral("UPDATE audit_records SET body = replace(body, 'refund:create', 'refund:void') WHERE seq = 5"));
        } else if (attack == QLatin1String("rehash")) {
            exec(*db, QStringLiteral("UPDATE audit_records SET body = replace(body, 'refund:create', 'refund:void') WHERE seq = 5"));
            QSqlQuery q(db->connection());
            QVERIFY(q.exec(QStringLiteral("SELECT prev_hash, CAST(body AS BLOB) FROM audit_records WHERE seq = 5")) && q.next());
            const QByteArray hash = ChainHash::link(kGateway, 5, q.value(0).toByteArray(), q.value(1).toByteArray());
            q.finish();
            exec(*db, QStringLiteral("UPDATE audit_records SET hash = ? WHERE seq = 5"), {hash});
        } else if (attack == QLatin1String("delete")) {
            exec(*db, QStringLiteral("DELETE FROM audit_records WHERE seq = 5"));
        } else if (attack == QLatin1String("swap")) {
            swapRows(*db, 5, 6);
        } else if (attack == QLatin1String("truncate")) {
            exec(*db, QStringLiteral("DELETE FROM audit_records WHERE seq > 7"));
            QVERIFY2(verify(*db).intact(), "without a saved head a truncation is invisible");
            options.savedHead = saved.value();
        } else if (attack == QLatin1String("forge") || attack == QLatin1String("forge-head")) {
            forge(*db, 4); // record 4 is a deny; the forgery turns it into an allow
            QVERIFY2(verify(*db).intact(), "the recomputed chain is self-consistent");
            if (attack == QLatin1String("forge"))
                options.trustedKey = crypto::Ed25519Key::fromPublicKey(key->publicKey()).value();
            else
                options.savedHead = saved.value();
        } else if (attack == QLatin1String("bad-head")) {
            auto other = crypto::Ed25519Key::generate();
            QVERIFY(other.ok());
            options.savedHead = saved.value();
            options.trustedKey = other.value();
        }
        const VerifyReport report = verify(*db, options);
        QVERIFY(!report.intact());
        QCOMPARE(tamperKindName(report.problem), tamperKindName(TamperKind(expectedKind)));
        QCOMPARE(report.sequence, expectedSeq);
        QCOMPARE(report.gatewayId, kGateway);
        QVERIFY(!report.reason.isEmpty());
    }

    void signedHeadRoundTrip()
    {
        auto key = crypto::Ed25519Key::generate();
        QVERIFY(key.ok());
        auto db = openDb();
        auto log = openLog(*db, key.value());
        appendSome(*log, 3);
        auto head = log->exportHead(key.value());
        QVERIFY(head.ok());
        auto parsed = SignedHead::fromJson(head->toJson());
        QVERIFY(parsed.ok());
        QVERIFY(parsed->verify().ok());
        QCOMPARE(parsed->head.sequence, 3);
        AuditVerifier::Options options;
        options.savedHead = parsed.value();
        const VerifyReport report = verify(*db, options);
        QVERIFY2(report.intact(), qPrintable(report.reason));
        QVERIFY(report.sealsChecked);
        parsed->head.sequence = 2; // any change breaks the signature
        QVERIFY(!parsed->verify().ok());
    }

    void groupCommitUnderConcurrency()
    {
        auto db = openDb();
        auto log = openLog(*db);
        constexpr int kThreads = 8;
        constexpr int kPerThread = 300;
        std::vector<std::vector<qint64>> sequences(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    auto receipt = log->append(decision(QStringLiteral("alice"), QStringLiteral("agent-%1").arg(t),
                                                        QStringLiteral("e-%1").arg(t), QStringLiteral("ticket:read"), true, {}, i));
                    if (receipt.ok())
                        sequences[t].push_back(receipt->sequence);
                }
            });
        }
        for (auto &thread : threads)
            thread.join();
        std::set<qint64> all;
        for (const auto &s : sequences) {
            QCOMPARE(int(s.size()), kPerThread);
            all.insert(s.begin(), s.end());
        }
        QCOMPARE(int(all.size()), kThreads * kPerThread);
        QCOMPARE(*all.begin(), 1);
        QCOMPARE(*all.rbegin(), kThreads * kPerThread);
        const quint64 commits = log->commits();
        QVERIFY2(commits < quint64(kThreads * kPerThread), "concurrent appends must share commits");
        qInfo("%d appends in %llu commits", kThreads * kPerThread, commits);
        log.reset();
        const VerifyReport report = verify(*db);
        QVERIFY2(report.intact(), qPrintable(report.reason));
        QCOMPARE(report.recordsChecked, kThreads * kPerThread);
    }

    void failsClosed_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addRow("database locked by another writer") << "locked";
        QTest::addRow("store refuses the write") << "refuse";
    }

    void failsClosed()
    {
        QFETCH(QString, fault);
        auto db = openDb();
        auto log = openLog(*db, {}, 200);
        appendSome(*log, 3);
        const AuditHead before = log->head();

        auto other = store::Database::open(db->path());
        QVERIFY(other.ok());
        QSqlQuery locker(other.value()->connection());
        if (fault == QLatin1String("locked"))
            QVERIFY(locker.exec(QStringLiteral("BEGIN IMMEDIATE")));
        else
            exec(*other.value(), QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON audit_records "
                                                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"));

        auto receipt = log->append(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e9")));
        QVERIFY2(!receipt.ok(), "an append that cannot commit must fail");
        QVERIFY2(receipt.error().code.startsWith(QLatin1String("store_")), qPrintable(receipt.error().code));
        QCOMPARE(log->head().sequence, before.sequence);
        QCOMPARE(log->head().hash, before.hash);

        if (fault == QLatin1String("locked"))
            QVERIFY(locker.exec(QStringLiteral("ROLLBACK")));
        else
            exec(*other.value(), QStringLiteral("DROP TRIGGER refuse"));
        auto after = log->append(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e9")));
        QVERIFY2(after.ok(), after.ok() ? "" : qPrintable(after.error().message));
        QCOMPARE(after->sequence, before.sequence + 1);
        log.reset();
        QVERIFY(verify(*db).intact());
    }

    void failsClosedOnReadOnlyFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("readonly.sqlite"));
        {
            auto db = store::Database::open(path);
            QVERIFY(db.ok());
        }
        QFile::setPermissions(path, QFile::ReadOwner);
        auto db = store::Database::open(path);
        if (db.ok()) {
            // Running as root ignores the permission: nothing to test then.
            QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
            QSKIP("the file stays writable (running as root?)");
        }
        QVERIFY(db.error().code.startsWith(QLatin1String("store_")));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_audit_log.moc"
