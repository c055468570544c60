// SPDX-License-Identifier: Apache-2.0
// broker::ExecutionTokenClaims writes its JSON by hand: byte for byte what the general writer
// (identity::CompactJsonWriter, which it replaced on the mint path) writes for the same claims,
// whatever the strings hold, and JSON that parses back to those claims.
#include "broker/AgentExecutionRequest.h"
#include "broker/ExecutionTokenClaims.h"
#include "identity/CompactJsonWriter.h"
#include "json/JsonReader.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <limits>

using namespace mandate;
using mandate::identity::Execution;

namespace {

/// The claims as the general writer wrote them before: the reference.
QByteArray referenceJson(const broker::ExecutionTokenClaims &c)
{
    const Execution &e = c.execution;
    identity::CompactJsonWriter w;
    w.beginObject();
    w.key("iss"); w.string(c.issuer);
    w.key("aud"); w.string(c.audience);
    w.key("iat"); w.integer(c.issuedAt);
    w.key("nbf"); w.integer(c.issuedAt);
    w.key("exp"); w.integer(c.expiresAt);
    w.key("jti"); w.string(c.jti);
    w.key("sub"); w.string(QStringLiteral("user:") + e.rootHuman());
    w.key("act");
    w.beginObject();
    w.key("sub"); w.string(QStringLiteral("agent:") + e.agent);
    for (qsizetype i = e.chain.size() - 1; i >= 1; --i) {
        w.key("act");
        w.beginObject();
        w.key("sub"); w.string(QStringLiteral("agent:") + e.chain.at(i));
    }
    for (qsizetype i = e.chain.size() - 1; i >= 1; --i)
        w.endObject();
    w.endObject();
    w.key("client_id"); w.string(e.agent);
    w.key("scope"); w.string(c.scope);
    w.key("authorization_details");
    w.beginArray();
    w.beginObject();
    w.key("type"); w.string(QLatin1StringView(broker::AgentExecutionRequest::kType));
    w.key("execution"); w.string(e.id);
    w.key("parent");
    if (e.parent.isEmpty())
        w.null();
    else
        w.string(e.parent);
    w.key("purpose"); w.string(e.purpose);
    w.key("actions"); w.strings(e.actions());
    w.key("budget");
    w.beginObject();
    w.key("calls"); w.integer(e.budget.calls);
    w.key("tokens"); w.integer(e.budget.tokens);
    w.key("amount"); w.string(e.budget.amount.toString());
    w.endObject();
    w.key("risk_ceiling"); w.integer(e.riskCeiling);
    w.key("depth"); w.integer(e.depth());
    w.endObject();
    w.endArray();
    w.endObject();
    return w.take();
}

} // namespace

class TestExecutionTokenClaims : public QObject
{
    Q_OBJECT

private slots:
    void sameBytesAsTheGeneralWriter_data();
    void sameBytesAsTheGeneralWriter();
};

void TestExecutionTokenClaims::sameBytesAsTheGeneralWriter_data()
{
    QTest::addColumn<QString>("text");      // put in every string the claims carry
    QTest::addColumn<QStringList>("chain");
    QTest::addColumn<QString>("parent");
    QTest::addColumn<qint64>("calls");

    const QStringList root{QStringLiteral("alice")};
    const QStringList deep{QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("triage-agent")};
    QTest::addRow("plain ascii, root") << QStringLiteral("refund for ticket T-1001") << root << QString() << qint64(100);
    QTest::addRow("sub-delegation, nested act") << QStringLiteral("narrowed") << deep << QStringLiteral("exe_parent") << qint64(0);
    QTest::addRow("empty strings") << QString() << root << QString() << qint64(-1);
    QTest::addRow("quote and backslash") << QStringLiteral(R"(say "hi" \ bye)") << deep << QStringLiteral("exe_\"p\"") << qint64(7);
    QTest::addRow("control characters") << QStringLiteral("tab\there\nnew\x01\x1f") << root << QString() << qint64(1);
    QTest::addRow("DEL and the printable edges") << QStringLiteral(" ~\x7f!") << root << QString() << qint64(1);
    QTest::addRow("non-ASCII") << QString::fromUtf16(u"Rückerstattung für Zoë — 退款 🎫") << deep << QString::fromUtf16(u"exé") << qint64(1);
    QTest::addRow("lone surrogate") << QString(QChar(0xD800)) + QStringLiteral("x") << root << QString() << qint64(1);
    QTest::addRow("large numbers") << QStringLiteral("n") << root << QString() << std::numeric_limits<qint64>::max();
}

void TestExecutionTokenClaims::sameBytesAsTheGeneralWriter()
{
    QFETCH(QString, text);
    QFETCH(QStringList, chain);
    QFETCH(QString, parent);
    QFETCH(qint64, calls);

    Execution e;
    e.id = QStringLiteral("exe_") + text;
    e.agent = QStringLiteral("agent-") + text;
    for (const QString &link : chain)
        e.chain.append(link + text);
    e.purpose = text;
    e.capabilities = {identity::Capability{QStringLiteral("refund:create") + text, {}}, identity::Capability{QStringLiteral("ticket:read"), {}}};
    e.budget.calls = calls;
    e.budget.tokens = 1'000'000;
    e.budget.amount = identity::Amount::parse(QStringLiteral("1000.50")).value();
    e.riskCeiling = 42;
    e.parent = parent;
    const QString issuer = QStringLiteral("https://gateway.example/") + text;
    const QString audience = QStringLiteral("mandate");
    const QString jti = QStringLiteral("jti-") + text;
    const QString scope = QStringLiteral("refund:create ticket:read ") + text;
    const broker::ExecutionTokenClaims claims{issuer, audience, 1'700'000'000, 1'700'000'900, jti, e, scope};

    const QByteArray written = claims.toJson();
    QCOMPARE(written, referenceJson(claims));

    // And it reads back as the claims it was given (as UTF-8 carries them: a lone surrogate
    // cannot be, and is replaced).
    const auto carried = [](const QString &s) { return QString::fromUtf8(s.toUtf8()); };
    auto parsed = json::parse(written);
    QVERIFY2(parsed.ok(), parsed ? "" : qPrintable(parsed.error().toString()));
    const QJsonObject object = parsed->toObject();
    QCOMPARE(object.value(QStringLiteral("iss")).toString(), carried(issuer));
    QCOMPARE(object.value(QStringLiteral("jti")).toString(), carried(jti));
    QCOMPARE(object.value(QStringLiteral("sub")).toString(), carried(QStringLiteral("user:") + e.rootHuman()));
    const QJsonObject details = object.value(QStringLiteral("authorization_details")).toArray().first().toObject();
    QCOMPARE(details.value(QStringLiteral("purpose")).toString(), carried(text));
    QCOMPARE(details.value(QStringLiteral("depth")).toInteger(), qint64(chain.size()));
    QCOMPARE(details.value(QStringLiteral("budget")).toObject().value(QStringLiteral("calls")).toInteger(), calls);
}

QTEST_GUILESS_MAIN(TestExecutionTokenClaims)
#include "tst_execution_token_claims.moc"
