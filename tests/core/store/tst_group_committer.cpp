// SPDX-License-Identifier: Apache-2.0
// store::GroupCommitter: concurrent writes share transactions, nothing is lost or doubled, and
// one failing write never takes the others of its batch down with it.
#include "NamesTable.h"
#include "store/Database.h"
#include "store/GroupCommitter.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <functional>
#include <mutex>
#include <new>
#include <semaphore>
#include <thread>
#include <vector>

using namespace mandate;
using namespace mandate::store;
using namespace mandate::store::test;

namespace {

template <typename Predicate>
bool eventually(Predicate predicate)
{
    for (int i = 0; i < 500; ++i) {
        if (predicate())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

/// Writes on threads of their own, the first of which holds its batch open, and with it the
/// committer's lead, until release(): the writes started meanwhile queue behind it.
class HeldFirstWrite
{
public:
    HeldFirstWrite(GroupCommitter &committer, std::function<Status()> first) : m_committer(committer)
    {
        m_threads.emplace_back([this, &committer, first = std::move(first)] {
            firstStatus = committer.run([&] {
                m_held = true;
                m_release.acquire();
                return first();
            });
        });
    }
    ~HeldFirstWrite() { release(); }
    HeldFirstWrite(const HeldFirstWrite &) = delete;
    HeldFirstWrite &operator=(const HeldFirstWrite &) = delete;

    /// Whether the first write is running, and held.
    bool held() { return eventually([&] { return m_held.load(); }); }
    std::thread::id firstThread() const { return m_threads.front().get_id(); }
    void start(std::function<void()> write) { m_threads.emplace_back(std::move(write)); }
    /// start(), and whether the write then queues behind those started before it.
    bool queue(std::function<void()> write)
    {
        const size_t before = m_committer.waiting();
        start(std::move(write));
        return eventually([&] { return m_committer.waiting() == before + 1; });
    }
    /// Lets the first write finish, and waits for every write.
    void release()
    {
        if (!m_released) {  // once, whether or not the first write has got to its wait yet
            m_released = true;
            m_release.release();
        }
        for (std::thread &thread : m_threads) {
            if (thread.joinable())
                thread.join();
        }
    }

    Status firstStatus;

private:
    GroupCommitter &m_committer;
    std::binary_semaphore m_release{0};
    std::atomic<bool> m_held{false};
    bool m_released = false;
    std::vector<std::thread> m_threads;
};

} // namespace

class TestGroupCommitter : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        static int n = 0;
        auto db = Database::open(m_dir.filePath(QStringLiteral("group-%1.db").arg(++n)), {namesTable()});
        QVERIFY2(db.ok(), db ? "" : qPrintable(db.error().message));
        m_db = std::move(db).value();
    }

