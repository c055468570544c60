// SPDX-License-Identifier: Apache-2.0
// store::installWalWriteBuffer: WAL frames gathered into large writes must never change what
// any connection reads. Writers take turns on one file while a third connection checks every
// committed row after each commit; a transaction rolled back after spilling pages leaves no
// trace, and frames held when another connection has taken the WAL since are never written.
#include "NativeExec.h"
#include "store/NativeConnection.h"
#include "store/WalWriteBuffer.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <string_view>

#include <unistd.h>

using namespace mandate::store;
using mandate::store::test::exec;

namespace {

constexpr int kRowBytes = 2000;

NativeConnection open(const QString &path)
{
    NativeConnection db = openNativeConnection(path.toUtf8().constData(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (db)
        sqlite3_exec(db.get(), "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
    return db;
}

qint64 scalar(sqlite3 *db, const QByteArray &sql)
{
    sqlite3_stmt *statement = nullptr;
    qint64 value = -1;
    if (sqlite3_prepare_v2(db, sql.constData(), -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

QString text(sqlite3 *db, const QByteArray &sql)
{
    sqlite3_stmt *statement = nullptr;
    QString value;
    if (sqlite3_prepare_v2(db, sql.constData(), -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        value = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    return value;
}

/// `count` rows of transaction `batch`: each row is kRowBytes of one letter that the batch picks.
QByteArray insertRows(int batch, int count)
{
    return QByteArray("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ") + QByteArray::number(count)
        + ") INSERT INTO t (batch, v) SELECT " + QByteArray::number(batch) + ", replace(hex(zeroblob("
        + QByteArray::number(kRowBytes / 2) + ")), '0', char(97 + " + QByteArray::number(batch) + " % 26)) FROM n";
}

constexpr char kCreateTable[] = "CREATE TABLE t (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, v TEXT NOT NULL)";

/// Rows whose content is not what their batch wrote.
constexpr char kWrongRows[] = "SELECT count(*) FROM t WHERE length(v) != 2000 OR v != replace(hex(zeroblob(1000)), '0', char(97 + batch % 26))";

/// The WAL files' disk, through the default VFS's write system calls: counts the writes to
/// WAL files and, when full, fails them with ENOSPC.
class FullWalDisk
{
public:
    FullWalDisk()
    {
        sqlite3_vfs *posixVfs = sqlite3_vfs_find("unix");
        s_pwrite = posixVfs->xGetSystemCall(posixVfs, "pwrite");
        s_pwrite64 = posixVfs->xGetSystemCall(posixVfs, "pwrite64");
        s_write = posixVfs->xGetSystemCall(posixVfs, "write");
        posixVfs->xSetSystemCall(posixVfs, "pwrite", reinterpret_cast<sqlite3_syscall_ptr>(&FullWalDisk::pwrite));
        posixVfs->xSetSystemCall(posixVfs, "pwrite64", reinterpret_cast<sqlite3_syscall_ptr>(&FullWalDisk::pwrite64));
        posixVfs->xSetSystemCall(posixVfs, "write", reinterpret_cast<sqlite3_syscall_ptr>(&FullWalDisk::write));
    }
    ~FullWalDisk()
    {
        sqlite3_vfs *posixVfs = sqlite3_vfs_find("unix");
        posixVfs->xSetSystemCall(posixVfs, nullptr, nullptr);  // every system call back to its default
    }
    void setFull(bool full) { s_full = full; }
    static quint64 walWrites() { return s_walWrites.load(); }

private:
    static bool isWal(int fd)
    {
        char target[4096];
        const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof target);
        return n > 4 && std::string_view(target, size_t(n)).substr(size_t(n) - 4) == "-wal";
    }
    /// Counts a write to a WAL file; true when it must fail.
    static bool refuse(int fd)
    {
        if (!isWal(fd))
            return false;
        s_walWrites.fetch_add(1);
        return s_full;
    }
    static ssize_t pwrite(int fd, const void *data, size_t size, off_t offset)
    {
        if (refuse(fd))
            return errno = ENOSPC, -1;
        return reinterpret_cast<ssize_t (*)(int, const void *, size_t, off_t)>(s_pwrite)(fd, data, size, offset);
    }
    static ssize_t pwrite64(int fd, const void *data, size_t size, off64_t offset)
    {
        if (refuse(fd))
            return errno = ENOSPC, -1;
        return reinterpret_cast<ssize_t (*)(int, const void *, size_t, off64_t)>(s_pwrite64)(fd, data, size, offset);
    }
    static ssize_t write(int fd, const void *data, size_t size)
    {
        if (refuse(fd))
            return errno = ENOSPC, -1;
        return reinterpret_cast<ssize_t (*)(int, const void *, size_t)>(s_write)(fd, data, size);
    }

    static inline std::atomic<bool> s_full{false};
    static inline std::atomic<quint64> s_walWrites{0};
    static inline sqlite3_syscall_ptr s_pwrite = nullptr;
    static inline sqlite3_syscall_ptr s_pwrite64 = nullptr;
    static inline sqlite3_syscall_ptr s_write = nullptr;
};

} // namespace

class TestWalWriteBuffer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void everyCommitIsReadWhole();
    void rolledBackFramesAreNeverWritten();
    void framesHeldAcrossAChangeOfWriterAreDropped();
    void heldFramesThatCannotBeWrittenFailTheWholeTransaction();
    void aSmallCommitIsOneWrite();
    void aCommitThatCannotBeWrittenIsRolledBack();
    void aSpilledTransactionSurvivesACrash();
    void exclusiveLockingWritesAgainAfterAFailure();
    void leavingExclusiveLockingDropsHeldFrames();

private:
    QTemporaryDir m_dir;
};

void TestWalWriteBuffer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    installWalWriteBuffer();
}

void TestWalWriteBuffer::everyCommitIsReadWhole()
{
    const QString path = m_dir.filePath(QStringLiteral("turns.db"));
    NativeConnection writers[2] = {open(path), open(path)};
    NativeConnection reader = open(path);
    QVERIFY(writers[0] && writers[1] && reader);
    QVERIFY(exec(writers[0].get(), kCreateTable));
    const WalWriteCounts before = walWriteCounts();

    constexpr int kBatches = 24;
    constexpr int kRowsPerBatch = 150;  // ~300 KB: more than one write's worth of frames
    for (int batch = 0; batch < kBatches; ++batch) {
        sqlite3 *writer = writers[batch % 2].get();  // each writer appends to frames the other wrote
        QVERIFY(exec(writer, "BEGIN"));
        QVERIFY(exec(writer, insertRows(batch, kRowsPerBatch)));
        QVERIFY(exec(writer, "COMMIT"));
        QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t"), qint64(batch + 1) * kRowsPerBatch);
        QCOMPARE(scalar(reader.get(), kWrongRows), 0);
    }
    QCOMPARE(text(reader.get(), "PRAGMA integrity_check"), QStringLiteral("ok"));

    // As after a crash: the files copied while open, and SQLite's recovery reading the WAL
    // frame by frame (checksums, commit frames) without the wal-index.
    const QString crashed = m_dir.filePath(QStringLiteral("crashed.db"));
    QVERIFY(QFile::copy(path, crashed));
    QVERIFY(QFile::copy(path + QStringLiteral("-wal"), crashed + QStringLiteral("-wal")));
    QVERIFY(QFileInfo(crashed + QStringLiteral("-wal")).size() > 0);
    {
        sqlite3 *recovered = nullptr;
        QCOMPARE(sqlite3_open_v2(crashed.toUtf8().constData(), &recovered, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
        NativeConnection copy(recovered, sqlite3_close);
        QCOMPARE(scalar(recovered, "SELECT count(*) FROM t"), qint64(kBatches) * kRowsPerBatch);
        QCOMPARE(scalar(recovered, kWrongRows), 0);
        QCOMPARE(text(recovered, "PRAGMA integrity_check"), QStringLiteral("ok"));
    }

    const WalWriteCounts after = walWriteCounts();
    QVERIFY(after.framesHeld - before.framesHeld > quint64(kBatches) * 100);  // the buffer was at work
    QVERIFY(after.flushes - before.flushes >= quint64(kBatches) * 2);
    QCOMPARE(after.dropped, before.dropped);

    // And the file holds it all: a connection opened afterwards, after the others close, reads the same.
    writers[0].reset();
    writers[1].reset();
    reader.reset();
    NativeConnection again = open(path);
    QCOMPARE(scalar(again.get(), "SELECT count(*) FROM t"), qint64(kBatches) * kRowsPerBatch);
    QCOMPARE(scalar(again.get(), kWrongRows), 0);
}

void TestWalWriteBuffer::rolledBackFramesAreNeverWritten()
{
    const QString path = m_dir.filePath(QStringLiteral("rollback.db"));
    NativeConnection spiller = open(path);
    NativeConnection other = open(path);
    NativeConnection reader = open(path);
    QVERIFY(spiller && other && reader);
    QVERIFY(exec(spiller.get(), kCreateTable));
    // A page cache of ten pages: a large transaction writes frames to the WAL before it ends.
    QVERIFY(exec(spiller.get(), "PRAGMA cache_size=10"));
    const WalWriteCounts before = walWriteCounts();

    QVERIFY(exec(spiller.get(), "BEGIN"));
    QVERIFY(exec(spiller.get(), insertRows(1, 200)));
    QVERIFY(walWriteCounts().framesHeld > before.framesHeld);  // spilled into the buffer
    QVERIFY(exec(spiller.get(), "ROLLBACK"));

    // Another connection writes where the rolled-back frames would have gone...
    QVERIFY(exec(other.get(), "BEGIN"));
    QVERIFY(exec(other.get(), insertRows(2, 20)));
    QVERIFY(exec(other.get(), "COMMIT"));
    // ...then the first writes again, and closes: its old frames must be dropped, not written.
    QVERIFY(exec(spiller.get(), "BEGIN"));
    QVERIFY(exec(spiller.get(), insertRows(3, 5)));
    QVERIFY(exec(spiller.get(), "COMMIT"));
    spiller.reset();

    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t WHERE batch = 1"), 0);
    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t WHERE batch = 2"), 20);
    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t WHERE batch = 3"), 5);
    QCOMPARE(scalar(reader.get(), kWrongRows), 0);
    QCOMPARE(text(reader.get(), "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestWalWriteBuffer::framesHeldAcrossAChangeOfWriterAreDropped()
{
    // SQLite rereads pages while it rolls back, which writes what is held while the connection
    // still has the WAL to itself. Frames still held when another connection has taken the WAL
    // since must be dropped: this puts such frames in the buffer through the WAL file itself.
    const QString path = m_dir.filePath(QStringLiteral("stale.db"));
    NativeConnection stale = open(path);
    NativeConnection other = open(path);
    NativeConnection reader = open(path);
    QVERIFY(stale && other && reader);
    QVERIFY(exec(stale.get(), kCreateTable));
    QVERIFY(exec(stale.get(), insertRows(1, 3)));

    sqlite3_file *walFile = nullptr;
    QCOMPARE(sqlite3_file_control(stale.get(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &walFile), SQLITE_OK);
    QVERIFY(walFile && walFile->pMethods);
    sqlite3_int64 walEnd = 0;
    QCOMPARE(walFile->pMethods->xFileSize(walFile, &walEnd), SQLITE_OK);
    const int pageSize = int(scalar(stale.get(), "PRAGMA page_size"));
    QCOMPARE((walEnd - 32) % (24 + pageSize), 0);  // the end of the last frame
    // A frame of page 2 that is not a commit, full of garbage, where the next frame will go.
    QByteArray header(24, '\0');
    header[3] = 2;
    const QByteArray garbage(pageSize, 'X');
    const WalWriteCounts before = walWriteCounts();
    QCOMPARE(walFile->pMethods->xWrite(walFile, header.constData(), int(header.size()), walEnd), SQLITE_OK);
    QCOMPARE(walFile->pMethods->xWrite(walFile, garbage.constData(), int(garbage.size()), walEnd + 24), SQLITE_OK);
    QCOMPARE(walWriteCounts().framesHeld - before.framesHeld, quint64(2));

    // Another connection commits frames at that very place...
    QVERIFY(exec(other.get(), insertRows(2, 40)));
    // ...and a sync of the first connection's WAL would have written the garbage over them.
    QCOMPARE(walFile->pMethods->xSync(walFile, SQLITE_SYNC_NORMAL), SQLITE_OK);
    QCOMPARE(walWriteCounts().dropped - before.dropped, quint64(1));

    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t"), 43);
    QCOMPARE(scalar(reader.get(), kWrongRows), 0);
    QCOMPARE(text(reader.get(), "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestWalWriteBuffer::heldFramesThatCannotBeWrittenFailTheWholeTransaction()
{
    // A read that has to write the held frames first finds the disk full. Were that reported as
    // SQLITE_FULL, SQLite would undo the statement only, and the transaction could commit
    // without the frames that were lost.
    const QString path = m_dir.filePath(QStringLiteral("full.db"));
    NativeConnection writer = open(path);
    NativeConnection reader = open(path);
    QVERIFY(writer && reader);
    QVERIFY(exec(writer.get(), kCreateTable));
    QVERIFY(exec(writer.get(), insertRows(1, 10)));
    QVERIFY(exec(writer.get(), "PRAGMA cache_size=5"));
    FullWalDisk disk;

    QVERIFY(exec(writer.get(), "BEGIN"));
    QVERIFY(exec(writer.get(), insertRows(2, 30)));  // spills pages into the buffer
    disk.setFull(true);
    QVERIFY(!exec(writer.get(), "INSERT INTO t (batch, v) SELECT 4, v FROM t WHERE batch = 2"));
    disk.setFull(false);
    QCOMPARE(sqlite3_get_autocommit(writer.get()), 1);  // rolled back whole, not just the statement
    QVERIFY(!exec(writer.get(), "COMMIT"));              // nothing left to commit

    QVERIFY(exec(writer.get(), insertRows(3, 5)));  // and the connection writes again
    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t WHERE batch = 1"), 10);
    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t WHERE batch IN (2, 4)"), 0);
    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t WHERE batch = 3"), 5);
    QCOMPARE(scalar(reader.get(), kWrongRows), 0);
    QCOMPARE(text(reader.get(), "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestWalWriteBuffer::aSmallCommitIsOneWrite()
{
    // A one-row transaction: its frames and its commit frame reach the WAL in one system call,
    // and a reader sees the commit as soon as it returns.
    const QString path = m_dir.filePath(QStringLiteral("small.db"));
    NativeConnection writer = open(path);
    NativeConnection reader = open(path);
    QVERIFY(writer && reader);
    QVERIFY(exec(writer.get(), kCreateTable));
    QVERIFY(exec(writer.get(), insertRows(1, 1)));
    FullWalDisk disk;
    for (int row = 2; row <= 6; ++row) {
        const quint64 before = FullWalDisk::walWrites();
        QVERIFY(exec(writer.get(), insertRows(row, 1)));
        QCOMPARE(FullWalDisk::walWrites() - before, quint64(1));
        QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t"), row);
    }
    QCOMPARE(scalar(reader.get(), kWrongRows), 0);
    QCOMPARE(text(reader.get(), "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestWalWriteBuffer::aCommitThatCannotBeWrittenIsRolledBack()
{
    // The disk is full when the commit frame completes: the commit fails whole, no reader sees
    // any of it, and once there is room the connection commits again.
    const QString path = m_dir.filePath(QStringLiteral("fullcommit.db"));
    NativeConnection writer = open(path);
    NativeConnection reader = open(path);
    QVERIFY(writer && reader);
    QVERIFY(exec(writer.get(), kCreateTable));
    QVERIFY(exec(writer.get(), insertRows(1, 3)));
    FullWalDisk disk;
    QVERIFY(exec(writer.get(), "BEGIN"));
    QVERIFY(exec(writer.get(), insertRows(2, 4)));
    disk.setFull(true);
    QVERIFY(!exec(writer.get(), "COMMIT"));
    disk.setFull(false);
    if (sqlite3_get_autocommit(writer.get()) == 0)
        QVERIFY(exec(writer.get(), "ROLLBACK"));
    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t WHERE batch = 2"), 0);
    QCOMPARE(scalar(writer.get(), "SELECT count(*) FROM t WHERE batch = 2"), 0);

    QVERIFY(exec(writer.get(), insertRows(3, 2)));
    QCOMPARE(scalar(reader.get(), "SELECT count(*) FROM t"), 5);
    QCOMPARE(scalar(reader.get(), kWrongRows), 0);
    QCOMPARE(text(reader.get(), "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestWalWriteBuffer::aSpilledTransactionSurvivesACrash()
{
    // A transaction larger than the page cache spills frames, then changes spilled pages again:
    // SQLite rewrites those frames in place and, at the commit, the checksum headers from the
    // first of them to the commit frame. With synchronous=NORMAL nothing syncs after that: the
    // commit frame's new header must be in the file, or recovery after a crash stops at its
    // checksum and loses this commit and every later one.
    const QString path = m_dir.filePath(QStringLiteral("spilled.db"));
    NativeConnection writer = open(path);
    QVERIFY(writer);
    QVERIFY(exec(writer.get(), "PRAGMA synchronous=NORMAL"));
    QVERIFY(exec(writer.get(), kCreateTable));
    QVERIFY(exec(writer.get(), "PRAGMA cache_size=10"));
    QVERIFY(exec(writer.get(), "BEGIN"));
    QVERIFY(exec(writer.get(), insertRows(1, 200)));
    // Changed twice so that the rows end as they were (kWrongRows holds) but their pages change.
    QVERIFY(exec(writer.get(), "UPDATE t SET v = upper(v) WHERE id <= 5"));
    QVERIFY(exec(writer.get(), "UPDATE t SET v = lower(v) WHERE id <= 5"));
    const WalWriteCounts before = walWriteCounts();
    QVERIFY(exec(writer.get(), "COMMIT"));
    QVERIFY(walWriteCounts().writtenOver > before.writtenOver);  // SQLite rewrote frames in place
    QVERIFY(exec(writer.get(), insertRows(2, 3)));  // a later commit in the same WAL

    // As after a crash: the files copied while open, recovered from the WAL alone.
    const QString crashed = m_dir.filePath(QStringLiteral("spilled-crashed.db"));
    QVERIFY(QFile::copy(path, crashed));
    QVERIFY(QFile::copy(path + QStringLiteral("-wal"), crashed + QStringLiteral("-wal")));
    sqlite3 *recovered = nullptr;
    QCOMPARE(sqlite3_open_v2(crashed.toUtf8().constData(), &recovered, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
    NativeConnection copy(recovered, sqlite3_close);
    QCOMPARE(scalar(recovered, "SELECT count(*) FROM t WHERE batch = 1"), 200);
    QCOMPARE(scalar(recovered, "SELECT count(*) FROM t WHERE batch = 2"), 3);
    QCOMPARE(scalar(recovered, kWrongRows), 0);
    QCOMPARE(text(recovered, "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestWalWriteBuffer::exclusiveLockingWritesAgainAfterAFailure()
{
    // In locking_mode=EXCLUSIVE the write lock never changes hands: a failed transaction must
    // not keep every later one from writing.
    const QString path = m_dir.filePath(QStringLiteral("exclusive-failure.db"));
    NativeConnection writer = open(path);
    QVERIFY(writer);
    QVERIFY(exec(writer.get(), kCreateTable));
    QVERIFY(exec(writer.get(), insertRows(1, 2)));
    QVERIFY(exec(writer.get(), "PRAGMA locking_mode=EXCLUSIVE"));
    QVERIFY(exec(writer.get(), "PRAGMA cache_size=5"));
    FullWalDisk disk;
    disk.setFull(true);
    QVERIFY(!exec(writer.get(), insertRows(2, 30)));
    disk.setFull(false);
    if (sqlite3_get_autocommit(writer.get()) == 0)
        QVERIFY(exec(writer.get(), "ROLLBACK"));
    QVERIFY(exec(writer.get(), insertRows(3, 4)));
    QVERIFY(exec(writer.get(), insertRows(4, 1)));
    QCOMPARE(scalar(writer.get(), "SELECT count(*) FROM t WHERE batch = 2"), 0);
    QCOMPARE(scalar(writer.get(), "SELECT count(*) FROM t WHERE batch IN (1, 3, 4)"), 7);
    QCOMPARE(scalar(writer.get(), kWrongRows), 0);
    QCOMPARE(text(writer.get(), "PRAGMA integrity_check"), QStringLiteral("ok"));
}

void TestWalWriteBuffer::leavingExclusiveLockingDropsHeldFrames()
{
    // In locking_mode=EXCLUSIVE SQLite takes no WAL write lock; a rolled-back transaction that did
    // not reread its pages leaves frames held. Once the connection goes back to normal locking,
    // a writer that does not share this buffer (another process; here the plain "unix" VFS)
    // commits where they would go.
    const QString path = m_dir.filePath(QStringLiteral("exclusive.db"));
    NativeConnection mine = open(path);
    QVERIFY(mine);
    QVERIFY(exec(mine.get(), kCreateTable));
    QVERIFY(exec(mine.get(), insertRows(1, 1)));
    QVERIFY(exec(mine.get(), "PRAGMA wal_checkpoint(TRUNCATE)"));
    QVERIFY(exec(mine.get(), "PRAGMA cache_size=5"));
    QVERIFY(exec(mine.get(), "PRAGMA locking_mode=EXCLUSIVE"));
    const WalWriteCounts before = walWriteCounts();
    QVERIFY(exec(mine.get(), "BEGIN"));
    QVERIFY(exec(mine.get(), insertRows(2, 12)));
    QVERIFY(exec(mine.get(), "ROLLBACK"));
    QVERIFY(exec(mine.get(), "PRAGMA locking_mode=NORMAL"));
    QCOMPARE(scalar(mine.get(), "SELECT count(*) FROM t"), 1);  // gives the exclusive lock up

    sqlite3 *other = nullptr;
    QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &other, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
    NativeConnection otherProcess(other, sqlite3_close);
    sqlite3_busy_timeout(other, 5000);
    QVERIFY(exec(other, insertRows(3, 20)));

    QCOMPARE(scalar(mine.get(), "SELECT count(*) FROM t WHERE batch = 3"), 20);
    QCOMPARE(scalar(mine.get(), kWrongRows), 0);
    QCOMPARE(text(other, "PRAGMA integrity_check"), QStringLiteral("ok"));
    QVERIFY(walWriteCounts().dropped > before.dropped);
}

QTEST_GUILESS_MAIN(TestWalWriteBuffer)
#include "tst_wal_write_buffer.moc"
