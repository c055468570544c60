// SPDX-License-Identifier: Apache-2.0
// store::readSequentially: a read-only connection that reads its database file ahead in 1 MiB
// pieces must read exactly what any other connection reads, also after other connections have
// rewritten the file's pages between its read transactions; a connection that can write is
// refused it.
#include "NativeExec.h"
#include "store/NativeConnection.h"
#include "store/SequentialReadAhead.h"
#include "store/WalWriteBuffer.h"

#include <QCryptographicHash>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <sqlite3.h>

using namespace mandate::store;
using mandate::store::test::exec;

namespace {


NativeConnection openWriter(const QString &path, const QByteArray &journalMode = "wal")
{
    NativeConnection db = openNativeConnection(path.toUtf8().constData(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (db)
        sqlite3_exec(db.get(), QByteArray("PRAGMA journal_mode=" + journalMode).constData(), nullptr, nullptr, nullptr);
    return db;
}

bool vfsIsOff()
{
    return qEnvironmentVariable("MANDATE_SQLITE_WAL_BUFFER") == QLatin1String("0");
}

NativeConnection openReader(const QString &path)
{
    NativeConnection db = openNativeConnection(path.toUtf8().constData(), SQLITE_OPEN_READONLY);
    if (db)
        setMmapSize(db.get(), 0);  // a mapped file is never read
    return db;
}

/// Table t with `rows` rows of 2,000 random bytes each.
bool fill(sqlite3 *writer, int rows)
{
    const QByteArray sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB); "
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                           + QByteArray::number(rows) + ") INSERT INTO t SELECT i, randomblob(2000) FROM n";
    return exec(writer, sql);
}

/// Every row's id and bytes, hashed in id order, with the row count: what a scan read.
QByteArray scan(sqlite3 *db, int *rows = nullptr)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    sqlite3_stmt *statement = nullptr;
    int count = 0;
    if (sqlite3_prepare_v2(db, "SELECT id, payload FROM t ORDER BY id", -1, &statement, nullptr) != SQLITE_OK)
        return {};
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        const qint64 id = sqlite3_column_int64(statement, 0);
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(&id), sizeof id));
        hash.addData(QByteArrayView(static_cast<const char *>(sqlite3_column_blob(statement, 1)), sqlite3_column_bytes(statement, 1)));
        ++count;
    }
    sqlite3_finalize(statement);
    if (rows)
        *rows = count;
    return rc == SQLITE_DONE ? hash.result() : QByteArray();
}

/// Gives rows new bytes, committed and, in WAL mode, checkpointed into the file itself
/// (TRUNCATE: the WAL is emptied, so readers read the rewritten pages from the file).
bool rewrite(sqlite3 *writer, int round)
{
    const QByteArray sql = "UPDATE t SET payload = randomblob(2000) WHERE id % " + QByteArray::number(round + 1) + " = 0";
    return exec(writer, sql) && exec(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
}

} // namespace

