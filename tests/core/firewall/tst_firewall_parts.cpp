// SPDX-License-Identifier: Apache-2.0
// The small parts of the tool firewall: routes, trace context, rate limits.
#include "firewall/RateLimiter.h"
#include "firewall/ToolRoute.h"
#include "firewall/TraceContext.h"

#include <QTest>

using namespace mandate;
using namespace mandate::firewall;

class tst_FirewallParts final : public QObject
{
    Q_OBJECT

private slots:
    void toolRoutes_data();
    void toolRoutes();
    void traceContext_data();
    void traceContext();
    void rateLimiterRefills();
    void rateLimiterTakesAllOrNothing();
};

void tst_FirewallParts::toolRoutes_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("id");

    QTest::addRow("read") << QByteArray("GET") << QStringLiteral("/tickets/T-1") << QStringLiteral("ticket:read") << QStringLiteral("T-1");
    QTest::addRow("update") << QByteArray("PUT") << QStringLiteral("/tickets/T-2") << QStringLiteral("ticket:update") << QStringLiteral("T-2");
    QTest::addRow("list is no action") << QByteArray("GET") << QStringLiteral("/tickets") << QString() << QString();
    QTest::addRow("wrong method") << QByteArray("DELETE") << QStringLiteral("/tickets/T-1") << QString() << QString();
    QTest::addRow("deeper path") << QByteArray("GET") << QStringLiteral("/tickets/T-1/notes") << QString() << QString();
}

void tst_FirewallParts::toolRoutes()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, action);
    QFETCH(QString, id);

    identity::Tool tool;
    tool.id = QStringLiteral("ticket");
    tool.actions = {{QStringLiteral("ticket:read"), QStringLiteral("GET"), QStringLiteral("/tickets/{id}")},
                    {QStringLiteral("ticket:update"), QStringLiteral("PUT"), QStringLiteral("/tickets/{id}")}};
    const auto route = ToolRoute::match(tool, method, path);
    QCOMPARE(route.has_value(), !action.isEmpty());
    if (route) {
        QCOMPARE(route->action.name, action);
        QCOMPARE(route->parameters.value(QStringLiteral("id")), id);
    }
}

void tst_FirewallParts::traceContext_data()
{
    QTest::addColumn<QString>("traceparent");
    QTest::addColumn<bool>("continued");
    QTest::addRow("valid") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") << true;
    QTest::addRow("absent") << QString() << false;
    QTest::addRow("upper case is invalid") << QStringLiteral("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01") << false;
    QTest::addRow("zero trace id") << QStringLiteral("00-00000000000000000000000000000000-00f067aa0ba902b7-01") << false;
    QTest::addRow("zero span id") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01") << false;
    QTest::addRow("truncated") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7") << false;
}

void tst_FirewallParts::traceContext()
{
    QFETCH(QString, traceparent);
    QFETCH(bool, continued);
    const TraceContext context = TraceContext::continueOrStart(traceparent);
    QCOMPARE(context.traceId.size(), 32);
    QCOMPARE(context.spanId.size(), 16);
    QCOMPARE(context.traceId == QLatin1String("4bf92f3577b34da6a3ce929d0e0e4736"), continued);
    QCOMPARE(context.parentSpanId.isEmpty(), !continued);
    QVERIFY(context.spanId != QLatin1String("00f067aa0ba902b7"));
    QCOMPARE(TraceContext::continueOrStart(context.header()).traceId, context.traceId);
}

void tst_FirewallParts::rateLimiterRefills()
{
    ManualClock clock;
    RateLimiter limiter(clock);
    for (int i = 0; i < 60; ++i)
        QVERIFY(limiter.tryAcquire({{QStringLiteral("tool:x"), 60}}));
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("tool:x"), 60}}));
    clock.advanceSecs(1);  // 60 per minute: one token per second
    QVERIFY(limiter.tryAcquire({{QStringLiteral("tool:x"), 60}}));
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("tool:x"), 60}}));
}

void tst_FirewallParts::rateLimiterTakesAllOrNothing()
{
    ManualClock clock;
    RateLimiter limiter(clock);
    QVERIFY(limiter.tryAcquire({{QStringLiteral("tool:small"), 1}}));
    // The execution bucket is not charged when the tool bucket refuses.
    for (int i = 0; i < 5; ++i)
        QVERIFY(!limiter.tryAcquire({{QStringLiteral("execution:e"), 5}, {QStringLiteral("tool:small"), 1}}));
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.tryAcquire({{QStringLiteral("execution:e"), 5}}));
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("execution:e"), 5}}));
}

QTEST_GUILESS_MAIN(tst_FirewallParts)
#include "tst_firewall_parts.moc"
