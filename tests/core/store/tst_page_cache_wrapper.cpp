// SPDX-License-Identifier: Apache-2.0
// The page cache wrapper: a truncation no cached page reaches is answered without pcache1, and
// every other one still drops what lies past the limit (store::installPageCacheWrapper).
#include "NativeExec.h"
#include "store/NativeConnection.h"
#include "store/PageCacheWrapper.h"
#include "store/SqliteSetup.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <random>

using namespace mandate::store;
using mandate::store::test::exec;

namespace {

qint64 integer(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *statement = nullptr;
    qint64 value = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

QByteArray text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *statement = nullptr;
    QByteArray value;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        value = reinterpret_cast<const char *>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    return value;
}

} // namespace

class tst_PageCacheWrapper final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void truncationDropsExactlyThePagesPastTheLimit();
    void pagesSwappedThroughTheLockPageAreKept();
    void indexSplitsCommitWithoutScanningTheCache();
    void rollbackStillDropsTheTransactionsPages();

private:
    QTemporaryDir m_dir;
};

void tst_PageCacheWrapper::initTestCase()
{
    setUpSqlite();
    QVERIFY(pageCacheCounts().installed);
}

void tst_PageCacheWrapper::truncationDropsExactlyThePagesPastTheLimit()
{
    const sqlite3_pcache_methods2 &m = pageCacheWrapperMethods();  // the methods SQLite calls
    sqlite3_pcache *cache = m.xCreate(4096, 64, 1);
    QVERIFY(cache);
    m.xCachesize(cache, 1000);
    for (unsigned key = 1; key <= 100; ++key) {
        sqlite3_pcache_page *page = m.xFetch(cache, key, 2);
        QVERIFY(page);
        m.xUnpin(cache, page, 0);
    }
    const PageCacheCounts before = pageCacheCounts();
    m.xTruncate(cache, 101);  // past every page: nothing to do
    QCOMPARE(pageCacheCounts().truncationsSkipped, before.truncationsSkipped + 1);
    QCOMPARE(m.xPagecount(cache), 100);

    m.xTruncate(cache, 50);  // pages 50..100 go
    QCOMPARE(pageCacheCounts().truncationsPassed, before.truncationsPassed + 1);
    QCOMPARE(m.xPagecount(cache), 49);
    QVERIFY(!m.xFetch(cache, 50, 0));
    QVERIFY(!m.xFetch(cache, 100, 0));
    sqlite3_pcache_page *kept = m.xFetch(cache, 49, 0);
    QVERIFY(kept);
    m.xUnpin(cache, kept, 0);

    // A page created past the limit again is dropped again: the bound grew with it.
    sqlite3_pcache_page *far = m.xFetch(cache, 5000, 2);
    QVERIFY(far);
    m.xUnpin(cache, far, 0);
    m.xTruncate(cache, 60);
    QVERIFY(!m.xFetch(cache, 5000, 0));
    m.xDestroy(cache);
}

void tst_PageCacheWrapper::pagesSwappedThroughTheLockPageAreKept()
{
    const sqlite3_pcache_methods2 &m = pageCacheWrapperMethods();  // the methods SQLite calls
    sqlite3_pcache *cache = m.xCreate(4096, 64, 1);
    QVERIFY(cache);
    m.xCachesize(cache, 1000);
    const unsigned lockPage = 0x40000000 / 4096 + 1;
    sqlite3_pcache_page *a = m.xFetch(cache, 10, 2);
    sqlite3_pcache_page *b = m.xFetch(cache, 20, 2);
    QVERIFY(a && b);
    // balance_nonroot's swap of pages 10 and 20.
    const PageCacheCounts before = pageCacheCounts();
    m.xRekey(cache, a, 10, lockPage);
    m.xRekey(cache, b, 20, 10);
    m.xRekey(cache, a, lockPage, 20);
    QCOMPARE(pageCacheCounts().movesThroughLockPage, before.movesThroughLockPage + 1);
    m.xUnpin(cache, a, 0);
    m.xUnpin(cache, b, 0);
    m.xTruncate(cache, 21);
    QCOMPARE(pageCacheCounts().truncationsSkipped, before.truncationsSkipped + 1);
    QCOMPARE(m.xPagecount(cache), 2);

    // A page left at the lock page's number is past any limit below it: that truncation drops it.
    sqlite3_pcache_page *c = m.xFetch(cache, 30, 2);
    QVERIFY(c);
    m.xRekey(cache, c, 30, lockPage);
    m.xUnpin(cache, c, 0);
    m.xTruncate(cache, 31);
    QCOMPARE(pageCacheCounts().truncationsPassed, before.truncationsPassed + 1);
    QVERIFY(!m.xFetch(cache, lockPage, 0));
    QCOMPARE(m.xPagecount(cache), 2);
    m.xDestroy(cache);
}

