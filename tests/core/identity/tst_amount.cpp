// SPDX-License-Identifier: Apache-2.0
// Money amounts (identity::Amount): what parses and what is refused, exact printing, order, and
// whether a charge fits within a budget.
#include "identity/Amount.h"
#include "identity/Budget.h"

#include <QTest>

using namespace mandate;
using namespace mandate::identity;

namespace {

QString s(const char *text) { return QString::fromUtf8(text); }

} // namespace

class TestAmount : public QObject
{
    Q_OBJECT

private slots:
    void amountParse_data();
    void amountParse();
    void amountOrderAndFit();
    void negativeAmountsFormat_data();
    void negativeAmountsFormat();
};

void TestAmount::amountParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("units");
    QTest::addColumn<QString>("canonical");

    auto good = [](const char *text, qint64 units, const char *canonical) {
        QTest::addRow("good %s", text) << s(text) << true << units << s(canonical);
    };
    auto bad = [](const char *name, const char *text) {
        QTest::addRow("bad %s", name) << s(text) << false << qint64(0) << QString();
    };
    good("0", 0, "0.00");
    good("1000.00", 10'000'000, "1000.00");
    good("0.0001", 1, "0.0001");
    good("1000", 10'000'000, "1000.00");
    good("42.5", 425'000, "42.50");
    good("12.345", 123'450, "12.345");
    good("0.10", 1'000, "0.10");
    good("99999999999999.9999", 999'999'999'999'999'999, "99999999999999.9999");

    bad("negative", "-1");
    bad("exponent", "1e3");
    bad("five decimals", "1.00001");
    bad("empty", "");
    bad("leading zero", "01");
    bad("two zeros", "00");
    bad("overflow 15 digits", "100000000000000");
    bad("overflow int64", "9223372036854775808");
    bad("trailing dot", "1.");
    bad("leading dot", ".5");
    bad("plus sign", "+1");
    bad("leading space", " 1");
    bad("trailing space", "1 ");
    bad("comma", "1,00");
    bad("hex", "0x10");
    bad("two dots", "1.2.3");
    bad("letters", "ten");
    bad("arabic-indic digit", "\xd9\xa1");
    bad("fullwidth digit", "\xef\xbc\x91");
}
void TestAmount::amountParse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, units);
    QFETCH(QString, canonical);

    const auto amount = Amount::parse(text);
    QCOMPARE(amount.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(amount->units(), units);
    QCOMPARE(amount->toString(), canonical);
    const auto again = Amount::parse(canonical);
    QVERIFY(again.has_value());
    QCOMPARE(again->units(), units);
}
void TestAmount::amountOrderAndFit()
{
    QVERIFY(Amount::fromUnits(1) > Amount());
    QVERIFY(*Amount::parse(s("0.0001")) < *Amount::parse(s("0.001")));
    QVERIFY(*Amount::parse(s("100")) == *Amount::parse(s("100.0000")));

    const Budget ceiling{10, 1000, *Amount::parse(s("50.00"))};
    QVERIFY(ceiling.fitsWithin(ceiling));
    QVERIFY((Budget{10, 1000, *Amount::parse(s("49.9999"))}).fitsWithin(ceiling));
    QVERIFY(!(Budget{11, 1000, *Amount::parse(s("1"))}).fitsWithin(ceiling));
    QVERIFY(!(Budget{1, 1001, *Amount::parse(s("1"))}).fitsWithin(ceiling));
    QVERIFY(!(Budget{1, 1, *Amount::parse(s("50.0001"))}).fitsWithin(ceiling));
}
void TestAmount::negativeAmountsFormat_data()
{
    // Parsing never yields a negative amount, but differences of budgets can.
    QTest::addColumn<qint64>("units");
    QTest::addColumn<QString>("text");
    QTest::addRow("minus one and a half") << qint64(-15'000) << s("-1.50");
    QTest::addRow("minus a fraction") << qint64(-1) << s("-0.0001");
    QTest::addRow("minus whole") << qint64(-20'000) << s("-2.00");
    QTest::addRow("zero") << qint64(0) << s("0.00");
}
void TestAmount::negativeAmountsFormat()
{
    QFETCH(qint64, units);
    QFETCH(QString, text);
    QCOMPARE(Amount::fromUnits(units).toString(), text);
}

QTEST_GUILESS_MAIN(TestAmount)
#include "tst_amount.moc"
