// SPDX-License-Identifier: Apache-2.0
// The verifier walks a large log in parts of the id range, read and hashed by one thread per
// core on connections of their own. Tampering must be found, and named as the sequential walk
// names it, whichever thread reads the record and wherever a part ends.
#include "AuditTestUtil.h"

#include "audit/AuditLog.h"
#include "audit/AuditVerifier.h"
#include "audit/ChainHash.h"
#include "store/Database.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

namespace {

// Parts of 8192 ids: three parts, so that each thread reads some.
constexpr int kRecords = 18'000;
constexpr qint64 kPartIds = 8192;

} // namespace

class TestAuditVerifyBlocks : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        auto db = store::Database::open(m_pristine);
        QVERIFY(db.ok());
        AuditLog::Options options;
        options.gatewayId = kGateway;
        options.fullSync = false;
        auto log = AuditLog::open(*db.value(), options);
        QVERIFY(log.ok());
        std::vector<std::future<Result<AppendReceipt>>> pending;
        for (int i = 0; i < kRecords; ++i)
            pending.push_back(log.value()->appendAsync(decision(QStringLiteral("alice"), QStringLiteral("support-agent"),
                                                                QStringLiteral("e%1").arg(i / 20), QStringLiteral("refund:create"),
                                                                i % 7 != 0, {}, i)));
        for (auto &receipt : pending)
            QVERIFY(receipt.get().ok());
        // Closing the last connection folds the write-ahead log into the file that is copied.
    }

    void tamperIsFoundInEveryPart_data()
    {
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<qint64>("seq");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<qint64>("reported");
        QTest::addRow("intact") << "none" << qint64(0) << "intact" << qint64(0);
        QTest::addRow("edited, first part") << "edit" << qint64(100) << "edited" << qint64(100);
        QTest::addRow("edited, second part") << "edit" << qint64(9000) << "edited" << qint64(9000);
        QTest::addRow("edited, last part") << "edit" << qint64(17'999) << "edited" << qint64(17'999);
        QTest::addRow("removed, first of a part") << "remove" << qint64(8193) << "removed" << qint64(8193);
        QTest::addRow("removed, last of a part") << "remove" << qint64(16'384) << "removed" << qint64(16'384);
        QTest::addRow("re-hashed, last of a part") << "rehash" << qint64(8192) << "edited" << qint64(8192);
        QTest::addRow("re-hashed, last of the second part") << "rehash" << qint64(16'384) << "edited" << qint64(16'384);
        QTest::addRow("swapped across a part end") << "swap" << qint64(8190) << "reordered" << qint64(8195);
        QTest::addRow("query column changed, first part") << "column" << qint64(100) << "edited" << qint64(100);
        QTest::addRow("query column changed, second part") << "column" << qint64(9000) << "edited" << qint64(9000);
    }

    void tamperIsFoundInEveryPart()
    {
        QFETCH(QString, tamper);
        QFETCH(qint64, seq);
        QFETCH(QString, expected);
        QFETCH(qint64, reported);
        const auto db = openCopy(m_pristine, m_dir.filePath(QStringLiteral("case%1.db").arg(++m_case)));
        QVERIFY(db);
        const store::Database &d = *db;

        QVERIFY(testing::tamper(d, tamper, seq));

        AuditVerifier::Options options;
        options.partIds = kPartIds;
        const Result<VerifyReport> report = AuditVerifier(d).verify(options);
        QVERIFY(report.ok());
        QCOMPARE(tamperKindName(report->problem), expected);
        if (tamper == QLatin1String("none")) {
            QCOMPARE(report->recordsChecked, kRecords);
            QCOMPARE(report->head.sequence, kRecords);
        } else {
            QCOMPARE(report->sequence, reported);
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_pristine = m_dir.filePath(QStringLiteral("pristine.db"));
    int m_case = 0;
};

QTEST_GUILESS_MAIN(TestAuditVerifyBlocks)
#include "tst_audit_verify_blocks.moc"