void tst_PageCacheWrapper::indexSplitsCommitWithoutScanningTheCache()
{
    NativeConnection db = openNativeConnection(m_dir.filePath(QStringLiteral("splits.db")).toUtf8().constData(),
                                               SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    QVERIFY(db);
    QVERIFY(exec(db.get(), "PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536; "
                           "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT); CREATE INDEX t_k ON t(k)"));
    const PageCacheCounts before = pageCacheCounts();
    std::mt19937_64 random(7);
    for (int batch = 0; batch < 200; ++batch) {
        QVERIFY(exec(db.get(), "BEGIN"));
        for (int i = 0; i < 50; ++i) {
            const QByteArray insert = "INSERT INTO t (k) VALUES ('" + QByteArray::number(quint64(random()), 16) + "')";
            QVERIFY(exec(db.get(), insert.constData()));
        }
        QVERIFY(exec(db.get(), "COMMIT"));
    }
    const PageCacheCounts after = pageCacheCounts();
    // Random keys split index pages out of order, which SQLite swaps through the lock page...
    QVERIFY2(after.movesThroughLockPage > before.movesThroughLockPage, "no split went through the lock page");
    // ... and yet the commits' truncations did not reach pcache1.
    QVERIFY(after.truncationsSkipped - before.truncationsSkipped >= 200);
    QCOMPARE(after.truncationsPassed, before.truncationsPassed);
    QCOMPARE(integer(db.get(), "SELECT count(*) FROM t"), qint64(200 * 50));
    QCOMPARE(text(db.get(), "PRAGMA integrity_check"), QByteArray("ok"));
}

void tst_PageCacheWrapper::rollbackStillDropsTheTransactionsPages()
{
    NativeConnection db = openNativeConnection(m_dir.filePath(QStringLiteral("rollback.db")).toUtf8().constData(),
                                               SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    QVERIFY(db);
    QVERIFY(exec(db.get(), "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB); "
                           "INSERT INTO t (v) VALUES (zeroblob(100))"));
    for (int round = 0; round < 3; ++round) {
        const qint64 pages = integer(db.get(), "PRAGMA page_count");
        const PageCacheCounts before = pageCacheCounts();
        QVERIFY(exec(db.get(), "BEGIN; INSERT INTO t (v) SELECT randomblob(3000) FROM (SELECT 1 UNION ALL SELECT 2) , "
                               "(SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5)"));
        QVERIFY(integer(db.get(), "PRAGMA page_count") > pages);
        QVERIFY(exec(db.get(), "ROLLBACK"));
        QVERIFY(pageCacheCounts().truncationsPassed > before.truncationsPassed);
        QCOMPARE(integer(db.get(), "PRAGMA page_count"), pages);
        // The page numbers come back with other content: what the cache returns is that content.
        QVERIFY(exec(db.get(), "BEGIN; INSERT INTO t (v) SELECT zeroblob(3000) FROM (SELECT 1 UNION ALL SELECT 2); COMMIT"));
        QCOMPARE(integer(db.get(), "SELECT count(*) FROM t WHERE v = zeroblob(3000)"), qint64(2 * (round + 1)));
        QCOMPARE(text(db.get(), "PRAGMA integrity_check"), QByteArray("ok"));
    }
}

QTEST_GUILESS_MAIN(tst_PageCacheWrapper)
#include "tst_page_cache_wrapper.moc"
