// SPDX-License-Identifier: Apache-2.0
// CompactJsonWriter and Execution::toCompactJson(): the directly written record is the JSON
// toJson() describes (same document once parsed, whatever the strings hold), and times print
// exactly as Qt::ISODate prints them.
#include "identity/CompactJsonWriter.h"
#include "identity/Execution.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace mandate;
using namespace mandate::identity;

class tst_CompactJson final : public QObject
{
    Q_OBJECT

private slots:
    void executionBodyEqualsToJson_data();
    void executionBodyEqualsToJson();
    void isoTimeMatchesQt_data();
    void isoTimeMatchesQt();
    void escapesEveryControlCharacter();
};

namespace {

Execution sample()
{
    Execution e;
    e.id = QStringLiteral("exe_abc");
    e.agent = QStringLiteral("support-agent");
    e.chain = {QStringLiteral("alice"), QStringLiteral("support-agent")};
    e.purpose = QStringLiteral("refund for ticket T-1001");
    e.capabilities = {{QStringLiteral("refund:create"), {}}, {QStringLiteral("ticket:read"), {}}};
    e.budget = Budget{100, 1'000'000, *Amount::parse(QStringLiteral("1000.00"))};
    e.riskCeiling = 50;
    e.issuedAt = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    e.expiresAt = QDateTime::fromSecsSinceEpoch(1'800'000'900, Qt::UTC);
    e.parent = QStringLiteral("exe_parent");
    return e;
}

} // namespace

void tst_CompactJson::executionBodyEqualsToJson_data()
{
    QTest::addColumn<Execution>("execution");
    QTest::addRow("typical sub-execution") << sample();
    Execution root = sample();
    root.parent.clear();
    root.chain = {QStringLiteral("alice")};
    QTest::addRow("root") << root;
    Execution odd = sample();
    odd.purpose = QStringLiteral("quote \" backslash \\ slash / tab \t newline \n nul %1 bell \a é ☃ 😀").arg(QChar(0));
    odd.agent = QStringLiteral("ünïcode-agent");
    QTest::addRow("strings needing escapes") << odd;
    Execution constrained = sample();
    constrained.capabilities[0].constraints = QJsonObject{{QStringLiteral("maxAmount"), QStringLiteral("100.00")},
                                                         {QStringLiteral("nested"), QJsonArray{1, true, QJsonValue()}}};
    QTest::addRow("constraints") << constrained;
    Execution ended = sample();
    ended.status = Execution::Status::Revoked;
    ended.budget.amount = *Amount::parse(QStringLiteral("0.05"));
    QTest::addRow("revoked, fractional amount") << ended;
    Execution empty;
    QTest::addRow("default (invalid times)") << empty;
}

void tst_CompactJson::executionBodyEqualsToJson()
{
    QFETCH(Execution, execution);
    QJsonParseError error{};
    const QJsonDocument written = QJsonDocument::fromJson(execution.toCompactJson(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(written.object(), execution.toJson());
    // And it reads back into the same execution.
    std::vector<Error> errors;
    if (execution.issuedAt.isValid()) {
        const Execution back = Execution::fromJson(written.object(), QString(), errors);
        QVERIFY(errors.empty());
        QCOMPARE(back.toJson(), execution.toJson());
    }
}

void tst_CompactJson::isoTimeMatchesQt_data()
{
    QTest::addColumn<qint64>("secs");
    for (qint64 secs : {qint64(0), qint64(1), qint64(59), qint64(86399), qint64(86400), qint64(951'782'400) /* 2000-02-29 */,
                        qint64(1'709'164'800) /* 2024-02-29 */, qint64(1'800'000'000), qint64(4'102'444'799) /* 2099-12-31 */,
                        qint64(-1), qint64(-86401), qint64(-2'208'988'800) /* 1900-01-01 */, qint64(253'402'300'799) /* 9999-12-31 */})
        QTest::addRow("%lld", static_cast<long long>(secs)) << secs;
}

void tst_CompactJson::isoTimeMatchesQt()
{
    QFETCH(qint64, secs);
    CompactJsonWriter w;
    w.isoTime(secs);
    const QString expected = QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate);
    QCOMPARE(w.bytes(), QByteArray('"' + expected.toLatin1() + '"'));
}

void tst_CompactJson::escapesEveryControlCharacter()
{
    QString all;
    for (char16_t c = 0; c < 0x80; ++c)
        all.append(QChar(c));
    CompactJsonWriter w;
    w.beginArray();
    w.string(all);
    w.endArray();
    QJsonParseError error{};
    const QJsonDocument parsed = QJsonDocument::fromJson(w.bytes(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(parsed.array().at(0).toString(), all);
    for (char c : w.bytes())
        QVERIFY(static_cast<unsigned char>(c) >= 0x20);
}

QTEST_GUILESS_MAIN(tst_CompactJson)
#include "tst_compact_json.moc"
