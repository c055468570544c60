// SPDX-License-Identifier: Apache-2.0
// The verifier reads a chain in parts of the id range, on several threads, and joins them in
// order. With parts of a few ids every fault lands inside a later part or at a part's edge: the
// report must be the one a single walk gives (same problem, record, reason, count and head).
#include "AuditTestUtil.h"

#include "audit/AuditLog.h"
#include "audit/AuditVerifier.h"
#include "audit/ChainHash.h"
#include "store/Database.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

namespace {

// Ids equal sequence numbers in the pristine log; with 64 ids a part, records 65, 129, 193 and
// 257 start parts and 64, 128, 192 and 256 end them.
constexpr int kRecords = 300;
constexpr qint64 kPartIds = 64;
const QString kOther = QStringLiteral("gw-other");

bool sameReport(const VerifyReport &a, const VerifyReport &b)
{
    return a.problem == b.problem && a.gatewayId == b.gatewayId && a.sequence == b.sequence && a.reason == b.reason
        && a.recordsChecked == b.recordsChecked && a.gateways == b.gateways && a.head.sequence == b.head.sequence
        && a.head.hash == b.head.hash && a.sealsChecked == b.sealsChecked;
}

} // namespace

class TestAuditVerifyParts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto key = crypto::Ed25519Key::generate();
        QVERIFY(key.ok());
        auto db = store::Database::open(m_pristine);
        QVERIFY(db.ok());
        AuditLog::Options options;
        options.gatewayId = kGateway;
        options.fullSync = false;
        options.sealingKey = key.value();
        auto log = AuditLog::open(*db.value(), options);
        QVERIFY(log.ok());
        std::vector<std::future<Result<AppendReceipt>>> pending;
        for (int i = 0; i < kRecords; ++i)
            pending.push_back(log.value()->appendAsync(decision(QStringLiteral("alice"), QStringLiteral("support-agent"),
                                                                QStringLiteral("e%1").arg(i / 20), QStringLiteral("refund:create"),
                                                                i % 7 != 0, {}, i)));
        for (auto &receipt : pending)
            QVERIFY(receipt.get().ok());
        auto head = log.value()->exportHead(key.value());
        QVERIFY(head.ok());
        m_head = head.value();
    }

    void partsReportWhatOneWalkReports_data()
    {
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<qint64>("seq");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<qint64>("reported");
        QTest::addRow("intact") << "none" << qint64(0) << "intact" << qint64(0);
        QTest::addRow("edited inside the second part") << "edit" << qint64(100) << "edited" << qint64(100);
        QTest::addRow("edited, first of a part") << "edit" << qint64(65) << "edited" << qint64(65);
        QTest::addRow("edited, last of a part") << "edit" << qint64(128) << "edited" << qint64(128);
        QTest::addRow("edited, last record") << "edit" << qint64(kRecords) << "edited" << qint64(kRecords);
        QTest::addRow("re-hashed, last of a part") << "rehash" << qint64(64) << "edited" << qint64(64);
        QTest::addRow("re-hashed, first of a part") << "rehash" << qint64(129) << "edited" << qint64(129);
        QTest::addRow("removed, first of a part") << "remove" << qint64(65) << "removed" << qint64(65);
        QTest::addRow("removed, last of a part") << "remove" << qint64(128) << "removed" << qint64(128);
        QTest::addRow("removed across a part edge") << "remove-edge" << qint64(128) << "removed" << qint64(128);
        QTest::addRow("removed, a whole part") << "remove-part" << qint64(65) << "removed" << qint64(65);
        QTest::addRow("swapped across a part edge") << "swap" << qint64(126) << "reordered" << qint64(131);
        QTest::addRow("query column changed, first of a part") << "column" << qint64(193) << "edited" << qint64(193);
        QTest::addRow("query column changed, third part") << "column" << qint64(150) << "edited" << qint64(150);
        QTest::addRow("two parts tampered: the first is named") << "edit-two" << qint64(200) << "edited" << qint64(100);
        QTest::addRow("truncated against the saved head") << "truncate" << qint64(290) << "truncated" << qint64(291);
        QTest::addRow("edited, with the saved head") << "edit-head" << qint64(150) << "edited" << qint64(150);
    }

    void partsReportWhatOneWalkReports()
    {
        QFETCH(QString, tamper);
        QFETCH(qint64, seq);
        QFETCH(QString, expected);
        QFETCH(qint64, reported);
        const auto db = openCopy(m_pristine, m_dir.filePath(QStringLiteral("case%1.db").arg(++m_case)));
        QVERIFY(db);
        const store::Database &d = *db;

        AuditVerifier::Options options;
        if (tamper == QLatin1String("edit-head")) {
            QVERIFY(editBody(d, seq));
            options.savedHead = m_head;
        } else if (tamper == QLatin1String("edit-two")) {
            // The later fault is in a part that may well be read first.
            QVERIFY(editBody(d, seq));
            QVERIFY(editBody(d, 100));
        } else if (tamper == QLatin1String("remove-edge")) {
            QVERIFY(execSql(d, QStringLiteral("DELETE FROM audit_records WHERE seq IN (?, ?)"), {seq, seq + 1}));
        } else if (tamper == QLatin1String("remove-part")) {
            QVERIFY(execSql(d, QStringLiteral("DELETE FROM audit_records WHERE seq >= ? AND seq < ?"), {seq, seq + kPartIds}));
        } else if (tamper == QLatin1String("truncate")) {
            QVERIFY(execSql(d, QStringLiteral("DELETE FROM audit_records WHERE seq > ?"), {seq}));
            options.savedHead = m_head;
        } else {
            QVERIFY(testing::tamper(d, tamper, seq));
        }

        // Parts of 0 (the default: one part here, read on the calling thread's connection),
        // of a few ids, and of one id each.
        options.partIds = 0;
        const Result<VerifyReport> whole = AuditVerifier(d).verify(options);
        QVERIFY(whole.ok());
        QCOMPARE(tamperKindName(whole->problem), expected);
        if (tamper == QLatin1String("none")) {
            QCOMPARE(whole->recordsChecked, kRecords);
            QCOMPARE(whole->head.sequence, kRecords);
        } else {
            QCOMPARE(whole->sequence, reported);
            QCOMPARE(whole->gatewayId, kGateway);
        }
        for (const qint64 partIds : {kPartIds, qint64(7), qint64(1)}) {
            options.partIds = partIds;
            const Result<VerifyReport> parts = AuditVerifier(d).verify(options);
            QVERIFY(parts.ok());
            QVERIFY2(sameReport(*parts, *whole), qPrintable(QStringLiteral("%1 ids a part: %2 %3 (%4) after %5 records")
                                                                 .arg(partIds).arg(tamperKindName(parts->problem)).arg(parts->sequence)
                                                                 .arg(parts->reason).arg(parts->recordsChecked)));
        }
    }

    /// The calling thread's connection is shared with its other statements: a query left open
    /// on it, or an open transaction, must not disturb a walk (nor a walk them).
    void walksBesideOpenStatements()
    {
        const auto db = openCopy(m_pristine, m_dir.filePath(QStringLiteral("shared-connection.db")));
        QVERIFY(db);
        const store::Database &d = *db;
        QSqlQuery open(d.connection());
        QVERIFY(open.exec(QStringLiteral("SELECT seq FROM audit_records ORDER BY seq")));
        QVERIFY(open.next());
        AuditVerifier::Options options;
        options.partIds = 16;
        for (int round = 0; round < 2; ++round) {
            const Result<VerifyReport> report = AuditVerifier(d).verify(options);
            QVERIFY(report.ok());
            QVERIFY2(report->intact(), qPrintable(report->reason));
            QCOMPARE(report->recordsChecked, kRecords);
        }
        QVERIFY(open.next());
        QCOMPARE(open.value(0).toLongLong(), 2);
        open.finish();

        // Inside a transaction its uncommitted change is what the walk must see.
        QVERIFY(d.connection().transaction());
        QVERIFY(editBody(d, 200));
        const Result<VerifyReport> inside = AuditVerifier(d).verify(options);
        QVERIFY(d.connection().rollback());
        QVERIFY(inside.ok());
        QCOMPARE(tamperKindName(inside->problem), QStringLiteral("edited"));
        QCOMPARE(inside->sequence, 200);
        const Result<VerifyReport> after = AuditVerifier(d).verify(options);
        QVERIFY(after.ok());
        QVERIFY(after->intact());
    }

    /// Another gateway's records between this one's: each chain is read past the other's rows.
    void interleavedChains()
    {
        const QString path = m_dir.filePath(QStringLiteral("interleaved.db"));
        auto db = store::Database::open(path);
        QVERIFY(db.ok());
        const store::Database &d = *db.value();
        std::unique_ptr<AuditLog> logs[2];
        for (int g = 0; g < 2; ++g) {
            AuditLog::Options options;
            options.gatewayId = g == 0 ? kGateway : kOther;
            options.fullSync = false;
            auto log = AuditLog::open(d, options);
            QVERIFY(log.ok());
            logs[g] = std::move(log).value();
        }
        for (int i = 0; i < 90; ++i) {
            // Runs of 1 to 4 records of one gateway, then of the other.
            const int g = (i / (1 + i % 4)) % 2;
            AuditRecord r = decision(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e%1").arg(i), QStringLiteral("refund:create"), true, {}, i);
            r.gatewayId = g == 0 ? kGateway : kOther;
            QVERIFY(logs[g]->append(r).ok());
        }
        const qint64 otherCount = logs[1]->head().sequence;
        QVERIFY(otherCount > 10);
        for (auto &log : logs)
            log.reset();

        for (const bool tampered : {false, true}) {
            if (tampered)
                QVERIFY(execSql(d, QStringLiteral("UPDATE audit_records SET body = replace(body, 'alice', 'mallory') WHERE gateway = ? AND seq = ?"),
                                {kOther, otherCount - 3}));
            AuditVerifier::Options options;
            const Result<VerifyReport> whole = AuditVerifier(d).verify(options);
            QVERIFY(whole.ok());
            QCOMPARE(whole->intact(), !tampered);
            QCOMPARE(whole->gateways, tampered ? 1 : 2);  // gw-other comes first, and stops the walk
            if (tampered) {
                QCOMPARE(whole->gatewayId, kOther);
                QCOMPARE(whole->sequence, otherCount - 3);
            }
            for (const qint64 partIds : {qint64(1), qint64(3), qint64(16)}) {
                options.partIds = partIds;
                const Result<VerifyReport> parts = AuditVerifier(d).verify(options);
                QVERIFY(parts.ok());
                QVERIFY(sameReport(*parts, *whole));
            }
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_pristine = m_dir.filePath(QStringLiteral("pristine.db"));
    SignedHead m_head;
    int m_case = 0;
};

QTEST_GUILESS_MAIN(TestAuditVerifyParts)
#include "tst_audit_verify_parts.moc"
