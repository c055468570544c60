// SPDX-License-Identifier: Apache-2.0
// store::GroupCommitter: concurrent writes share transactions, nothing is lost or doubled, and
// one failing write never takes the others of its batch down with it.
#include "NamesTable.h"
#include "store/Database.h"
#include "store/GroupCommitter.h"

#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <new>
#include <semaphore>
#include <stdexcept>
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
    /// Lets the first write finish, without waiting for it.
    void letGo()
    {
        if (!m_released) {  // once, whether or not the first write has got to its wait yet
            m_released = true;
            m_release.release();
        }
    }
    /// Lets the first write finish, and waits for every write.
    void release()
    {
        letGo();
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

    // In the tests below, what a completion touches is declared before the committer: should a
    // check fail and return early, the committer goes first, telling what it still holds.

    void submittedWriteIsCommittedByTheCommittersThread()
    {
        // Nobody else leads: the committer's own thread commits the write, then tells its caller.
        std::promise<std::pair<Status, std::thread::id>> told;
        GroupCommitter committer(*m_db);
        committer.submit([&] { return insertName(*m_db, QStringLiteral("submitted")); }, GroupCommitter::Undo::Statement,
                         [&](const Status &status) { told.set_value({status, std::this_thread::get_id()}); });
        auto future = told.get_future();
        QVERIFY(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        const auto [status, thread] = future.get();
        QVERIFY(status.ok());
        QVERIFY(thread != std::this_thread::get_id());
        QCOMPARE(names(*m_db), QStringList{QStringLiteral("submitted")});
        QCOMPARE(committer.batches(), quint64(1));
    }

    void submittedWritesShareTheLeadersBatch()
    {
        // Submitted while a run() writer leads: they queue, and that leader commits them all in
        // one batch of their own and tells each, a failing one (a duplicate) alone refused.
        std::mutex toldMutex;
        std::vector<std::pair<QString, Status>> told;
        std::vector<std::thread::id> toldOn;
        GroupCommitter committer(*m_db);
        QVERIFY(committer.run([&] { return insertName(*m_db, QStringLiteral("taken")); }).ok());
        HeldFirstWrite writes(committer, [&] { return insertName(*m_db, QStringLiteral("first")); });
        QVERIFY(writes.held());
        for (const char *name : {"s0", "taken", "s1", "s2"}) {
            const QString n = QLatin1String(name);
            committer.submit([&, n] { return insertName(*m_db, n); }, GroupCommitter::Undo::Statement, [&, n](const Status &status) {
                std::lock_guard lock(toldMutex);
                told.emplace_back(n, status);
                toldOn.push_back(std::this_thread::get_id());
            });
        }
        QCOMPARE(committer.waiting(), size_t(4));
        const std::thread::id leader = writes.firstThread();
        writes.release();
        QVERIFY(writes.firstStatus.ok());
        QVERIFY(eventually([&] {
            std::lock_guard lock(toldMutex);
            return told.size() == 4;
        }));
        for (const auto &[name, status] : told)
            QCOMPARE(status.ok(), name != QLatin1String("taken"));
        for (const std::thread::id &id : toldOn)
            QCOMPARE(id, leader);
        QCOMPARE(committer.batches(), quint64(3));  // "taken", the held write, the four submitted
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("first"), QStringLiteral("s0"), QStringLiteral("s1"),
                                            QStringLiteral("s2"), QStringLiteral("taken")}));
    }

    void committersThreadTakesOverFromALeaderThatIsDone()
    {
        // A run() writer leads kBatchesPerLeader batches at most; submitted writes still queued
        // then, which nobody waits for, are led on by the committer's own thread. Here each
        // submitted write's completion submits the next, so one queues behind every batch.
        constexpr int kChain = GroupCommitter::kBatchesPerLeader + 4;
        std::mutex toldMutex;
        std::vector<std::thread::id> toldOn;
        std::function<void(int)> submitLink;
        GroupCommitter committer(*m_db);
        submitLink = [&](int link) {
            committer.submit([&, link] { return insertName(*m_db, QStringLiteral("link%1").arg(link)); }, GroupCommitter::Undo::Statement,
                             [&, link](const Status &status) {
                                 QVERIFY(status.ok());
                                 {
                                     std::lock_guard lock(toldMutex);
                                     toldOn.push_back(std::this_thread::get_id());
                                 }
                                 if (link + 1 < kChain)
                                     submitLink(link + 1);
                             });
        };
        HeldFirstWrite writes(committer, [&] { return insertName(*m_db, QStringLiteral("first")); });
        QVERIFY(writes.held());
        submitLink(0);
        const std::thread::id leader = writes.firstThread();
        writes.release();
        QVERIFY(writes.firstStatus.ok());
        QVERIFY(eventually([&] {
            std::lock_guard lock(toldMutex);
            return toldOn.size() == size_t(kChain);
        }));
        QCOMPARE(names(*m_db).size(), kChain + 1);
        std::lock_guard lock(toldMutex);
        QCOMPARE(toldOn.front(), leader);  // the leader's second batch
        QVERIFY(toldOn.back() != leader);  // the committer's thread, once the leader was done
        QVERIFY(toldOn.back() != std::this_thread::get_id());
    }

    void manySubmittedFromOneThreadShareCommits()
    {
        // One thread submitting without waiting (a server's): every write is told exactly once,
        // all are committed, and they needed fewer commits than writes.
        constexpr int kWrites = 2000;
        std::atomic<int> ok{0}, failed{0};
        std::binary_semaphore allTold{0};
        GroupCommitter committer(*m_db);
        for (int i = 0; i < kWrites; ++i) {
            const QString name = QStringLiteral("w%1").arg(i, 4, 10, QLatin1Char('0'));
            committer.submit([&, name] { return insertName(*m_db, name); }, GroupCommitter::Undo::Statement, [&](const Status &status) {
                (status.ok() ? ok : failed)++;
                if (ok + failed == kWrites)
                    allTold.release();
            });
        }
        QVERIFY(allTold.try_acquire_for(std::chrono::seconds(60)));
        QCOMPARE(ok.load(), kWrites);
        QCOMPARE(failed.load(), 0);
        QCOMPARE(names(*m_db).size(), kWrites);
        QVERIFY2(committer.batches() < quint64(kWrites), qPrintable(QString::number(committer.batches())));
    }

    void stopTellsEverySubmittedWriteFirst()
    {
        // stop() right after 200 submits: it returns only once every one is committed and told;
        // a submit after it is told at once that the committer is closed.
        constexpr int kWrites = 200;
        std::atomic<int> told{0};
        GroupCommitter committer(*m_db);
        for (int i = 0; i < kWrites; ++i) {
            const QString name = QStringLiteral("queued%1").arg(i);
            committer.submit([&, name] { return insertName(*m_db, name); }, GroupCommitter::Undo::Savepoint,
                             [&](const Status &status) { told += status.ok() ? 1 : 1000; });
        }
        committer.stop();
        QCOMPARE(told.load(), kWrites);
        QCOMPARE(names(*m_db).size(), kWrites);
        Status late;
        committer.submit([&] { return insertName(*m_db, QStringLiteral("late")); }, GroupCommitter::Undo::Statement,
                         [&](const Status &status) { late = status; });
        QVERIFY(!late.ok());
        QCOMPARE(late.error().code, QStringLiteral("closed"));
        QCOMPARE(names(*m_db).size(), kWrites);
    }

    void stopWaitsForTheWriteBeingCommitted()
    {
        // The committer goes while its thread commits a held write and five more wait behind it:
        // it goes only after all six are committed and told.
        std::binary_semaphore release{0};
        std::atomic<bool> held{false};
        std::atomic<int> told{0};
        const auto tell = [&](const Status &status) { told += status.ok() ? 1 : 100; };
        auto committer = std::make_unique<GroupCommitter>(*m_db);
        const auto releaseAnyway = qScopeGuard([&] { release.release(); });  // a failed check must not leave it held
        committer->submit([&] {
            held = true;
            release.acquire();
            return insertName(*m_db, QStringLiteral("held"));
        }, GroupCommitter::Undo::Statement, tell);
        QVERIFY(eventually([&] { return held.load(); }));
        for (int i = 0; i < 5; ++i) {
            const QString name = QStringLiteral("queued%1").arg(i);
            committer->submit([&, name] { return insertName(*m_db, name); }, GroupCommitter::Undo::Savepoint, tell);
        }
        std::atomic<bool> gone{false};
        std::thread stopping([&] {
            committer.reset();
            gone = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const bool waited = !gone.load();  // still waiting for the held write
        release.release();
        stopping.join();
        QVERIFY(waited);
        QCOMPARE(told.load(), 6);
        QCOMPARE(names(*m_db).size(), 6);
    }

    void throwingCompletionDoesNotSilenceTheOthers()
    {
        std::atomic<int> told{0};
        GroupCommitter committer(*m_db);
        HeldFirstWrite writes(committer, [&] { return insertName(*m_db, QStringLiteral("first")); });
        QVERIFY(writes.held());
        committer.submit([&] { return insertName(*m_db, QStringLiteral("a")); }, GroupCommitter::Undo::Statement,
                         [&](const Status &) {
                             ++told;
                             throw std::runtime_error("a completion that throws");
                         });
        committer.submit([&] { return insertName(*m_db, QStringLiteral("b")); }, GroupCommitter::Undo::Statement,
                         [&](const Status &status) { told += status.ok() ? 1 : 100; });
        writes.release();
        QVERIFY(eventually([&] { return told.load() == 2; }));
        QCOMPARE(names(*m_db).size(), 3);
    }

    void runFromACompletionCommitsAtOnce()
    {
        // A completion the leader runs between two of its batches (a write queued behind the one
        // just committed) writes through the same committer: it commits alone, on that thread,
        // instead of waiting for a lead that is its own.
        std::atomic<int> told{0};
        Status nested;
        std::binary_semaphore bHeld{0}, bRelease{0};
        GroupCommitter committer(*m_db);
        const auto releaseAnyway = qScopeGuard([&] { bRelease.release(); });
        HeldFirstWrite writes(committer, [&] { return insertName(*m_db, QStringLiteral("first")); });
        QVERIFY(writes.held());
        committer.submit([&] { return insertName(*m_db, QStringLiteral("a")); }, GroupCommitter::Undo::Statement,
                         [&](const Status &) {
                             nested = committer.run([&] { return insertName(*m_db, QStringLiteral("from a completion")); });
                             ++told;
                         });
        committer.submit([&] {
            bHeld.release();
            bRelease.acquire();
            return insertName(*m_db, QStringLiteral("b"));
        }, GroupCommitter::Undo::Statement, [&](const Status &) { ++told; });
        writes.letGo();  // the leader commits "first", then a and b, b holding that batch open
        QVERIFY(bHeld.try_acquire_for(std::chrono::seconds(10)));
        committer.submit([&] { return insertName(*m_db, QStringLiteral("c")); }, GroupCommitter::Undo::Statement,
                         [&](const Status &) { ++told; });
        QCOMPARE(committer.waiting(), size_t(1));  // so the leader goes on after telling a and b
        bRelease.release();
        writes.release();
        QVERIFY(writes.firstStatus.ok());
        QCOMPARE(told.load(), 3);  // the leader told them all before it returned
        QVERIFY(nested.ok());
        QCOMPARE(names(*m_db).size(), 5);
    }

    void submitWithoutACompletion()
    {
        // Nobody to tell, inside a transaction of the caller's or not: the writes still commit.
        GroupCommitter committer(*m_db);
        QVERIFY(m_db->transaction([&] {
            committer.submit([&] { return insertName(*m_db, QStringLiteral("inside")); }, GroupCommitter::Undo::Statement, {});
            return Status::success();
        }).ok());
        committer.submit([&] { return insertName(*m_db, QStringLiteral("outside")); }, GroupCommitter::Undo::Statement, {});
        committer.stop();
        QCOMPARE(names(*m_db), (QStringList{QStringLiteral("inside"), QStringLiteral("outside")}));
    }

    void submitInsideTheCallersTransactionRidesOnIt()
    {
        GroupCommitter committer(*m_db);
        bool toldInside = false;
        const Status outer = m_db->transaction([&]() -> Status {
            committer.submit([&] { return insertName(*m_db, QStringLiteral("inner")); }, GroupCommitter::Undo::Statement,
                             [&](const Status &status) { toldInside = status.ok() && m_db->inTransaction(); });
            return Error{QStringLiteral("refused"), QStringLiteral("the caller changes its mind")};
        });
        QVERIFY(!outer.ok());
        QVERIFY(toldInside);
        QVERIFY(names(*m_db).isEmpty());  // rolled back with the caller's transaction
    }
};

QTEST_GUILESS_MAIN(TestGroupCommitter)
#include "tst_group_committer.moc"
