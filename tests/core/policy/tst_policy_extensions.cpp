// SPDX-License-Identifier: Apache-2.0
// decimal, ipaddr, datetime and duration: constructors, printing and every method.
#include "PolicyTestUtil.h"

#include "policy/Extensions.h"

#include <QTest>

using namespace mandate::policy;
using namespace mandate::policy::test;

class TestPolicyExtensions : public QObject
{
    Q_OBJECT

private slots:
    void evaluates_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("expected");
        auto row = [](const char *expr, const char *result) {
            QTest::addRow("%s", expr) << QString::fromUtf8(expr) << QString::fromUtf8(result);
        };
        // decimal
        row(R"(decimal("1.5"))", R"(decimal("1.5000"))");
        row(R"(decimal("-0.0001"))", R"(decimal("-0.0001"))");
        row(R"(decimal("922337203685477.5807"))", R"(decimal("922337203685477.5807"))");
        row(R"(decimal("-922337203685477.5808"))", R"(decimal("-922337203685477.5808"))");
        row(R"(decimal("922337203685477.5808"))", "error");
        row(R"(decimal("1.23456"))", "error");
        row(R"(decimal("1"))", "error");
        row(R"(decimal(".5"))", "error");
        row(R"(decimal("1.0") == decimal("1.0000"))", "true");
        row(R"(decimal("1.1").lessThan(decimal("1.2")))", "true");
        row(R"(decimal("1.2").lessThanOrEqual(decimal("1.2")))", "true");
        row(R"(decimal("-1.2").greaterThan(decimal("1.2")))", "false");
        row(R"(decimal("1.2").greaterThanOrEqual(decimal("1.2")))", "true");
        row(R"(decimal("1.2").lessThan(1))", "error");
        row(R"(decimal("1.0") < decimal("2.0"))", "error");
        row(R"(decimal(1))", "error");
        // ipaddr
        row(R"(ip("192.168.0.1"))", R"(ip("192.168.0.1/32"))");
        row(R"(ip("10.0.0.0/8"))", R"(ip("10.0.0.0/8"))");
        row(R"(ip("::1"))", R"(ip("0:0:0:0:0:0:0:1/128"))");
        row(R"(ip("::ffff:1.2.3.4"))", "error"); // Cedar rejects IPv4 embedded in IPv6
        row(R"(ip("2001:db8::8a2e:370:7334").isIpv6())", "true");
        row(R"(ip("1:2:3:4:5:6:7:8:9"))", "error");
        row(R"(ip("1:2:3:4:5:6:7::8"))", "error");
        row(R"(ip("1.2.3.4").isIpv4())", "true");
        row(R"(ip("01.2.3.4"))", "error");
        row(R"(ip("1.2.3"))", "error");
        row(R"(ip("256.0.0.1"))", "error");
        row(R"(ip("1.2.3.4/33"))", "error");
        row(R"(ip("1::2::3"))", "error");
        row(R"(ip("127.0.0.1").isLoopback())", "true");
        row(R"(ip("127.0.0.0/7").isLoopback())", "false");
        row(R"(ip("::1").isLoopback())", "true");
        row(R"(ip("::2").isLoopback())", "false");
        row(R"(ip("224.0.0.1").isMulticast())", "true");
        row(R"(ip("ff02::1").isMulticast())", "true");
        row(R"(ip("10.1.2.3").isInRange(ip("10.0.0.0/8")))", "true");
        row(R"(ip("10.0.0.0/7").isInRange(ip("10.0.0.0/8")))", "false");
        row(R"(ip("10.1.2.3").isInRange(ip("::/0")))", "false");
        row(R"(ip("10.0.0.1/24") == ip("10.0.0.0/24"))", "false");
        row(R"(ip("1.2.3.4").isLoopback(1))", "error");
        // datetime
        row(R"(datetime("2024-10-15"))", R"(datetime("2024-10-15T00:00:00.000Z"))");
        row(R"(datetime("2024-10-15T11:35:00Z"))", R"(datetime("2024-10-15T11:35:00.000Z"))");
        row(R"(datetime("2024-10-15T11:35:00.123Z"))", R"(datetime("2024-10-15T11:35:00.123Z"))");
        row(R"(datetime("2024-10-15T11:35:00+0100"))", R"(datetime("2024-10-15T10:35:00.000Z"))");
        row(R"(datetime("2024-10-15T11:35:00.5Z"))", "error");
        row(R"(datetime("2023-02-29"))", "error");
        row(R"(datetime("2024-02-29"))", R"(datetime("2024-02-29T00:00:00.000Z"))");
        row(R"(datetime("2024-10-15T24:00:00Z"))", "error");
        row(R"(datetime("1969-12-31T23:59:59.999Z").toDate())", R"(datetime("1969-12-31T00:00:00.000Z"))");
        row(R"(datetime("1969-12-31T23:59:59.999Z").toTime())", R"(duration("23h59m59s999ms"))");
        row(R"(datetime("2024-01-01").offset(duration("-1d")))", R"(datetime("2023-12-31T00:00:00.000Z"))");
        row(R"(datetime("2024-01-02").durationSince(datetime("2024-01-01")))", R"(duration("1d"))");
        row(R"(datetime("2024-01-02") > datetime("2024-01-01"))", "true");
        row(R"(datetime("2024-01-02") < 5)", "error");
        // duration
        row(R"(duration("1d2h3m4s5ms"))", R"(duration("1d2h3m4s5ms"))");
        row(R"(duration("-90m"))", R"(duration("-1h30m"))");
        row(R"(duration("1h1d"))", "error");
        row(R"(duration(""))", "error");
        row(R"(duration("5"))", "error");
        row(R"(duration("9223372036854775807ms").toMilliseconds())", "9223372036854775807");
        row(R"(duration("106751991168d"))", "error");
        row(R"(duration("90m").toHours())", "1");
        row(R"(duration("-90m").toHours())", "-1");
        row(R"(duration("2d").toDays())", "2");
        row(R"(duration("61s").toMinutes())", "1");
        row(R"(duration("1500ms").toSeconds())", "1");
        row(R"(duration("1h") <= duration("60m"))", "true");
        row(R"(duration("1h") == duration("60m"))", "true");
        row(R"(duration("1h") < datetime("2024-01-01"))", "error");
    }

    void evaluates()
    {
        QFETCH(QString, expression);
        QFETCH(QString, expected);
        const EntityStore none;
        const Request request;
        const QString got = evaluate(expression, none, request);
        if (expected == QLatin1String("error"))
            QVERIFY2(got.startsWith(QLatin1String("error: ")), qPrintable(got));
        else
            QCOMPARE(got, expected);
    }

    void datetimeRoundTrip_data()
    {
        QTest::addColumn<qint64>("ms");
        for (const qint64 ms : {qint64(0), qint64(-1), qint64(951782400000), qint64(-62135596800000),
                                qint64(253402300799999)})
            QTest::addRow("%lld", ms) << ms;
    }

    void datetimeRoundTrip()
    {
        QFETCH(qint64, ms);
        const std::string text = ext::formatDateTime(DateTimeValue{ms});
        const auto parsed = ext::parseDateTime(text);
        QVERIFY2(parsed.has_value(), text.c_str());
        QCOMPARE(qint64(parsed->ms), ms);
    }
};

QTEST_GUILESS_MAIN(TestPolicyExtensions)
#include "tst_policy_extensions.moc"
