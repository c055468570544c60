// SPDX-License-Identifier: Apache-2.0
// firewall::ExecutionLocks: one execution's holders one at a time, other executions never
// behind them, and no lock kept once nobody holds or waits for it.
#include "firewall/ExecutionLocks.h"

#include <QScopeGuard>
#include <QTest>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

using namespace mandate::firewall;

namespace {

/// Until `count` decisions hold or wait for the lock of `id` (false after 30 s).
bool waitForUsers(const ExecutionLocks &locks, const QString &id, int count)
{
    for (int i = 0; i < 30'000 && locks.users(id) != count; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return locks.users(id) == count;
}

} // namespace

class tst_ExecutionLocks final : public QObject
{
    Q_OBJECT

private slots:
    void oneExecutionAtATime();
    void otherExecutionsDoNotWait();
    void locksGoWithTheirLastUser();
};

void tst_ExecutionLocks::oneExecutionAtATime()
{
    // Eight threads each add to a counter in two steps under the same execution's lock: with
    // mutual exclusion no step is lost, and no two holders are ever inside at once.
    ExecutionLocks locks;
    int counter = 0;
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                ExecutionLocks::Guard guard = locks.lock(QStringLiteral("ex-1"));
                if (inside.fetch_add(1) != 0)
                    ++overlaps;
                const int read = counter;
                std::this_thread::yield();
                counter = read + 1;
                inside.fetch_sub(1);
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(overlaps.load(), 0);
    QCOMPARE(counter, 8 * 2000);
}

void tst_ExecutionLocks::otherExecutionsDoNotWait()
{
    ExecutionLocks locks;
    ExecutionLocks::Guard held = locks.lock(QStringLiteral("ex-held"));
    QVERIFY(held.ownsLock());
    // Another execution is taken at once, on another thread, while ex-held is held...
    auto other = std::async(std::launch::async, [&locks] { return locks.lock(QStringLiteral("ex-other")).ownsLock(); });
    QCOMPARE(other.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    QVERIFY(other.get());
    // ...and the same execution only once it is let go.
    std::atomic<bool> taken{false};
    std::thread same([&] {
        ExecutionLocks::Guard guard = locks.lock(QStringLiteral("ex-held"));
        taken = true;
    });
    auto joinSame = qScopeGuard([&] {
        held.unlock();
        same.join();
    });
    QVERIFY(waitForUsers(locks, QStringLiteral("ex-held"), 2));  // it waits for the lock
    QVERIFY(!taken.load());
    held.unlock();
    same.join();
    joinSame.dismiss();
    QVERIFY(taken.load());
}

void tst_ExecutionLocks::locksGoWithTheirLastUser()
{
    ExecutionLocks locks;
    {
        ExecutionLocks::Guard a = locks.lock(QStringLiteral("ex-a"));
        ExecutionLocks::Guard b = locks.lock(QStringLiteral("ex-b"));
        QCOMPARE(locks.inUse(), 2);
        ExecutionLocks::Guard moved = std::move(a);  // the lock moves with it, not released twice
        QVERIFY(!a.ownsLock());
        QVERIFY(moved.ownsLock());
        a.unlock();  // nothing to let go
        QCOMPARE(locks.inUse(), 2);
        moved.unlock();
        QCOMPARE(locks.inUse(), 1);
        moved.unlock();  // once only
        QCOMPARE(locks.inUse(), 1);
    }
    QCOMPARE(locks.inUse(), 0);
    // A waiter keeps the lock alive after the holder lets go, and takes it over.
    ExecutionLocks::Guard first = locks.lock(QStringLiteral("ex-c"));
    std::atomic<bool> tookOver{false};
    std::thread second([&] {
        ExecutionLocks::Guard guard = locks.lock(QStringLiteral("ex-c"));
        tookOver = guard.ownsLock();
    });
    const bool waited = waitForUsers(locks, QStringLiteral("ex-c"), 2);
    first.unlock();
    second.join();
    QVERIFY(waited);
    QVERIFY(tookOver.load());
    QCOMPARE(locks.users(QStringLiteral("ex-c")), 0);
    QCOMPARE(locks.inUse(), 0);
}

QTEST_GUILESS_MAIN(tst_ExecutionLocks)
#include "tst_execution_locks.moc"
