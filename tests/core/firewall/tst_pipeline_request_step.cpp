// SPDX-License-Identifier: Apache-2.0
// The decision pipeline's request step: what a call must be before the policy sees it (plain
// JSON arguments, typed arguments in their plain form), and the refusals that are the gateway's
// fault rather than the caller's (a call it cannot serve, registry data the schema refuses).
#include "PipelineFixture.h"

#include <QTest>

using namespace mandate;
using namespace mandate::testing;

class tst_PipelineRequestStep final : public PipelineFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { setUp(); }
    void argumentsArePlainData_data();
    void argumentsArePlainData();
    void typedArgumentsTakeTheirPlainForm_data();
    void typedArgumentsTakeTheirPlainForm();
    void anUnservableCallIsRefusedOnceAllowedAndCostsNothing();
    void aToolChangedSinceRoutingIsNotDecidedOn();
    void registryDataThatDoesNotFitTheSchemaIsTheGatewaysFault();
};

void tst_PipelineRequestStep::argumentsArePlainData_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("step");
    QTest::addColumn<QString>("why");

    // The upstream reads the arguments as plain JSON. Cedar's escapes would let the agent hand
    // the policy an entity or an extension value that no upstream ever receives; a NUL would end
    // the string early for an upstream written in C, after the policy saw all of it.
    QTest::newRow("a string") << QByteArray(R"({"owner":"alice"})") << false << QStringLiteral("policy") << QString();
    QTest::newRow("an entity escape") << QByteArray(R"({"owner":{"__entity":{"type":"User","id":"alice"}}})") << false << QStringLiteral("request") << QStringLiteral("\"owner.__entity\" is Cedar's escape");
    QTest::newRow("an entity escape, nested") << QByteArray(R"({"filter":[{"owner":{"__entity":{"type":"User","id":"alice"}}}]})") << false << QStringLiteral("request") << QStringLiteral("\"filter[0].owner.__entity\"");
    QTest::newRow("an extension escape") << QByteArray(R"({"limit":{"__extn":{"fn":"decimal","arg":"1.00"}}})") << false << QStringLiteral("request") << QStringLiteral("\"limit.__extn\"");
    QTest::newRow("an expression escape") << QByteArray(R"({"owner":{"__expr":"User::\"alice\""}})") << false << QStringLiteral("request") << QStringLiteral("\"owner.__expr\"");
    QTest::newRow("a NUL in a value") << QByteArray(R"({"customer":"C-7\u0000; drop"})") << false << QStringLiteral("request") << QStringLiteral("\"customer\" contains U+0000");
    QTest::newRow("a NUL in a name") << QByteArray(R"({"cust\u0000omer":"C-7"})") << false << QStringLiteral("request") << QStringLiteral("contains U+0000");
    QTest::newRow("an entity-shaped record") << QByteArray(R"({"owner":{"type":"User","id":"alice"}})") << false << QStringLiteral("policy") << QString();
    QTest::newRow("the customer the policy allows") << QByteArray(R"({"customer":"C-7"})") << true << QString() << QString();
    // Untyped, "amount" is still the money the budget counts.
    QTest::newRow("an amount as a number") << QByteArray(R"({"customer":"C-7","amount":5000})") << false << QStringLiteral("request") << QStringLiteral("\"amount\" must be an amount like");
}
void tst_PipelineRequestStep::argumentsArePlainData()
{
    QFETCH(QByteArray, args);
    QFETCH(bool, allowed);
    QFETCH(QString, step);
    QFETCH(QString, why);

    // A tool whose action the schema does not declare: its arguments reach Cedar untyped.
    if (!m_registry->tool(QStringLiteral("crm"))) {
        identity::Tool crm;
        crm.id = QStringLiteral("crm");
        crm.displayName = QStringLiteral("CRM");
        crm.upstream = QStringLiteral("http://127.0.0.1:9/crm");
        crm.actions = {{QStringLiteral("crm:lookup"), QStringLiteral("POST"), QStringLiteral("/lookup")}};
        QVERIFY(m_registry->create(crm, QStringLiteral("test")));
        const auto active = m_policies->active();
        auto published = m_policies->publish(QString::fromUtf8(resource(QStringLiteral(":/mandate/policies/demo.cedar")))
                                                 + QStringLiteral("\npermit (principal, action == Action::\"crm:lookup\", resource) "
                                                                  "when { (context.args has owner && context.args.owner == User::\"alice\") "
                                                                  "|| (context.args has limit && context.args.limit.greaterThan(decimal(\"0.5\"))) "
                                                                  "|| (context.args has customer && context.args.customer == \"C-7\") };\n"),
                                             active->version, QStringLiteral("test"), QString());
        QVERIFY2(published, qPrintable(published ? QString() : published.error().toString()));
        firewall::ExecutionView view;
        view.execution = execution(QStringLiteral("ex-crm"), QStringLiteral("support-agent"),
                                   {QStringLiteral("alice"), QStringLiteral("support-agent")}, {QStringLiteral("crm:lookup")});
        view.remaining = view.execution.budget;
        m_authority.views.insert("crm", view);
    }
    const firewall::CallDecision decision = m_pipeline->decide(call("crm", QStringLiteral("crm:lookup"), QJsonDocument::fromJson(args).object()));
    QVERIFY2(decision.allowed == allowed, qPrintable(decision.step + QStringLiteral(": ") + decision.message));
    QCOMPARE(decision.step, step);
    QVERIFY2(decision.message.contains(why), qPrintable(decision.message));
}
void tst_PipelineRequestStep::typedArgumentsTakeTheirPlainForm_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("why");

    // RefundArgs.amount is a decimal. Cedar also reads {"fn":"decimal","arg":…} and ignores the
    // object's other members: the policy would see 1.00 where an upstream reading
    // {value, currency} refunds 5000.00.
    QTest::newRow("a string") << QByteArray(R"({"amount":"42.00"})") << true << QString();
    QTest::newRow("a function object with more in it") << QByteArray(R"({"amount":{"fn":"decimal","arg":"1.00","value":"5000.00","currency":"EUR"}})")
                                                       << false << QStringLiteral("argument \"amount\" must be a string: the schema reads it as a decimal");
    QTest::newRow("a function object with args") << QByteArray(R"({"amount":{"fn":"decimal","args":["1.00"]}})") << false << QStringLiteral("\"amount\" must be a string");
    QTest::newRow("an extension escape") << QByteArray(R"({"amount":{"__extn":{"fn":"decimal","arg":"1.00"}}})") << false << QStringLiteral("\"amount\" must be a string");
    QTest::newRow("a number") << QByteArray(R"({"amount":1})") << false << QStringLiteral("\"amount\" must be a string");
    QTest::newRow("a NUL in a declared string") << QByteArray(R"({"amount":"42.00","reason":"ok\u0000"})") << false << QStringLiteral("\"reason\" contains U+0000");
    // Cedar reads "050.00" as 50 and the policy allows it; the money budget must count it too.
    QTest::newRow("a decimal the budget cannot count") << QByteArray(R"({"amount":"050.00"})") << false << QStringLiteral("\"amount\" must be an amount like");
    QTest::newRow("a negative amount") << QByteArray(R"({"amount":"-1000.00"})") << false << QStringLiteral("\"amount\" must be an amount like");
}
void tst_PipelineRequestStep::typedArgumentsTakeTheirPlainForm()
{
    QFETCH(QByteArray, args);
    QFETCH(bool, allowed);
    QFETCH(QString, why);
    // A fresh execution per row: refusals add to the risk score.
    const QByteArray token = QByteArray("typed-") + QTest::currentDataTag();
    firewall::ExecutionView view;
    view.execution = execution(QString::fromLatin1(token), QStringLiteral("support-agent"), {QStringLiteral("alice"), QStringLiteral("support-agent")},
                               {QStringLiteral("refund:create")});
    view.remaining = view.execution.budget;
    m_authority.views.insert(token, view);
    const firewall::CallDecision decision = m_pipeline->decide(call(token, QStringLiteral("refund:create"), QJsonDocument::fromJson(args).object()));
    QVERIFY2(decision.allowed == allowed, qPrintable(decision.step + QStringLiteral(": ") + decision.message));
    if (!allowed) {
        QCOMPARE(decision.step, QStringLiteral("request"));
        QCOMPARE(decision.httpStatus, 400);
        QVERIFY2(decision.message.contains(why), qPrintable(decision.message));
    }
}
void tst_PipelineRequestStep::anUnservableCallIsRefusedOnceAllowedAndCostsNothing()
{
    const firewall::ExecutionView fresh = addExecutionWith("unservable", QStringLiteral("ex-unservable"), {QStringLiteral("ticket:read")});
    const auto unservable = [this](const QString &action) {
        firewall::CallRequest request = call("unservable", action, {}, true);
        request.unservable = QStringLiteral("cannot inspect for the test");
        return m_pipeline->decide(request);
    };
    // Allowed by the token and the policy, but the gateway cannot serve it: 503, audited, neither
    // charged nor counted against the agent.
    const firewall::CallDecision refused = unservable(QStringLiteral("ticket:read"));
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.step, QStringLiteral("request"));
    QCOMPARE(refused.httpStatus, 503);
    QCOMPARE(refused.message, QStringLiteral("cannot inspect for the test"));
    QCOMPARE(m_authority.views.value("unservable").remaining.calls, fresh.remaining.calls);
    QCOMPARE(m_authority.views.value("unservable").riskScore, 0);
    QVERIFY(refused.reasons.isEmpty());  // the permit that matched did not decide this denial
    // Nor does it count as one of the agent's calls (session.calls and session.denied).
    for (const QString &counted : std::as_const(m_authority.calls))
        QVERIFY2(!counted.startsWith(QLatin1String("ex-unservable ")), qPrintable(counted));
    // A call that is not allowed is denied for that reason first.
    const firewall::CallDecision notGranted = unservable(QStringLiteral("account:delete"));
    QCOMPARE(notGranted.step, QStringLiteral("capability"));
    QCOMPARE(notGranted.httpStatus, 403);
}
void tst_PipelineRequestStep::aToolChangedSinceRoutingIsNotDecidedOn()
{
    // The tool path routes a call by one version of the tool's record (its action, then its
    // upstream): one the pipeline finds changed meanwhile is refused, uncharged, not decided on.
    const firewall::ExecutionView fresh = addExecutionWith("retooled", QStringLiteral("ex-retooled"), {QStringLiteral("ticket:read")});
    const qint64 current = m_pipeline->tool(QStringLiteral("ticket")).value().version;
    firewall::CallRequest routed = call("retooled", QStringLiteral("ticket:read"), {}, true);
    routed.toolVersion = current - 1;
    const firewall::CallDecision stale = m_pipeline->decide(routed);
    QVERIFY(!stale.allowed);
    QCOMPARE(stale.step, QStringLiteral("request"));
    QCOMPARE(stale.httpStatus, 503);
    QVERIFY2(stale.message.contains(QStringLiteral("changed while the call was decided")), qPrintable(stale.message));
    QCOMPARE(stale.retryAfterSecs, 1);  // the next try reads the new version
    QCOMPARE(m_authority.views.value("retooled").remaining.calls, fresh.remaining.calls);
    routed.toolVersion = current;
    QVERIFY(m_pipeline->decide(routed).allowed);
}

