// SPDX-License-Identifier: Apache-2.0
// store::Checkpointer: the WAL is copied back into the database on the database's own thread,
// never inside a commit, and nothing is lost on the way.
#include "NamesTable.h"
#include "store/Checkpointer.h"
#include "store/Database.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace mandate;
using namespace mandate::store;
using namespace mandate::store::test;

class TestCheckpointer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    /// Commits rows `from` to `from + count - 1`, one per transaction: two WAL frames each
    /// (the table's page and its key index's).
    static void writeRows(const Database &db, int from, int count)
    {
        for (int i = from; i < from + count; ++i) {
            const QString name = QStringLiteral("%1-").arg(i, 6, 10, QLatin1Char('0')) + QString(100, QLatin1Char('x'));
            const Status written = db.transaction([&] { return insertName(db, name); });
            QVERIFY2(written.ok(), written ? "" : qPrintable(written.error().message));
        }
    }

    /// Frames in the WAL file, while it has not been started over.
    static qint64 walFrames(const QString &path)
    {
        constexpr qint64 kHeader = 32;
        constexpr qint64 kFrame = 24 + Database::kNewFilePageBytes;  // every file here is new
        const qint64 size = QFileInfo(path + QStringLiteral("-wal")).size();
        return size > kHeader ? (size - kHeader) / kFrame : 0;
    }

    static int walAutocheckpoint(const Database &db)
    {
        QSqlQuery query(db.connection());
        return query.exec(QStringLiteral("PRAGMA wal_autocheckpoint")) && query.next() ? query.value(0).toInt() : -1;
    }

private Q_SLOTS:
    void commitsNeverCheckpointThemselves()
    {
        auto db = Database::open(m_dir.filePath(QStringLiteral("own.db")), {namesTable()});
        QVERIFY(db.ok());
        // SQLite reports 0 when its automatic checkpoint is replaced by another WAL hook.
        QCOMPARE(walAutocheckpoint(*db.value()), 0);
    }

    void aGrowingWalIsCheckpointedInTheBackground()
    {
        const QString path = m_dir.filePath(QStringLiteral("grow.db"));
        auto opened = Database::open(path, {namesTable()});
        QVERIFY(opened.ok());
        const Database &db = *opened.value();
        int rows = 0;
        while (walFrames(path) < Checkpointer::kWalPages - 50)
            writeRows(db, rows++, 1);
        QCOMPARE(db.walCheckpoints(), quint64(0));  // not yet: the WAL is under the threshold
        const qint64 before = QFileInfo(path).size();
        writeRows(db, rows, 100);
        rows += 100;
        QTRY_VERIFY_WITH_TIMEOUT(db.walCheckpoints() > 0, 10000);
        // The rows reached the database file itself, not only the WAL.
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(path).size() > before, 10000);
        QCOMPARE(names(db).size(), rows);
    }

    void checkpointsComeOncePerThresholdNotPerCommit()
    {
        auto opened = Database::open(m_dir.filePath(QStringLiteral("many.db")), {namesTable()});
        QVERIFY(opened.ok());
        const Database &db = *opened.value();
        writeRows(db, 0, 5000);  // about 10,000 frames
        QTRY_VERIFY_WITH_TIMEOUT(db.walCheckpoints() > 0, 10000);
        QVERIFY2(db.walCheckpoints() <= 20, qPrintable(QString::number(db.walCheckpoints())));
    }

    void theWalStaysBoundedUnderSteadyWrites()
    {
        // SQLite starts the WAL over only when a writer begins with every frame copied; a
        // checkpoint beside busy writers alone never gets there, and the file would grow.
        const QString path = m_dir.filePath(QStringLiteral("bounded.db"));
        auto opened = Database::open(path, {namesTable()});
        QVERIFY(opened.ok());
        const int rows = Checkpointer::kWalLimit;  // about two frames a row: twice the limit
        writeRows(*opened.value(), 0, rows);
        QVERIFY2(walFrames(path) <= Checkpointer::kWalLimit + Checkpointer::kWalPages, qPrintable(QString::number(walFrames(path))));
        QCOMPARE(names(*opened.value()).size(), rows);
    }

    void anotherThreadsCommitsAreReportedToo()
    {
        const QString path = m_dir.filePath(QStringLiteral("threads.db"));
        auto opened = Database::open(path, {namesTable()});
        QVERIFY(opened.ok());
        const Database &db = *opened.value();
        std::thread writer([&] {
            writeRows(db, 0, 1500);
            const QString name = db.connection().connectionName();
            QSqlDatabase::removeDatabase(name);  // as the audit writer's thread does when it ends
        });
        writer.join();
        QTRY_VERIFY_WITH_TIMEOUT(db.walCheckpoints() > 0, 10000);
        QCOMPARE(names(db).size(), 1500);
    }

    void everyRowSurvivesAReopen()
    {
        const QString path = m_dir.filePath(QStringLiteral("reopen.db"));
        {
            auto opened = Database::open(path, {namesTable()});
            QVERIFY(opened.ok());
            writeRows(*opened.value(), 0, 1500);
            QTRY_VERIFY_WITH_TIMEOUT(opened.value()->walCheckpoints() > 0, 10000);
            writeRows(*opened.value(), 1500, 10);  // some left in the WAL only
        }
        auto reopened = Database::open(path, {namesTable()});
        QVERIFY(reopened.ok());
        QCOMPARE(names(*reopened.value()).size(), 1510);
    }
};

QTEST_GUILESS_MAIN(TestCheckpointer)
#include "tst_checkpointer.moc"
