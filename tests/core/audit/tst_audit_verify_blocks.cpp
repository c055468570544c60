// SPDX-License-Identifier: Apache-2.0
// The verifier walks a large log in blocks of records, read and hashed by two threads on two
// connections. Tampering must be found, and named as the sequential walk names it, whichever
// thread reads the record and wherever a block ends.
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

// Blocks are 8192 ids long: three blocks, the middle one read by the second thread.
constexpr int kRecords = 18'000;

QVariantList row(const store::Database &db, qint64 seq)
{
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral("SELECT prev_hash, hash, body FROM audit_records WHERE seq = ?"));
    q.bindValue(0, seq);
    if (!q.exec() || !q.next())
        return {};
    return {q.value(0), q.value(1), q.value(2)};
}

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

    void tamperIsFoundInEveryBlock_data()
    {
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<qint64>("seq");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<qint64>("reported");
        QTest::addRow("intact") << "none" << qint64(0) << "intact" << qint64(0);
        QTest::addRow("edited, first block") << "edit" << qint64(100) << "edited" << qint64(100);
        QTest::addRow("edited, second thread's block") << "edit" << qint64(9000) << "edited" << qint64(9000);
        QTest::addRow("edited, last block") << "edit" << qint64(17'999) << "edited" << qint64(17'999);
        QTest::addRow("removed, first of a block") << "remove" << qint64(8193) << "removed" << qint64(8193);
        QTest::addRow("removed, last of a block") << "remove" << qint64(16'384) << "removed" << qint64(16'384);
        QTest::addRow("re-hashed, last of a block") << "rehash" << qint64(8192) << "edited" << qint64(8192);
        QTest::addRow("re-hashed, second thread's last") << "rehash" << qint64(16'384) << "edited" << qint64(16'384);
        QTest::addRow("swapped across a block end") << "swap" << qint64(8190) << "reordered" << qint64(8195);
        QTest::addRow("query column changed, first block") << "column" << qint64(100) << "edited" << qint64(100);
        QTest::addRow("query column changed, second thread's block") << "column" << qint64(9000) << "edited" << qint64(9000);
    }

    void tamperIsFoundInEveryBlock()
    {
        QFETCH(QString, tamper);
        QFETCH(qint64, seq);
        QFETCH(QString, expected);
        QFETCH(qint64, reported);
        const QString path = m_dir.filePath(QStringLiteral("case%1.db").arg(++m_case));
        QVERIFY(QFile::copy(m_pristine, path));
        auto db = store::Database::open(path);
        QVERIFY(db.ok());
        const store::Database &d = *db.value();

        if (tamper == QLatin1String("edit")) {
            QVERIFY(execSql(d, QStringLiteral("UPDATE audit_records SET body = replace(body, 'alice', 'mallory') WHERE seq = ?"), {seq}));
        } else if (tamper == QLatin1String("remove")) {
            QVERIFY(execSql(d, QStringLiteral("DELETE FROM audit_records WHERE seq = ?"), {seq}));
        } else if (tamper == QLatin1String("rehash")) {
            // Consistent with itself, so only the next record's link gives it away.
            const QVariantList current = row(d, seq);
            QCOMPARE(current.size(), 3);
            const QByteArray body = current[2].toString().toUtf8().replace("alice", "mallory");
            const QByteArray hash = ChainHash::link(kGateway, seq, current[0].toByteArray(), body);
            QVERIFY(execSql(d, QStringLiteral("UPDATE audit_records SET body = ?, hash = ? WHERE seq = ?"), {QString::fromUtf8(body), hash, seq}));
        } else if (tamper == QLatin1String("column")) {
            // Body and chain untouched: only what the indexes answer from.
            QVERIFY(execSql(d, QStringLiteral("UPDATE audit_records SET human = 'mallory' WHERE seq = ?"), {seq}));
        } else if (tamper == QLatin1String("swap")) {
            // Records seq and seq + 5 change rows: the first read out of place is seq + 5.
            const QVariantList a = row(d, seq);
            const QVariantList b = row(d, seq + 5);
            QVERIFY(execSql(d, QStringLiteral("UPDATE audit_records SET seq = -seq WHERE seq IN (?, ?)"), {seq, seq + 5}));
            QVERIFY(execSql(d, QStringLiteral("UPDATE audit_records SET seq = ?, prev_hash = ?, hash = ?, body = ? WHERE seq = ?"),
                         {seq + 5, b[0], b[1], b[2], -seq}));
            QVERIFY(execSql(d, QStringLiteral("UPDATE audit_records SET seq = ?, prev_hash = ?, hash = ?, body = ? WHERE seq = ?"),
                         {seq, a[0], a[1], a[2], -(seq + 5)}));
        }

        const Result<VerifyReport> report = AuditVerifier(d).verify({});
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
