// SPDX-License-Identifier: Apache-2.0
// CommitWaiter: continuations run once their appends are told, off the caller's and the
// teller's threads, in the order told; none is lost, at shutdown or when a completion is dropped.
#include "firewall/CommitWaiter.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace mandate;
using firewall::CommitWaiter;

class tst_CommitWaiter final : public QObject
{
    Q_OBJECT

private slots:
    void runsInTheOrderHandedOff();
    void passesFailuresOn();
    void continuationMayHandOffMore();
    void waitsForAppendsNotYetTold();
    void destructionWaitsForWhatIsOutstanding();
    void droppedCompletionIsToldAnError();
};

void tst_CommitWaiter::runsInTheOrderHandedOff()
{
    std::mutex mutex;
    std::vector<qint64> order;
    std::vector<std::thread::id> threads;
    CommitWaiter waiter;
    std::vector<audit::AuditLog::Appended> completions;
    for (int i = 0; i < 3; ++i) {
        completions.push_back(waiter.handOff([&](const CommitWaiter::Appended &result) {
            const std::lock_guard lock(mutex);
            order.push_back(result ? result.value().sequence : -1);
            threads.push_back(std::this_thread::get_id());
        }));
    }
    // Told out of order from another thread (a record refused at once is told before the ones
    // ahead of it commit): the continuations still run in the order handed off, the last one
    // only once the first is told.
    std::thread teller([&] { completions[2](audit::AppendReceipt{3, {}}); });
    const std::thread::id tellerId = teller.get_id();
    teller.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    {
        const std::lock_guard lock(mutex);
        QVERIFY(order.empty());
    }
    completions[0](audit::AppendReceipt{1, {}});
    completions[1](audit::AppendReceipt{2, {}});
    waiter.waitUntilIdle();
    QCOMPARE(order, (std::vector<qint64>{1, 2, 3}));
    for (const std::thread::id id : threads) {
        QVERIFY(id != std::this_thread::get_id());
        QVERIFY(id != tellerId);
    }
}

void tst_CommitWaiter::passesFailuresOn()
{
    std::optional<Error> seen;
    CommitWaiter waiter;
    auto completion = waiter.handOff([&](const CommitWaiter::Appended &result) {
        if (!result)
            seen = result.error();
    });
    completion(Error{QStringLiteral("store_busy"), QStringLiteral("database is locked")});
    waiter.waitUntilIdle();
    QVERIFY(seen);
    QCOMPARE(seen->code, QStringLiteral("store_busy"));
}

void tst_CommitWaiter::continuationMayHandOffMore()
{
    // A refused charge records a denial in its place: a second append, handed off from the
    // first's continuation, and waited for as well.
    std::atomic<int> ran{0};
    CommitWaiter waiter;
    auto first = waiter.handOff([&](const CommitWaiter::Appended &) {
        ++ran;
        auto second = waiter.handOff([&](const CommitWaiter::Appended &) { ++ran; });
        second(audit::AppendReceipt{2, {}});
    });
    first(audit::AppendReceipt{1, {}});
    waiter.waitUntilIdle();
    QCOMPARE(ran.load(), 2);
}

void tst_CommitWaiter::waitsForAppendsNotYetTold()
{
    std::atomic<bool> ran{false};
    CommitWaiter waiter;
    auto late = waiter.handOff([&](const CommitWaiter::Appended &) { ran = true; });
    std::thread teller([&late] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        late(audit::AppendReceipt{1, {}});
    });
    waiter.waitUntilIdle();  // not idle while an append handed off is still to be told
    const bool ranBeforeIdle = ran.load();
    teller.join();
    QVERIFY(ranBeforeIdle);
}

void tst_CommitWaiter::destructionWaitsForWhatIsOutstanding()
{
    std::atomic<int> ran{0};
    std::thread teller;
    {
        CommitWaiter waiter;
        for (int i = 0; i < 10; ++i)
            waiter.handOff([&](const CommitWaiter::Appended &) { ++ran; })(audit::AppendReceipt{i, {}});
        auto late = waiter.handOff([&](const CommitWaiter::Appended &) { ++ran; });
        // Told while the waiter is being destroyed: it still waits for it.
        teller = std::thread([late] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            late(audit::AppendReceipt{10, {}});
        });
    }
    QCOMPARE(ran.load(), 11);
    teller.join();
}

void tst_CommitWaiter::droppedCompletionIsToldAnError()
{
    // An append that threw before it was queued drops its completion uncalled: its continuation
    // is told an error rather than waited for forever.
    std::optional<Error> seen;
    CommitWaiter waiter;
    {
        auto dropped = waiter.handOff([&](const CommitWaiter::Appended &result) {
            if (!result)
                seen = result.error();
        });
        const auto copy = dropped;  // copies share one hand-off
    }
    waiter.waitUntilIdle();
    QVERIFY(seen);
    QCOMPARE(seen->code, QStringLiteral("internal"));
}

QTEST_GUILESS_MAIN(tst_CommitWaiter)
#include "tst_commit_waiter.moc"
