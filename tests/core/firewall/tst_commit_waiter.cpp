// SPDX-License-Identifier: Apache-2.0
// CommitWaiter: continuations run once their appends are ready, in order, off the caller's thread,
// and none is lost at shutdown.
#include "firewall/CommitWaiter.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace mandate;
using firewall::CommitWaiter;

class tst_CommitWaiter final : public QObject
{
    Q_OBJECT

private slots:
    void runsInOrderOnceReady();
    void passesFailuresOn();
    void continuationMayQueueMore();
    void destructionRunsWhatIsPending();
};

void tst_CommitWaiter::runsInOrderOnceReady()
{
    CommitWaiter waiter;
    std::vector<std::promise<CommitWaiter::Appended>> appends(3);
    std::mutex mutex;
    std::vector<qint64> order;
    std::vector<std::thread::id> threads;
    for (auto &append : appends) {
        waiter.whenCommitted(append.get_future(), [&](const CommitWaiter::Appended &result) {
            const std::lock_guard lock(mutex);
            order.push_back(result.value().sequence);
            threads.push_back(std::this_thread::get_id());
        });
    }
    {
        const std::lock_guard lock(mutex);
        QVERIFY(order.empty());  // nothing is ready yet
    }
    // Completed out of order, the continuations still run in queue order.
    appends[2].set_value(audit::AppendReceipt{3, {}});
    appends[0].set_value(audit::AppendReceipt{1, {}});
    appends[1].set_value(audit::AppendReceipt{2, {}});
    waiter.waitUntilIdle();
    QCOMPARE(order, (std::vector<qint64>{1, 2, 3}));
    for (const std::thread::id id : threads)
        QVERIFY(id != std::this_thread::get_id());
}

void tst_CommitWaiter::passesFailuresOn()
{
    CommitWaiter waiter;
    std::promise<CommitWaiter::Appended> append;
    std::optional<Error> seen;
    waiter.whenCommitted(append.get_future(), [&](const CommitWaiter::Appended &result) {
        if (!result)
            seen = result.error();
    });
    append.set_value(Error{QStringLiteral("store_busy"), QStringLiteral("database is locked")});
    waiter.waitUntilIdle();
    QVERIFY(seen);
    QCOMPARE(seen->code, QStringLiteral("store_busy"));
}

void tst_CommitWaiter::continuationMayQueueMore()
{
    // A refused charge records a denial in its place: a second append, queued from the first's
    // continuation, and waited for as well.
    CommitWaiter waiter;
    std::promise<CommitWaiter::Appended> first;
    std::promise<CommitWaiter::Appended> second;
    std::atomic<int> ran{0};
    waiter.whenCommitted(first.get_future(), [&](const CommitWaiter::Appended &) {
        ++ran;
        waiter.whenCommitted(second.get_future(), [&](const CommitWaiter::Appended &) { ++ran; });
        second.set_value(audit::AppendReceipt{2, {}});
    });
    first.set_value(audit::AppendReceipt{1, {}});
    waiter.waitUntilIdle();
    QCOMPARE(ran.load(), 2);
}

void tst_CommitWaiter::destructionRunsWhatIsPending()
{
    std::atomic<int> ran{0};
    std::promise<CommitWaiter::Appended> late;
    std::thread completer;
    {
        CommitWaiter waiter;
        for (int i = 0; i < 10; ++i) {
            std::promise<CommitWaiter::Appended> ready;
            ready.set_value(audit::AppendReceipt{i, {}});
            waiter.whenCommitted(ready.get_future(), [&](const CommitWaiter::Appended &) { ++ran; });
        }
        waiter.whenCommitted(late.get_future(), [&](const CommitWaiter::Appended &) { ++ran; });
        // Completed while the waiter is being destroyed: it still waits for it.
        completer = std::thread([&late] { late.set_value(audit::AppendReceipt{10, {}}); });
    }
    completer.join();
    QCOMPARE(ran.load(), 11);
}

QTEST_GUILESS_MAIN(tst_CommitWaiter)
#include "tst_commit_waiter.moc"
