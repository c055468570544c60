// SPDX-License-Identifier: Apache-2.0
// api::ToolAdmission: a bound per tool, places given back when the last holder lets go, and
// nothing kept for a tool without calls (tool names come from request URLs).
#include "api/ToolAdmission.h"

#include <QTest>

#include <thread>
#include <vector>

using namespace mandate::api;

class tst_ToolAdmission final : public QObject
{
    Q_OBJECT

private slots:
    void boundPerTool();
    void placeFollowsItsLastCopy();
    void concurrentCallersNeverExceedTheBound();
};

void tst_ToolAdmission::boundPerTool()
{
    ToolAdmission admission(2);
    ToolAdmission::Place a = admission.enter(QStringLiteral("ticket"));
    ToolAdmission::Place b = admission.enter(QStringLiteral("ticket"));
    QVERIFY(a && b);
    QVERIFY(!admission.enter(QStringLiteral("ticket")));
    QCOMPARE(admission.refused(), quint64(1));
    QVERIFY(admission.enter(QStringLiteral("refund")));  // another tool has its own bound
    QCOMPARE(admission.inFlight(QStringLiteral("refund")), 0);  // the place above is gone already
    a.reset();
    QCOMPARE(admission.inFlight(QStringLiteral("ticket")), 1);
    QVERIFY(admission.enter(QStringLiteral("ticket")));
    QCOMPARE(ToolAdmission(0).perTool(), 1);  // at least one call per tool
}

void tst_ToolAdmission::placeFollowsItsLastCopy()
{
    ToolAdmission admission(1);
    ToolAdmission::Place place = admission.enter(QStringLiteral("ticket"));
    ToolAdmission::Place copy = place;  // as a queued job carries it
    place.reset();
    QVERIFY(!admission.enter(QStringLiteral("ticket")));
    copy.reset();
    QCOMPARE(admission.inFlight(QStringLiteral("ticket")), 0);
    QVERIFY(admission.enter(QStringLiteral("ticket")));
}

void tst_ToolAdmission::concurrentCallersNeverExceedTheBound()
{
    constexpr int kBound = 3;
    ToolAdmission admission(kBound);
    std::atomic<int> holding{0};
    std::atomic<int> most{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                ToolAdmission::Place place = admission.enter(QStringLiteral("ticket"));
                if (!place)
                    continue;
                const int now = holding.fetch_add(1) + 1;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                holding.fetch_sub(1);
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QVERIFY(most.load() <= kBound);
    QVERIFY(most.load() >= 1);
    QCOMPARE(admission.inFlight(QStringLiteral("ticket")), 0);
}

QTEST_GUILESS_MAIN(tst_ToolAdmission)
#include "tst_tool_admission.moc"