    void loneWriterCommitsAlone()
    {
        GroupCommitter committer(*m_db);
        for (int i = 0; i < 3; ++i) {
            const QString name = QStringLiteral("n%1").arg(i);
            QVERIFY(committer.run([&] { return insertName(*m_db, name); }).ok());
        }
        QCOMPARE(committer.batches(), quint64(3));
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("n0"), QStringLiteral("n1"), QStringLiteral("n2")}));
    }

    void failedWriteRollsBackAlone()
    {
        GroupCommitter committer(*m_db);
        const auto failing = [&] { return Status(Error{QStringLiteral("refused"), QStringLiteral("no")}); };
        const Status refused = committer.run([&]() -> Status {
            if (Status s = insertName(*m_db, QStringLiteral("half")); !s)
                return s;
            return failing();  // after a change of its own: the change must not stay
        });
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("refused"));
        QVERIFY(names(*m_db).isEmpty());
    }

    void loneStatementCommitsAsItsOwnTransaction()
    {
        // A lone one-statement write needs no BEGIN and COMMIT around it: it runs in autocommit,
        // is committed when run() returns, and a failed one leaves nothing behind.
        GroupCommitter committer(*m_db);
        bool inTransaction = true;
        QVERIFY(committer.run([&] {
            inTransaction = m_db->inTransaction();
            return insertName(*m_db, QStringLiteral("alone"));
        }, GroupCommitter::Undo::Statement).ok());
        QVERIFY(!inTransaction);
        QVERIFY(!m_db->inTransaction());
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("alone")});
        const Status duplicate = committer.run([&] { return insertName(*m_db, QStringLiteral("alone")); },
                                               GroupCommitter::Undo::Statement);
        QVERIFY(!duplicate.ok());
        QVERIFY(!m_db->inTransaction());
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("alone")});
        // Any other write still gets its transaction.
        QVERIFY(committer.run([&] {
            inTransaction = m_db->inTransaction();
            return insertName(*m_db, QStringLiteral("in a transaction"));
        }).ok());
        QVERIFY(inTransaction);
        QCOMPARE(committer.batches(), quint64(3));
    }

    void leaderCommitsWhatQueuesBehindIt()
    {
        // The first write holds its batch until two more writes are queued; its leader then
        // commits those as well (a batch of their own), on its own thread, before it returns.
        GroupCommitter committer(*m_db);
        std::mutex committedMutex;
        std::vector<std::thread::id> committedOn;
        const auto write = [&](const QString &name) {
            std::lock_guard lock(committedMutex);
            committedOn.push_back(std::this_thread::get_id());
            return insertName(*m_db, name);
        };
        Status next0, next1;
        HeldFirstWrite writes(committer, [&] { return write(QStringLiteral("first")); });
        QVERIFY(writes.held());
        const std::thread::id leader = writes.firstThread();
        writes.start([&] { next0 = committer.run([&] { return write(QStringLiteral("next0")); }); });
        writes.start([&] { next1 = committer.run([&] { return write(QStringLiteral("next1")); }); });
        QVERIFY(eventually([&] { return committer.waiting() == 2; }));
        writes.release();
        const Status first = writes.firstStatus;

        QVERIFY(first.ok());
        QVERIFY(next0.ok());
        QVERIFY(next1.ok());
        QCOMPARE(committer.batches(), quint64(2));
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("first"), QStringLiteral("next0"), QStringLiteral("next1")}));
        QCOMPARE(committedOn.size(), size_t(3));
        for (const std::thread::id &id : committedOn)
            QCOMPARE(id, leader);
    }

    void writeInsideTheCallersTransactionRidesOnIt()
    {
        GroupCommitter committer(*m_db);
        const Status outer = m_db->transaction([&]() -> Status {
            if (Status s = committer.run([&] { return insertName(*m_db, QStringLiteral("inner")); }); !s)
                return s;
            return Error{QStringLiteral("refused"), QStringLiteral("the caller changes its mind")};
        });
        QVERIFY(!outer.ok());
        QVERIFY(names(*m_db).isEmpty());  // went with the caller's transaction, not committed apart
        QCOMPARE(committer.batches(), quint64(0));
    }

    void concurrentWritesShareCommits()
    {
        GroupCommitter committer(*m_db);
        constexpr int kThreads = 8;
        constexpr int kEach = 150;
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kEach; ++i) {
                    const QString name = QStringLiteral("t%1-%2").arg(t).arg(i, 4, 10, QLatin1Char('0'));
                    if (!committer.run([&] { return insertName(*m_db, name); }))
                        ++failures;
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(names(*m_db).size(), kThreads * kEach);  // every write, once
        qInfo("%d writes in %llu commits", kThreads * kEach, static_cast<unsigned long long>(committer.batches()));
        QVERIFY(committer.batches() < quint64(kThreads * kEach));
    }

    void oneFailureInABatchIsThatWriteAlone_data()
    {
        QTest::addColumn<bool>("oneStatement");
        QTest::addRow("in a savepoint") << false;
        QTest::addRow("one statement, no savepoint") << true;
    }

    void oneFailureInABatchIsThatWriteAlone()
    {
        // The first write holds its batch open until the next three are queued behind it, so
        // that those three commit together: the middle one fails (after inserting its row, or
        // in its one statement), and only its change goes.
        QFETCH(bool, oneStatement);
        GroupCommitter committer(*m_db);
        QVERIFY(committer.run([&] { return insertName(*m_db, QStringLiteral("taken")); }).ok());
        std::atomic<int> runsOfB{0};
        Status b, c, d;
        HeldFirstWrite writes(committer, [&] { return insertName(*m_db, QStringLiteral("a")); });
        QVERIFY(writes.held());
        QVERIFY(writes.queue([&] { b = committer.run([&] { ++runsOfB; return insertName(*m_db, QStringLiteral("b")); }); }));
        QVERIFY(writes.queue([&] {
            if (oneStatement) {  // a duplicate: the statement fails and SQLite undoes it alone
                c = committer.run([&] { return insertName(*m_db, QStringLiteral("taken")); }, GroupCommitter::Undo::Statement);
                return;
            }
            c = committer.run([&]() -> Status {
                if (Status s = insertName(*m_db, QStringLiteral("c")); !s)
                    return s;
                return Error{QStringLiteral("refused"), QStringLiteral("c refuses")};
            });
        }));
        const auto undo = oneStatement ? GroupCommitter::Undo::Statement : GroupCommitter::Undo::Savepoint;
        QVERIFY(writes.queue([&] { d = committer.run([&] { return insertName(*m_db, QStringLiteral("d")); }, undo); }));
        writes.release();

        QVERIFY(writes.firstStatus.ok());
        QVERIFY(b.ok());
        QVERIFY(d.ok());
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, oneStatement ? QStringLiteral("store_error") : QStringLiteral("refused"));
        QCOMPARE(runsOfB.load(), 1);  // c's failure took back c's change alone
        QCOMPARE(committer.batches(), quint64(3));
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("d"), QStringLiteral("taken")}));
    }

    void loneThrowingWriteFails_data()
    {
        QTest::addColumn<bool>("oneStatement");
        QTest::addRow("in a transaction") << false;
        QTest::addRow("one statement, autocommit") << true;
    }

    void loneThrowingWriteFails()
    {
        QFETCH(bool, oneStatement);
        GroupCommitter committer(*m_db);
        const auto undo = oneStatement ? GroupCommitter::Undo::Statement : GroupCommitter::Undo::Savepoint;
        const Status thrown = committer.run([&]() -> Status { throw std::bad_alloc(); }, undo);
        QVERIFY(!thrown.ok());
        QCOMPARE(thrown.error().code, QStringLiteral("internal"));
        // The lead was given up and the connection is not stuck in a transaction.
        QVERIFY(committer.run([&] { return insertName(*m_db, QStringLiteral("after")); }, undo).ok());
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("after")});
    }

    void throwingWriteInABatch_data()
    {
        QTest::addColumn<bool>("oneStatement");
        QTest::addRow("in a savepoint: that write alone") << false;
        QTest::addRow("one statement: the whole batch") << true;
    }

    void throwingWriteInABatch()
    {
        // As oneFailureInABatchIsThatWriteAlone, with the middle write throwing after its insert.
        // In a savepoint it is undone alone; a one-statement write has nothing to undo it, so
        // its whole batch fails. Either way every writer returns and the next write commits.
        QFETCH(bool, oneStatement);
        GroupCommitter committer(*m_db);
        Status b, c, d;
        HeldFirstWrite writes(committer, [&] { return insertName(*m_db, QStringLiteral("a")); });
        QVERIFY(writes.held());
        const auto undo = oneStatement ? GroupCommitter::Undo::Statement : GroupCommitter::Undo::Savepoint;
        QVERIFY(writes.queue([&] { b = committer.run([&] { return insertName(*m_db, QStringLiteral("b")); }); }));
        QVERIFY(writes.queue([&] {
            c = committer.run([&]() -> Status {
                if (Status s = insertName(*m_db, QStringLiteral("c")); !s)
                    return s;
                throw std::bad_alloc();
            }, undo);
        }));
        QVERIFY(writes.queue([&] { d = committer.run([&] { return insertName(*m_db, QStringLiteral("d")); }); }));
        writes.release();

        QVERIFY(writes.firstStatus.ok());
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, QStringLiteral("internal"));
        QCOMPARE(b.ok(), !oneStatement);
        QCOMPARE(d.ok(), !oneStatement);
        const QStringList batch = oneStatement ? QStringList{} : QStringList{QStringLiteral("b"), QStringLiteral("d")};
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("a")} + batch);
        QVERIFY(committer.run([&] { return insertName(*m_db, QStringLiteral("e")); }).ok());
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("a")} + batch + QStringList{QStringLiteral("e")});
    }
};

QTEST_GUILESS_MAIN(TestGroupCommitter)
#include "tst_group_committer.moc"
