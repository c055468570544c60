// SPDX-License-Identifier: Apache-2.0
// firewall::UpstreamAdmission: a bound per upstream, places given back when the last holder lets
// go, and nothing kept for an upstream without calls.
#include "firewall/UpstreamAdmission.h"

#include <QTest>

#include <thread>
#include <vector>

using namespace mandate::firewall;

class tst_UpstreamAdmission final : public QObject
{
    Q_OBJECT

private slots:
    void boundPerUpstream();
    void placeFollowsItsLastCopy();
    void concurrentCallersNeverExceedTheBound();
};

void tst_UpstreamAdmission::boundPerUpstream()
{
    UpstreamAdmission admission(2);
    UpstreamAdmission::Place a = admission.enter(QStringLiteral("http://tickets.internal:8080"));
    UpstreamAdmission::Place b = admission.enter(QStringLiteral("http://tickets.internal:8080"));
    QVERIFY(a && b);
    QVERIFY(!admission.enter(QStringLiteral("http://tickets.internal:8080")));
    QCOMPARE(admission.refused(), quint64(1));
    QVERIFY(admission.enter(QStringLiteral("https://payments.internal")));  // another upstream has its own bound
    QCOMPARE(admission.inFlight(QStringLiteral("https://payments.internal")), 0);  // the place above is gone already
    a.reset();
    QCOMPARE(admission.inFlight(QStringLiteral("http://tickets.internal:8080")), 1);
    QVERIFY(admission.enter(QStringLiteral("http://tickets.internal:8080")));
    QCOMPARE(UpstreamAdmission(0).perUpstream(), 1);  // at least one call per upstream
}

void tst_UpstreamAdmission::placeFollowsItsLastCopy()
{
    UpstreamAdmission admission(1);
    UpstreamAdmission::Place place = admission.enter(QStringLiteral("http://tickets.internal:8080"));
    UpstreamAdmission::Place copy = place;  // as a queued job carries it
    place.reset();
    QVERIFY(!admission.enter(QStringLiteral("http://tickets.internal:8080")));
    copy.reset();
    QCOMPARE(admission.inFlight(QStringLiteral("http://tickets.internal:8080")), 0);
    QVERIFY(admission.enter(QStringLiteral("http://tickets.internal:8080")));
}

void tst_UpstreamAdmission::concurrentCallersNeverExceedTheBound()
{
    constexpr int kBound = 3;
    UpstreamAdmission admission(kBound);
    std::atomic<int> holding{0};
    std::atomic<int> most{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                UpstreamAdmission::Place place = admission.enter(QStringLiteral("http://tickets.internal:8080"));
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
    QCOMPARE(admission.inFlight(QStringLiteral("http://tickets.internal:8080")), 0);
}

QTEST_GUILESS_MAIN(tst_UpstreamAdmission)
#include "tst_upstream_admission.moc"
