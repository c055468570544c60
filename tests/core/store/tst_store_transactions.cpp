// SPDX-License-Identifier: Apache-2.0
// store::Database transactions: nesting (a write riding on another's transaction, as an admin
// change rides on its audit record's) and effects that wait for the outermost commit.
#include "NamesTable.h"
#include "store/Database.h"

#include <QTemporaryDir>
#include <QTest>

#include <new>
#include <stdexcept>
#include <thread>

using namespace mandate;
using namespace mandate::store;
using namespace mandate::store::test;

namespace {

const Error kRefused{QStringLiteral("refused"), QStringLiteral("refused by the test")};

} // namespace

class TestStoreTransactions : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    QStringList m_effects;

private Q_SLOTS:
    void init()
    {
        static int n = 0;
        auto db = Database::open(m_dir.filePath(QStringLiteral("tx-%1.db").arg(++n)), {namesTable()});
        QVERIFY2(db.ok(), db ? "" : qPrintable(db.error().message));
        m_db = std::move(db).value();
        m_effects.clear();
    }

    void aDatabaseMayOutliveTheThreadsLocals()
    {
        // A static Database (a benchmark's fixture, a process-wide store) is destroyed after
        // main() returns, when this thread's locals, its cached statements among them, are gone.
        static QTemporaryDir dir;  // constructed first, so destroyed after the database
        static std::unique_ptr<Database> atExit = [] {
            auto db = Database::open(dir.filePath(QStringLiteral("at-exit.db")), {namesTable()});
            return db ? std::move(db).value() : nullptr;
        }();
        QVERIFY(atExit);
        QVERIFY(atExit->transaction([] { return insertName(*atExit, QStringLiteral("kept")); }).ok());
        QCOMPARE(names(*atExit), QStringList{QStringLiteral("kept")});
    }

    void aReopenedConnectionStillRunsTransactions()
    {
        // The transaction statements are prepared once per connection and cached; closing the
        // connection finalizes them, and the reopened one (perhaps at the same address) must
        // prepare its own.
        QVERIFY(m_db->transaction([&] { return insertName(*m_db, QStringLiteral("before")); }).ok());
        m_db->connection().close();
        QVERIFY(m_db->transaction([&] { return insertName(*m_db, QStringLiteral("after")); }).ok());
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("after"), QStringLiteral("before")}));
    }

    void aNestedWriteReportsAWholeTransactionAbort()
    {
        // SQLite rolls the whole transaction back on some failures (a full disk, an I/O error);
        // a plain ROLLBACK inside the nested work has the same effect on the connection.
        Status inner = Status::success();
        const Status outer = m_db->transaction([&]() -> Status {
            if (Status s = insertName(*m_db, QStringLiteral("outer")); !s)
                return s;
            inner = m_db->transaction([&]() -> Status {
                m_db->afterCommit([this] { m_effects << QStringLiteral("inner"); });
                QSqlQuery rollback(m_db->connection());
                return rollback.exec(QStringLiteral("ROLLBACK")) ? Status::success() : Status(kRefused);
            });
            return inner;
        });
        QVERIFY(!inner.ok());
        QCOMPARE(inner.error().code, QStringLiteral("store_error"));
        QVERIFY2(inner.error().message.contains(QLatin1String("aborted")), qPrintable(inner.error().message));
        QVERIFY(!outer.ok());
        QVERIFY(!m_db->inTransaction());
        QVERIFY(names(*m_db).isEmpty());
        QVERIFY(m_effects.isEmpty());
    }

    void aThrowingWriteIsRolledBackAndReported()
    {
        // An exception must not leave the transaction open: the connection would keep the write
        // lock, and every later transaction of this thread would nest in the dead one.
        const Status failed = m_db->transaction([&]() -> Status {
            if (Status s = insertName(*m_db, QStringLiteral("half")); !s)
                return s;
            m_db->afterCommit([&] { m_effects << QStringLiteral("half"); });
            throw std::bad_alloc();
        });
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, QStringLiteral("internal"));
        QVERIFY(!m_db->inTransaction());
        QVERIFY(names(*m_db).isEmpty());
        QVERIFY(m_effects.isEmpty());
        QVERIFY(m_db->transaction([&] { return insertName(*m_db, QStringLiteral("after")); }).ok());
        // Committed for other connections too: nothing of the failed transaction holds the lock.
        Status fromAnotherThread;
        std::thread([&] { fromAnotherThread = m_db->transaction([&] { return insertName(*m_db, QStringLiteral("other")); }); }).join();
        QVERIFY2(fromAnotherThread.ok(), fromAnotherThread ? "" : qPrintable(fromAnotherThread.error().message));
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("after"), QStringLiteral("other")}));
    }

    void aThrowingEffectLeavesTheCommitAndTheOtherEffects()
    {
        const Status committed = m_db->transaction([&]() -> Status {
            m_db->afterCommit([] { throw std::runtime_error("effect gave up"); });
            m_db->afterCommit([&] { m_effects << QStringLiteral("second"); });
            return insertName(*m_db, QStringLiteral("kept"));
        });
        QVERIFY(committed.ok());
        QCOMPARE(m_effects, QStringList{QStringLiteral("second")});
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("kept")});
    }

    void aThrowingNestedWriteLeavesTheOuterOne()
    {
        const Status outer = m_db->transaction([&]() -> Status {
            if (Status s = insertName(*m_db, QStringLiteral("outer")); !s)
                return s;
            const Status nested = m_db->transaction([&]() -> Status {
                if (Status s = insertName(*m_db, QStringLiteral("nested")); !s)
                    return s;
                throw std::runtime_error("nested write gave up");
            });
            // Reported as an internal failure; its text goes to the log only.
            if (nested.ok() || nested.error().code != QLatin1String("internal")
                || nested.error().message.contains(QLatin1String("nested write gave up")))
                return Error{QStringLiteral("test"), QStringLiteral("the nested exception was not reported as internal")};
            return insertName(*m_db, QStringLiteral("still outer"));
        });
        QVERIFY2(outer.ok(), outer ? "" : qPrintable(outer.error().message));
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("outer"), QStringLiteral("still outer")}));
    }

    void effectOutsideATransactionRunsAtOnce()
    {
        m_db->afterCommit([this] { m_effects << QStringLiteral("now"); });
        QCOMPARE(m_effects, QStringList{QStringLiteral("now")});
    }

    void nestedWritesCommitWithTheOuterOne()
    {
        const Status outer = m_db->transaction([&]() -> Status {
            if (Status s = insertName(*m_db, QStringLiteral("outer")); !s)
                return s;
            const Status inner = m_db->transaction([&]() -> Status {
                m_db->afterCommit([this] { m_effects << QStringLiteral("inner"); });
                return insertName(*m_db, QStringLiteral("inner"));
            });
            // Nothing is announced before the outermost commit.
            return inner ? (m_effects.isEmpty() ? Status::success() : Status(kRefused)) : inner;
        });
        QVERIFY(outer.ok());
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("inner"), QStringLiteral("outer")}));
        QCOMPARE(m_effects, QStringList{QStringLiteral("inner")});
    }

    void refusedNestedWriteLeavesTheOuterOne()
    {
        const Status outer = m_db->transaction([&]() -> Status {
            if (Status s = insertName(*m_db, QStringLiteral("outer")); !s)
                return s;
            const Status inner = m_db->transaction([&]() -> Status {
                m_db->afterCommit([this] { m_effects << QStringLiteral("inner"); });
                if (Status s = insertName(*m_db, QStringLiteral("inner")); !s)
                    return s;
                return kRefused;
            });
            return inner ? Status(Error{QStringLiteral("unexpected"), QStringLiteral("the inner write was not refused")})
                         : Status::success();
        });
        QVERIFY(outer.ok());
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("outer")});
        QVERIFY(m_effects.isEmpty());  // its effect went with it
    }

    void effectsSeeTheCommittedData()
    {
        // Another connection (another thread's) sees the row when the effect runs.
        QStringList seenByOthers;
        QVERIFY(m_db->transaction([&]() -> Status {
            m_db->afterCommit([&] {
                std::thread reader([&] { seenByOthers = names(*m_db); });
                reader.join();
            });
            return insertName(*m_db, QStringLiteral("committed"));
        }).ok());
        QCOMPARE(seenByOthers, QStringList{QStringLiteral("committed")});
    }

    void deepAndSiblingNesting()
    {
        // Three levels, and a savepoint after a refused sibling: each keeps only its own work.
        const Status outer = m_db->transaction([&]() -> Status {
            const Status refused = m_db->transaction([&]() -> Status {
                if (Status s = insertName(*m_db, QStringLiteral("refused")); !s)
                    return s;
                return kRefused;
            });
            if (refused)
                return Error{QStringLiteral("unexpected"), QStringLiteral("the sibling was not refused")};
            return m_db->transaction([&]() -> Status {
                if (Status s = insertName(*m_db, QStringLiteral("level2")); !s)
                    return s;
                return m_db->transaction([&]() -> Status {
                    m_db->afterCommit([this] { m_effects << QStringLiteral("level3"); });
                    return insertName(*m_db, QStringLiteral("level3"));
                });
            });
        });
        QVERIFY(outer.ok());
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("level2"), QStringLiteral("level3")}));
        QCOMPARE(m_effects, QStringList{QStringLiteral("level3")});
        QVERIFY(!m_db->inTransaction());
    }

    void outerRollbackTakesNestedWritesAndEffects()
    {
        const Status outer = m_db->transaction([&]() -> Status {
            const Status inner = m_db->transaction([&]() -> Status {
                m_db->afterCommit([this] { m_effects << QStringLiteral("inner"); });
                return insertName(*m_db, QStringLiteral("inner"));
            });
            if (!inner)
                return inner;
            return kRefused;
        });
        QCOMPARE(outer.error().code, kRefused.code);
        QVERIFY(names(*m_db).isEmpty());
        QVERIFY(m_effects.isEmpty());
        // The next transaction starts clean: no effect left over from the rolled-back one.
        QVERIFY(m_db->transaction([&] { return insertName(*m_db, QStringLiteral("later")); }).ok());
        QVERIFY(m_effects.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStoreTransactions)
#include "tst_store_transactions.moc"
