// SPDX-License-Identifier: Apache-2.0
// Crash safety: a process appending from several threads is SIGKILLed; afterwards the chain
// verifies and every append that had returned success is in the log, exactly as written.
#include "audit/AuditVerifier.h"
#include "store/Database.h"

#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace mandate;
using namespace mandate::audit;

class TestAuditCrash : public QObject
{
    Q_OBJECT

private slots:
    void killedWriterLosesNothingAcknowledged_data()
    {
        QTest::addColumn<int>("acksBeforeKill");
        QTest::addRow("early") << 50;
        QTest::addRow("under load") << 1500;
    }

    void killedWriterLosesNothingAcknowledged()
    {
        QFETCH(int, acksBeforeKill);
        QTemporaryDir dir;
        const QString dbPath = dir.filePath(QStringLiteral("mandate.db"));
        QProcess child;
        child.setProgram(QStringLiteral(CRASH_APPENDER));
        child.setArguments({dbPath});
        child.start();
        QVERIFY(child.waitForStarted());
        QByteArray output;
        QDeadlineTimer deadline(30'000);
        while (output.count('\n') < acksBeforeKill && !deadline.hasExpired()) {
            child.waitForReadyRead(100);
            output += child.readAllStandardOutput();
        }
        child.kill(); // SIGKILL: no destructor, no flush, no rollback
        QVERIFY(child.waitForFinished());
        output += child.readAllStandardOutput();
        QVERIFY2(output.count('\n') >= acksBeforeKill, child.readAllStandardError().constData());

        auto db = store::Database::open(dbPath);
        QVERIFY(db.ok());
        auto report = AuditVerifier(*db.value()).verify({});
        QVERIFY(report.ok());
        QVERIFY2(report->intact(), qPrintable(report->reason));

        QSqlQuery q(db.value()->connection());
        q.prepare(QStringLiteral("SELECT json_extract(body, '$.\"mandate.decision.id\"') FROM audit_records WHERE seq = ?"));
        int checked = 0;
        for (const QByteArray &line : output.split('\n')) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() != 2)
                continue; // a line torn by the kill
            q.bindValue(0, parts[0].toLongLong());
            QVERIFY(q.exec());
            QVERIFY2(q.next(), qPrintable(QStringLiteral("acknowledged record %1 is missing").arg(QLatin1String(parts[0]))));
            QCOMPARE(q.value(0).toString(), QString::fromLatin1(parts[1]));
            ++checked;
        }
        QVERIFY(checked >= acksBeforeKill);
        QVERIFY(report->recordsChecked >= checked);
        qInfo("%d acknowledged appends present of %lld committed", checked, report->recordsChecked);
    }
};

QTEST_GUILESS_MAIN(TestAuditCrash)
#include "tst_audit_crash.moc"