class TestSequentialReadAhead : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { installWalWriteBuffer(); }

    void onlyReadOnlyConnectionsReadAhead()
    {
        if (vfsIsOff())
            QSKIP("Mandate's VFS is turned off (MANDATE_SQLITE_WAL_BUFFER=0): nothing reads ahead");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.db"));
        NativeConnection writer = openWriter(path);
        QVERIFY(writer && exec(writer.get(), "CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)"));
        QVERIFY(!readSequentially(writer.get()));  // its own writes would change what it holds
        NativeConnection reader = openReader(path);
        QVERIFY(reader);
        QVERIFY(readSequentially(reader.get()));
        // Without locks nothing says when a read transaction ends.
        const QByteArray uri = "file:" + QUrl::toPercentEncoding(path, "/") + "?nolock=1";
        NativeConnection unlocked = openNativeConnection(uri.constData(), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
        QVERIFY(unlocked);
        QVERIFY(!readSequentially(unlocked.get()));
    }

    void turnedOffItReadsPageByPage()
    {
        if (vfsIsOff())
            QSKIP("Mandate's VFS is turned off (MANDATE_SQLITE_WAL_BUFFER=0): nothing reads ahead");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("e.db"));
        NativeConnection writer = openWriter(path);
        QVERIFY(writer && fill(writer.get(), 200) && exec(writer.get(), "PRAGMA wal_checkpoint(TRUNCATE)"));
        NativeConnection reader = openReader(path);
        QVERIFY(reader && readSequentially(reader.get()));
        int off = 0;
        QCOMPARE(sqlite3_file_control(reader.get(), "main", SequentialReadAhead::kFileControl, &off), SQLITE_OK);
        const quint64 piecesBefore = SequentialReadAhead::piecesRead();
        int rows = 0;
        QVERIFY(!scan(reader.get(), &rows).isEmpty());
        QCOMPARE(rows, 200);
        QCOMPARE(SequentialReadAhead::piecesRead(), piecesBefore);
    }

    void readsWhatOthersRead_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<QByteArray>("journal");
        // The piece held covers page 1, which a transaction reads first.
        QTest::addRow("WAL, a file in one piece") << 200 << QByteArray("wal");
        QTest::addRow("WAL, a file of several pieces") << 3000 << QByteArray("wal");  // ~6 MB
        // Transactions begin and end with file locks instead of wal-index ones.
        QTest::addRow("rollback journal, a file in one piece") << 200 << QByteArray("delete");
        QTest::addRow("rollback journal, a file of several pieces") << 3000 << QByteArray("delete");
    }

    void readsWhatOthersRead()
    {
        QFETCH(int, rows);
        QFETCH(QByteArray, journal);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("b.db"));
        NativeConnection writer = openWriter(path, journal);
        QVERIFY(writer && fill(writer.get(), rows) && exec(writer.get(), "PRAGMA wal_checkpoint(TRUNCATE)"));

        NativeConnection ahead = openReader(path);
        NativeConnection plain = openReader(path);
        QVERIFY(ahead && plain);
        const bool readsAhead = readSequentially(ahead.get());
        QCOMPARE(readsAhead, !vfsIsOff());
        const quint64 piecesBefore = SequentialReadAhead::piecesRead();
        for (int round = 0; round < 4; ++round) {
            int read = 0;
            const QByteArray expected = scan(plain.get(), &read);
            QCOMPARE(read, rows);
            // Twice: the second scan starts in a new read transaction with pieces held before.
            QCOMPARE(scan(ahead.get()), expected);
            QCOMPARE(scan(ahead.get()), expected);
            // Pages rewritten in the file between the read-ahead connection's transactions.
            QVERIFY(rewrite(writer.get(), round));
        }
        if (readsAhead)  // read through pieces, not a silent fallback
            QVERIFY(SequentialReadAhead::piecesRead() > piecesBefore);
        if (!readsAhead)
            QSKIP("Mandate's VFS is turned off (MANDATE_SQLITE_WAL_BUFFER=0): compared plain reads only");
    }

    void checkpointsDuringATransactionChangeNothingItReads()
    {
        // Both readers begin their scans before the writer commits and checkpoints into the
        // file, many times, while they read: each must read its snapshot, row for row.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d.db"));
        NativeConnection writer = openWriter(path);
        QVERIFY(writer && fill(writer.get(), 3000));
        QVERIFY(exec(writer.get(), "UPDATE t SET payload = randomblob(2000) WHERE id % 2 = 0"));  // readers start past mark 0
        NativeConnection ahead = openReader(path);
        NativeConnection plain = openReader(path);
        QVERIFY(ahead && plain);
        (void)readSequentially(ahead.get());
        sqlite3_stmt *a = nullptr;
        sqlite3_stmt *b = nullptr;
        QCOMPARE(sqlite3_prepare_v2(ahead.get(), "SELECT id, payload FROM t ORDER BY id", -1, &a, nullptr), SQLITE_OK);
        QCOMPARE(sqlite3_prepare_v2(plain.get(), "SELECT id, payload FROM t ORDER BY id", -1, &b, nullptr), SQLITE_OK);
        const auto finalize = qScopeGuard([&] {
            sqlite3_finalize(a);
            sqlite3_finalize(b);
        });
        int rows = 0;
        int stepA = SQLITE_ROW;
        int stepB = SQLITE_ROW;
        while ((stepA = sqlite3_step(a)) == SQLITE_ROW && (stepB = sqlite3_step(b)) == SQLITE_ROW) {
            QCOMPARE(sqlite3_column_int64(a, 0), sqlite3_column_int64(b, 0));
            QCOMPARE(QByteArrayView(static_cast<const char *>(sqlite3_column_blob(a, 1)), sqlite3_column_bytes(a, 1)),
                     QByteArrayView(static_cast<const char *>(sqlite3_column_blob(b, 1)), sqlite3_column_bytes(b, 1)));
            if (++rows % 50 == 0) {
                const QByteArray sql = "UPDATE t SET payload = randomblob(2000) WHERE id % 7 = " + QByteArray::number(rows / 50 % 7);
                QVERIFY(exec(writer.get(), sql) && exec(writer.get(), "PRAGMA wal_checkpoint(PASSIVE)"));
            }
        }
        QCOMPARE(stepA, SQLITE_DONE);
        QCOMPARE(rows, 3000);
    }

    void readsAWalItDoesNotHoldPiecesOf()
    {
        // Rows committed to the WAL (not checkpointed) are read from there, never from pieces.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.db"));
        NativeConnection writer = openWriter(path);
        QVERIFY(writer && exec(writer.get(), "PRAGMA wal_autocheckpoint=0") && fill(writer.get(), 1500));
        QVERIFY(exec(writer.get(), "PRAGMA wal_checkpoint(TRUNCATE)"));
        NativeConnection ahead = openReader(path);
        NativeConnection plain = openReader(path);
        QVERIFY(ahead && plain);
        (void)readSequentially(ahead.get());
        QCOMPARE(scan(ahead.get()), scan(plain.get()));
        QVERIFY(exec(writer.get(), "UPDATE t SET payload = zeroblob(2000) WHERE id % 3 = 0"));  // in the WAL only
        const QByteArray expected = scan(plain.get());
        QCOMPARE(scan(ahead.get()), expected);
    }
};

QTEST_GUILESS_MAIN(TestSequentialReadAhead)
#include "tst_sequential_read_ahead.moc"
