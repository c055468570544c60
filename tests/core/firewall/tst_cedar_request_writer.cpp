// SPDX-License-Identifier: Apache-2.0
// CedarRequestWriter: the bytes it writes are exactly the audit encoding of the JSON form, and
// the request it reads back is exactly what the JSON path parses, or it declines.
#include "CedarCall.h"

#include "audit/AuditRecord.h"
#include "firewall/CedarEntityCache.h"
#include "firewall/CedarRequestWriter.h"

#include <QTest>

using namespace mandate;
using firewall::CedarEntityCache;
using firewall::CedarRequestBuilder;
using firewall::CedarRequestWriter;

namespace {

using Call = test::CedarCall;
using test::agent;
using test::demoSchema;
using test::execution;

enum class Variant { Plain, Confidence, Escapes, Numbers, RootExecution, ZonedTime, TicketWithoutArgs, ArgsOffSchema, BadConfidence, LongLists };

} // namespace

class tst_CedarRequestWriter final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void sameAsTheJsonPath_data();
    void sameAsTheJsonPath();
    void noSchemaIsLeftToTheJsonPath();

private:
    std::shared_ptr<const policy::Schema> m_schema;
};

void tst_CedarRequestWriter::initTestCase()
{
    m_schema = demoSchema();
    QVERIFY(m_schema);
}

void tst_CedarRequestWriter::sameAsTheJsonPath_data()
{
    QTest::addColumn<int>("variant");
    QTest::addColumn<bool>("direct");  ///< whether the writer's own reading is expected to be taken
    QTest::addRow("plain") << int(Variant::Plain) << true;
    QTest::addRow("confidence declared") << int(Variant::Confidence) << true;
    QTest::addRow("escapes and non-ASCII") << int(Variant::Escapes) << false;
    QTest::addRow("numbers of every kind") << int(Variant::Numbers) << false;
    QTest::addRow("root execution, no session yet") << int(Variant::RootExecution) << true;
    QTest::addRow("time in another zone") << int(Variant::ZonedTime) << true;
    QTest::addRow("ticket read without args") << int(Variant::TicketWithoutArgs) << true;
    QTest::addRow("args that do not fit the schema") << int(Variant::ArgsOffSchema) << false;
    QTest::addRow("confidence that is no decimal") << int(Variant::BadConfidence) << false;
    QTest::addRow("long chain and session") << int(Variant::LongLists) << true;
}

void tst_CedarRequestWriter::sameAsTheJsonPath()
{
    QFETCH(int, variant);
    QFETCH(bool, direct);
    Call call;
    identity::Execution &e = call.view.execution;
    switch (Variant(variant)) {
    case Variant::Plain: break;
    case Variant::Confidence: call.input.confidence = QStringLiteral("0.85"); break;
    case Variant::Escapes:
        e.chain = {QStringLiteral("b\u00e9atrice"), QStringLiteral("support-agent \"quoted\"")};
        call.view.sessionActions = {QStringLiteral("tab\there"), QStringLiteral("back\\slash \u0001")};
        call.input.confidence = QStringLiteral("0.5\u2603");
        call.input.args = QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")},
                                      {QStringLiteral("reason"), QStringLiteral("R\u00fcckerstattung \U0001F600\n")}};
        break;
    case Variant::Numbers:
        call.view.remaining.calls = -1;
        call.view.remaining.tokens = qint64(1) << 60;
        call.view.riskScore = -5;
        call.input.args = QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")}, {QStringLiteral("n"), 1.5},
                                      {QStringLiteral("big"), qint64(1) << 53}, {QStringLiteral("neg"), -3},
                                      {QStringLiteral("list"), QJsonArray{true, QJsonValue(), QStringLiteral("x")}}};
        break;
    case Variant::RootExecution:
        e = execution(QStringLiteral("e-1"), QStringLiteral("support-agent"), QString());
        call.view.ancestors.clear();
        call.view.sessionActions.clear();
        call.view.sessionCalls = 0;
        call.view.sessionDenied = 0;
        break;
    case Variant::ZonedTime:
        call.input.now = QDateTime::fromMSecsSinceEpoch(1'800'000'000'007, Qt::OffsetFromUTC, 2 * 3600);
        break;
    case Variant::TicketWithoutArgs:
        call.input.tool = QStringLiteral("ticket");
        call.input.action = QStringLiteral("ticket:read");
        call.input.args = QJsonObject();
        break;
    case Variant::ArgsOffSchema:
        call.input.args = QJsonObject{{QStringLiteral("amount"), 42}, {QStringLiteral("unexpected"), QStringLiteral("x")}};
        break;
    case Variant::BadConfidence: call.input.confidence = QStringLiteral("very"); break;
    case Variant::LongLists:
        e.chain = {QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("triage-agent"), QStringLiteral("refund-subagent")};
        for (int i = 0; i < 20; ++i)
            call.view.sessionActions << QStringLiteral("action:%1").arg(i);
        break;
    }

    CedarEntityCache cache;
    auto entry = cache.entities(call.input, m_schema);
    QVERIFY2(entry, qPrintable(entry ? QString() : entry.error().toString()));
    const QJsonObject json = CedarRequestBuilder::toJson(call.input, entry.value()->json);

    const CedarRequestWriter::Written written = CedarRequestWriter::write(call.input, entry.value()->canonical);
    QCOMPARE(written.bytes, CedarEntityCache::canonicalRequest(json, *entry.value()));
    QByteArray context;
    audit::appendCanonicalJson(context, json.value(QStringLiteral("context")));
    QCOMPARE(written.context().toByteArray(), context);

    const std::optional<policy::Request> read = CedarRequestWriter::read(call.input, written.context(), m_schema.get());
    const Result<policy::Request> parsed = CedarRequestBuilder::parseRequest(json, m_schema.get());
    QCOMPARE(read.has_value(), direct);
    if (!read)
        return;  // the JSON path decides, as before
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));
    QVERIFY(read->principal == parsed->principal);
    QVERIFY(read->action == parsed->action);
    QVERIFY(read->resource == parsed->resource);
    QVERIFY2(read->context == parsed->context,
             (read->context.toCedar() + " != " + parsed->context.toCedar()).c_str());
}

void tst_CedarRequestWriter::noSchemaIsLeftToTheJsonPath()
{
    const Call call;
    const CedarRequestWriter::Written written = CedarRequestWriter::write(call.input, "[]");
    QVERIFY(!CedarRequestWriter::read(call.input, written.context(), nullptr));
}

QTEST_GUILESS_MAIN(tst_CedarRequestWriter)
#include "tst_cedar_request_writer.moc"
