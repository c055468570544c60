// SPDX-License-Identifier: Apache-2.0
// The small parts of the tool firewall: routes, trace context, rate limits.
#include "firewall/CallDecision.h"
#include "firewall/RateLimiter.h"
#include "firewall/ResponseInspector.h"
#include "firewall/ToolRoute.h"
#include "firewall/TraceContext.h"

#include <QJsonDocument>
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
    void rateLimiterSaysWhenToRetry();
    void redactionCoversEveryFinding();
    void upstreamUrlEncodesValuesWhole();
    void compactDecisionIsTheJsonDocument_data();
    void compactDecisionIsTheJsonDocument();
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
    // A parameter never moves the upstream's path, and never carries a control character.
    QTest::addRow("dot-dot id") << QByteArray("GET") << QStringLiteral("/tickets/..") << QString() << QString();
    QTest::addRow("dot id") << QByteArray("GET") << QStringLiteral("/tickets/.") << QString() << QString();
    QTest::addRow("line feed in id") << QByteArray("GET") << QStringLiteral("/tickets/T\n1") << QString() << QString();
    QTest::addRow("dots inside an id") << QByteArray("GET") << QStringLiteral("/tickets/a..b") << QStringLiteral("ticket:read") << QStringLiteral("a..b");
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
    QTest::addColumn<bool>("sampled");
    QTest::addRow("valid") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") << true << true;
    QTest::addRow("not sampled") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00") << true << false;
    QTest::addRow("other flags, sampled") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0b") << true << true;
    QTest::addRow("surrounding space") << QStringLiteral(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t") << true << true;
    QTest::addRow("trailing CRLF") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n") << true << true;
    QTest::addRow("absent") << QString() << false << true;
    QTest::addRow("upper case is invalid") << QStringLiteral("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("upper-case flags") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0B") << false << true;
    QTest::addRow("zero trace id") << QStringLiteral("00-00000000000000000000000000000000-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("zero span id") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01") << false << true;
    QTest::addRow("truncated") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7") << false << true;
    QTest::addRow("longer") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-") << false << true;
    QTest::addRow("version ff") << QStringLiteral("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") << false << true;
    // A later version is read by version 00's layout, and may carry more fields after a '-'.
    QTest::addRow("version 01") << QStringLiteral("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") << true << true;
    QTest::addRow("version cc, not sampled") << QStringLiteral("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00") << true << false;
    QTest::addRow("version 01, more fields") << QStringLiteral("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-next") << true << true;
    QTest::addRow("version 01, flags run on") << QStringLiteral("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x") << false << true;
    QTest::addRow("version 01, short") << QStringLiteral("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1") << false << true;
    QTest::addRow("version 01, zero trace id") << QStringLiteral("01-00000000000000000000000000000000-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("version 01, upper-case id") << QStringLiteral("01-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("version ff, more fields") << QStringLiteral("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x") << false << true;
    QTest::addRow("version not hex") << QStringLiteral("0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("version upper case") << QStringLiteral("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("version one digit") << QStringLiteral("0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("separator") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01") << false << true;
    QTest::addRow("not hex") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01") << false << true;
    QTest::addRow("non-Latin digit") << QStringLiteral("00-4bf92f3577b34da6a3ce929d0e0e473\u0661-00f067aa0ba902b7-01") << false << true;
}

void tst_FirewallParts::traceContext()
{
    QFETCH(QString, traceparent);
    QFETCH(bool, continued);
    QFETCH(bool, sampled);
    const TraceContext context = TraceContext::continueOrStart(traceparent);
    QCOMPARE(context.sampled, sampled);
    QCOMPARE(context.traceId.size(), 32);
    QCOMPARE(context.spanId.size(), 16);
    QCOMPARE(context.traceId == QLatin1String("4bf92f3577b34da6a3ce929d0e0e4736"), continued);
    QCOMPARE(context.parentSpanId.isEmpty(), !continued);
    QVERIFY(context.spanId != QLatin1String("00f067aa0ba902b7"));
    if (continued)
        QCOMPARE(context.parentSpanId, QStringLiteral("00f067aa0ba902b7"));
    for (const QString &id : {context.traceId, context.spanId}) {  // fresh ids: lower-case hex
        for (const QChar c : id)
            QVERIFY2((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'), qPrintable(id));
    }
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

    // The wall clock stepped back half a minute (NTP, a resumed VM): the bucket does not go
    // into debt for it, and refills from the new time on.
    clock.advanceSecs(-30);
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("tool:x"), 60}}));
    clock.advanceSecs(1);
    QVERIFY(limiter.tryAcquire({{QStringLiteral("tool:x"), 60}}));
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

void tst_FirewallParts::rateLimiterSaysWhenToRetry()
{
    ManualClock clock;
    RateLimiter limiter(clock);
    qint64 retryAfterMs = -1;
    QVERIFY(limiter.tryAcquire({{QStringLiteral("tool:t"), 6}}, &retryAfterMs));
    QCOMPARE(retryAfterMs, -1);  // left alone when the call may go
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.tryAcquire({{QStringLiteral("tool:t"), 6}}));
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("tool:t"), 6}}, &retryAfterMs));
    QCOMPARE(retryAfterMs, 10'000);  // 6 a minute: one token every ten seconds
    clock.set(clock.now().addMSecs(2'500));
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("tool:t"), 6}}, &retryAfterMs));
    QCOMPARE(retryAfterMs, 7'500);
    // Of two empty buckets, the one that fills last decides.
    QVERIFY(limiter.tryAcquire({{QStringLiteral("execution:e"), 60}}));
    for (int i = 0; i < 59; ++i)
        QVERIFY(limiter.tryAcquire({{QStringLiteral("execution:e"), 60}}));
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("execution:e"), 60}, {QStringLiteral("tool:t"), 6}}, &retryAfterMs));
    QCOMPARE(retryAfterMs, 7'500);
    QVERIFY(!limiter.tryAcquire({{QStringLiteral("execution:e"), 60}}, &retryAfterMs));
    QCOMPARE(retryAfterMs, 1'000);
}

void tst_FirewallParts::upstreamUrlEncodesValuesWhole()
{
    // A value is encoded whole; the registry's literal segments keep what a path segment may hold.
    identity::Tool tool;
    tool.actions = {{QStringLiteral("x:batch"), QStringLiteral("POST"), QStringLiteral("/things:batchGet/{id}")}};
    const auto route = ToolRoute::match(tool, "POST", QStringLiteral("/things:batchGet/a:b/c?d#e"));
    QVERIFY(!route);  // a decoded "/" makes another segment
    const auto matched = ToolRoute::match(tool, "POST", QStringLiteral("/things:batchGet/a:b?d#e %"));
    QVERIFY(matched);
    const QUrl url = matched->upstreamUrl(QStringLiteral("http://up.example:8080/base/"), {{QStringLiteral("q"), QStringLiteral("1+1 2")}});
    QCOMPARE(url.toEncoded(), QByteArray("http://up.example:8080/base/things:batchGet/a%3Ab%3Fd%23e%20%25?q=1%2B1%202"));
}

void tst_FirewallParts::redactionCoversEveryFinding()
{
    const auto finding = [](qsizetype offset, qsizetype length) { return Finding{QStringLiteral("secret"), offset, length, {}}; };
    // One span inside another: replaced one after the other, the inner one shifted the text and
    // left the second "SECRET" in the clear.
    QCOMPARE(redactFindings("SECRETSECRET tail", {finding(0, 12), finding(3, 3)}, "[x]"), QByteArray("[x] tail"));
    QCOMPARE(redactFindings("a SECRET b TOKEN c", {finding(11, 5), finding(2, 6)}, "[x]"), QByteArray("a [x] b [x] c"));
    QCOMPARE(redactFindings("abcdef", {finding(1, 2), finding(3, 2)}, "[x]"), QByteArray("a[x]f"));  // touching spans merge
    QCOMPARE(redactFindings("abcdef", {finding(4, 100), finding(-3, 4)}, "[x]"), QByteArray("[x]bcd[x]"));  // clipped to the body
    QCOMPARE(redactFindings("abcdef", {finding(2, 0)}, "[x]"), QByteArray("abcdef"));
}

void tst_FirewallParts::compactDecisionIsTheJsonDocument_data()
{
    QTest::addColumn<int>("variant");
    const char *names[] = {"allow", "deny by policy", "token rejected, no execution", "quotes in the message",
                           "non-ASCII reason", "control character in an error", "negative and large numbers", "DEL character",
                           "rate limited, with when to retry"};
    for (int i = 0; i < int(std::size(names)); ++i)
        QTest::addRow("%s", names[i]) << i;
}

void tst_FirewallParts::compactDecisionIsTheJsonDocument()
{
    // The /v1/authorize body written directly is byte for byte what QJsonDocument writes.
    QFETCH(int, variant);
    CallDecision decision;
    decision.allowed = true;
    decision.httpStatus = 200;
    decision.decisionId = QStringLiteral("5b0c1a2e-1f3d-4c5e-9a7b-1234567890ab");
    decision.reasons = {QStringLiteral("support-agent-refunds-up-to-100")};
    decision.hasExecution = true;
    decision.view.execution.id = QStringLiteral("ex-1");
    decision.view.execution.riskCeiling = 50;
    decision.view.riskScore = 7;
    decision.view.remaining = {99, 1000, *identity::Amount::parse(QStringLiteral("958.00"))};
    const auto deny = [&](const QString &step, const QString &message) {
        decision.allowed = false;
        decision.httpStatus = 403;
        decision.step = step;
        decision.message = message;
        decision.reasons.clear();
    };
    switch (variant) {
    case 0: break;
    case 1: deny(QStringLiteral("policy"), QStringLiteral("forbidden by no-account-deletion")); break;
    case 2:
        deny(QStringLiteral("token"), QStringLiteral("the token's signature does not verify"));
        decision.hasExecution = false;
        decision.errors = {QStringLiteral("bad_signature")};
        break;
    case 3: deny(QStringLiteral("capability"), QStringLiteral("the execution was not granted \"account:delete\"")); break;
    case 4: decision.reasons = {QStringLiteral("r\u00e8gle-\u2603")}; break;
    case 5: decision.errors = {QStringLiteral("p1: tab\there")}; break;
    case 6:
        decision.view.riskScore = -3;
        decision.view.remaining.calls = -1;
        decision.view.remaining.tokens = qint64(1) << 60;
        break;
    case 7: deny(QStringLiteral("request"), QStringLiteral("unknown tool \"x\u007fy\"")); break;
    case 8:
        deny(QStringLiteral("rate_limit"), QStringLiteral("rate limit reached for this execution or tool"));
        decision.httpStatus = 429;
        decision.retryAfterSecs = 12;
        QVERIFY(decision.toCompactJson().contains(",\"retry_after\":12,"));
        break;
    }
    QCOMPARE(decision.toCompactJson(), QJsonDocument(decision.toJson()).toJson(QJsonDocument::Compact));
}

QTEST_GUILESS_MAIN(tst_FirewallParts)
#include "tst_firewall_parts.moc"
