// SPDX-License-Identifier: Apache-2.0
// firewall::ExecutionLocks: one execution's holders one at a time, other executions never
// behind them, and no lock kept once nobody holds or waits for it.
#include "firewall/ExecutionLocks.h"

#include <QTest>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

using namespace mandate::firewall;

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
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    QVERIFY(!taken.load());
    held.unlock();
    same.join();
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
    std::promise<void> waiting;
    std::thread second([&] {
        waiting.set_value();
        ExecutionLocks::Guard guard = locks.lock(QStringLiteral("ex-c"));
        QVERIFY(guard.ownsLock());
    });
    waiting.get_future().wait();
    first.unlock();
    second.join();
    QCOMPARE(locks.inUse(), 0);
}

QTEST_GUILESS_MAIN(tst_ExecutionLocks)
#include "tst_execution_locks.moc"
