// SPDX-License-Identifier: Apache-2.0
// Retry-After as RFC 9110 §10.2.3 has it: delay-seconds or an HTTP-date in any of its three forms.
#include "common/RetryAfter.h"

#include <QTest>

#include <limits>

using namespace mandate;

class tst_RetryAfter final : public QObject
{
    Q_OBJECT

private slots:
    void values_data();
    void values();
};

void tst_RetryAfter::values_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("secs");
    // RFC 9110's own example date, seen from 90 seconds before it.
    QTest::addRow("delay") << QByteArray("120") << 120;
    QTest::addRow("delay, spaced") << QByteArray(" 7 ") << 7;
    QTest::addRow("zero") << QByteArray("0") << 0;
    QTest::addRow("huge delay") << QByteArray("99999999999999999999") << std::numeric_limits<int>::max();
    QTest::addRow("IMF-fixdate") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << 90;
    QTest::addRow("RFC 850") << QByteArray("Sunday, 06-Nov-94 08:49:37 GMT") << 90;
    QTest::addRow("asctime") << QByteArray("Sun Nov  6 08:49:37 1994") << 90;
    QTest::addRow("past date") << QByteArray("Sun, 06 Nov 1994 08:40:00 GMT") << 0;
    QTest::addRow("empty") << QByteArray() << 0;
    QTest::addRow("negative") << QByteArray("-5") << 0;
    QTest::addRow("fraction") << QByteArray("1.5") << 0;
    QTest::addRow("garbage") << QByteArray("soon") << 0;
    QTest::addRow("date without zone") << QByteArray("Sun, 06 Nov 1994 08:49:37") << 0;
}

void tst_RetryAfter::values()
{
    QFETCH(QByteArray, value);
    QFETCH(int, secs);
    const QDateTime now(QDate(1994, 11, 6), QTime(8, 48, 7), Qt::UTC);
    QCOMPARE(retryAfterSecs(value, now), secs);
}

QTEST_GUILESS_MAIN(tst_RetryAfter)
#include "tst_retry_after.moc"