void tst_PipelineRequestStep::registryDataThatDoesNotFitTheSchemaIsTheGatewaysFault()
{
    // The same policies under a schema whose agents need an attribute the registry has not got:
    // the call itself fits, the entities built from the registry do not.
    QByteArray text = resource(QStringLiteral(":/mandate/schema/mandate.cedarschema"));
    QVERIFY(text.contains("    trustLevel: Long,\n"));
    text.replace("    trustLevel: Long,\n", "    trustLevel: Long,\n    region: String,\n");
    auto schema = policy::Schema::parse(text);
    QVERIFY2(schema, qPrintable(schema ? QString() : schema.error().toString()));
    registry::PolicyStore policies(*m_db, m_clock, std::make_shared<const policy::Schema>(std::move(schema).value()));
    QVERIFY(policies.load());
    firewall::DecisionPipeline pipeline(firewall::DecisionPipeline::Services{
        m_authority, *m_registry, policies, *m_audit, m_events, *m_limiter, m_clock, QStringLiteral("gw-test")});

    const firewall::ExecutionView fresh = addExecutionWith("misfit", QStringLiteral("ex-misfit"), {QStringLiteral("ticket:read")});
    const firewall::CallDecision decision = pipeline.decide(call("misfit", QStringLiteral("ticket:read"), {}));
    QVERIFY(!decision.allowed);
    QCOMPARE(decision.step, QStringLiteral("request"));
    QCOMPARE(decision.httpStatus, 500);
    QVERIFY2(decision.message.startsWith(QLatin1String("the registry's data does not fit the schema")), qPrintable(decision.message));
    QCOMPARE(m_authority.views.value("misfit").riskScore, 0);
    for (const QString &counted : std::as_const(m_authority.calls))
        QVERIFY2(!counted.startsWith(QLatin1String("ex-misfit ")), qPrintable(counted));

    // Arguments that do not fit are still the caller's fault.
    const firewall::CallDecision badArguments = pipeline.decide(call("misfit", QStringLiteral("ticket:read"), {{QStringLiteral("id"), 7}}));
    QCOMPARE(badArguments.httpStatus, 400);
    QVERIFY2(badArguments.message.startsWith(QLatin1String("the call does not fit the schema")), qPrintable(badArguments.message));
}

QTEST_GUILESS_MAIN(tst_PipelineRequestStep)
#include "tst_pipeline_request_step.moc"
