// SPDX-License-Identifier: Apache-2.0
// JSON form of the identity records: every field survives toJson -> text -> fromJson, defaults
// apply when optional members are absent, unknown members and wrong types are reported with their
// path (money amounts on their own: tst_amount).
#include "identity/Agent.h"
#include "identity/Amount.h"
#include "identity/Budget.h"
#include "identity/Execution.h"
#include "identity/Human.h"
#include "identity/Machine.h"
#include "identity/Tool.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace mandate;
using namespace mandate::identity;

namespace {

QString s(const char *text) { return QString::fromUtf8(text); }

QStringList describe(const std::vector<Error> &errors)
{
    QStringList result;
    for (const Error &error : errors)
        result << error.toString();
    return result;
}

/// Through text and back, as a file or an HTTP body would carry it.
QJsonObject viaText(const QJsonObject &json)
{
    const QByteArray text = QJsonDocument(json).toJson(QJsonDocument::Compact);
    return QJsonDocument::fromJson(text).object();
}

QJsonObject parseObject(const char *text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(text), &error);
    if (!document.isObject())
        qFatal("test JSON does not parse: %s (%s)", text, qPrintable(error.errorString()));
    return document.object();
}

Agent fullAgent()
{
    Agent agent;
    agent.id = s("support-agent");
    agent.displayName = s("Support agent \xe2\x9c\x93");
    agent.owner = s("alice");
    agent.description = s("Answers tickets and issues small refunds");
    agent.allowedActions = {s("refund:create"), s("ticket:read"), s("ticket:update")};
    agent.trustLevel = 3;
    agent.policies = {s("default"), s("refund-limits")};
    agent.memoryScopes = {{s("customer-notes"), MemoryScope::Mode::ReadWrite},
                          {s("kb"), MemoryScope::Mode::Read},
                          {s("drafts"), MemoryScope::Mode::Write}};
    agent.maxDelegationDepth = 3;
    agent.defaultTtlSecs = 600;
    agent.maxTtlSecs = 7200;
    agent.maxBudget = Budget{250, 1'000'000, Amount::fromUnits(12'345'678)};
    agent.delegators = {s("triage-agent")};
    agent.status = Agent::Status::Suspended;
    agent.version = 7;
    agent.labels = {{s("team"), s("payments")}, {s("tier"), s("gold")}};
    return agent;
}

Tool fullTool()
{
    Tool tool;
    tool.id = s("refund");
    tool.displayName = s("Refunds");
    tool.description = s("Payment refunds");
    tool.upstream = s("https://payments.internal/api");
    tool.upstreamCredential = s("payments-api");
    tool.actions = {{s("refund:create"), s("POST"), s("/refunds")},
                    {s("refund:read"), s("GET"), s("/refunds/{id}")},
                    {s("refund:cancel"), s("DELETE"), s("/refunds/{id}")}};
    tool.riskWeight = 40;
    tool.rateLimitPerMinute = 120;
    tool.inspection = Tool::Inspection::Redact;
    tool.version = 3;
    return tool;
}

Execution fullExecution()
{
    Execution execution;
    execution.id = s("exe-0b9d6c");
    execution.agent = s("support-agent");
    execution.chain = {s("alice"), s("triage-agent")};
    execution.purpose = s("Refund order 1234");
    execution.capabilities = {{s("refund:create"), QJsonObject{{s("maxAmount"), s("100.00")}}},
                              {s("ticket:read"), {}}};
    execution.budget = Budget{5, 2000, Amount::fromUnits(1'000'000)};
    execution.riskCeiling = 70;
    execution.issuedAt = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    execution.expiresAt = execution.issuedAt.addSecs(900);
    execution.parent = s("exe-root01");
    execution.status = Execution::Status::Revoked;
    return execution;
}

QJsonObject minimalJson(const QString &kind)
{
    if (kind == QLatin1String("agent"))
        return parseObject(R"({"id":"a1","owner":"alice","allowedActions":["refund:create"],"maxBudget":{"calls":1}})");
    if (kind == QLatin1String("tool"))
        return parseObject(R"({"id":"refund","actions":[{"name":"refund:create"}]})");
    if (kind == QLatin1String("human"))
        return parseObject(R"({"id":"alice","issuer":"https://idp.example.com"})");
    if (kind == QLatin1String("machine"))
        return parseObject(R"({"id":"ci","owner":"bob"})");
    if (kind == QLatin1String("execution"))
        return parseObject(R"({"id":"exe-1","agent":"a1","chain":["alice"],"capabilities":[{"action":"refund:create"}],)"
                           R"("budget":{"calls":1},"issuedAt":"2027-01-15T08:00:00Z","expiresAt":"2027-01-15T08:15:00Z"})");
    if (kind == QLatin1String("budget"))
        return parseObject(R"({"calls":1})");
    qFatal("unknown kind");
}

/// Parses `json` as `kind` and returns the errors, with `path` as the record's location.
QStringList parseErrors(const QString &kind, const QJsonObject &json, const QString &path)
{
    std::vector<Error> errors;
    if (kind == QLatin1String("agent"))
        Agent::fromJson(json, path, errors);
    else if (kind == QLatin1String("tool"))
        Tool::fromJson(json, path, errors);
    else if (kind == QLatin1String("human"))
        Human::fromJson(json, path, errors);
    else if (kind == QLatin1String("machine"))
        Machine::fromJson(json, path, errors);
    else if (kind == QLatin1String("execution"))
        Execution::fromJson(json, path, errors);
    else if (kind == QLatin1String("budget"))
        Budget::fromJson(json, path, errors);
    for (const Error &error : errors) {
        if (error.code != QLatin1String("invalid"))
            qWarning("unexpected code %s", qPrintable(error.code));
    }
    return describe(errors);
}

/// Sets the member at a dotted path ("maxBudget.calls", "actions.0.verb") to `value`.
QJsonValue patched(QJsonValue target, QStringList keys, const QJsonValue &value)
{
    if (keys.isEmpty())
        return value;
    const QString key = keys.takeFirst();
    if (target.isArray()) {
        QJsonArray array = target.toArray();
        const int index = key.toInt();
        array[index] = patched(array.at(index), keys, value);
        return array;
    }
    QJsonObject object = target.toObject();
    if (keys.isEmpty() && value.isUndefined())
        object.remove(key);
    else
        object[key] = patched(object.value(key), keys, value);
    return object;
}

} // namespace

class TestIdentityJson : public QObject
{
    Q_OBJECT

private slots:
    void humanRoundTrip();
    void machineRoundTrip();
    void agentRoundTrip();
    void toolRoundTrip();
    void executionRoundTrip();
    void budgetRoundTrip_data();
    void budgetRoundTrip();
    void defaults();
    void minimalDocumentsParse_data();
    void minimalDocumentsParse();
    void rejected_data();
    void rejected();
};

void TestIdentityJson::humanRoundTrip()
{
    Human human;
    human.id = s("alice");
    human.displayName = s("Alice Liddell");
    human.issuer = s("https://idp.example.com");
    human.subject = s("00u1alice");
    human.email = s("alice@example.com");
    human.department = s("Support");
    human.version = 4;

    std::vector<Error> errors;
    const Human back = Human::fromJson(viaText(human.toJson()), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(back.id, human.id);
    QCOMPARE(back.displayName, human.displayName);
    QCOMPARE(back.issuer, human.issuer);
    QCOMPARE(back.subject, human.subject);
    QCOMPARE(back.email, human.email);
    QCOMPARE(back.department, human.department);
    QCOMPARE(back.version, qint64(4));
    QCOMPARE(back.toJson(), human.toJson());
}

void TestIdentityJson::machineRoundTrip()
{
    Machine machine;
    machine.id = s("billing-sync");
    machine.displayName = s("Billing sync");
    machine.machineKind = s("oauth-client");
    machine.owner = s("bob");
    machine.description = s("Nightly ledger export");
    machine.version = 2;

    std::vector<Error> errors;
    const Machine back = Machine::fromJson(viaText(machine.toJson()), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(back.id, machine.id);
    QCOMPARE(back.displayName, machine.displayName);
    QCOMPARE(back.machineKind, s("oauth-client"));
    QCOMPARE(back.owner, machine.owner);
    QCOMPARE(back.description, machine.description);
    QCOMPARE(back.version, qint64(2));
    QCOMPARE(machine.toJson().value(s("kind")).toString(), s("oauth-client"));
}

void TestIdentityJson::agentRoundTrip()
{
    const Agent agent = fullAgent();
    std::vector<Error> errors;
    const Agent back = Agent::fromJson(viaText(agent.toJson()), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(back.id, agent.id);
    QCOMPARE(back.displayName, agent.displayName);
    QCOMPARE(back.owner, agent.owner);
    QCOMPARE(back.description, agent.description);
    QCOMPARE(back.allowedActions, agent.allowedActions);
    QCOMPARE(back.trustLevel, 3);
    QCOMPARE(back.policies, agent.policies);
    QCOMPARE(back.memoryScopes, agent.memoryScopes);
    QCOMPARE(back.maxDelegationDepth, 3);
    QCOMPARE(back.defaultTtlSecs, qint64(600));
    QCOMPARE(back.maxTtlSecs, qint64(7200));
    QVERIFY(back.maxBudget == agent.maxBudget);
    QCOMPARE(back.maxBudget.amount.toString(), s("1234.5678"));
    QCOMPARE(back.delegators, agent.delegators);
    QCOMPARE(back.status, Agent::Status::Suspended);
    QCOMPARE(back.version, qint64(7));
    QCOMPARE(back.labels, agent.labels);

    // The wire names are the documented ones.
    const QJsonObject json = agent.toJson();
    QCOMPARE(json.value(s("defaultTtl")).toInteger(), 600);
    QCOMPARE(json.value(s("maxTtl")).toInteger(), 7200);
    QCOMPARE(json.value(s("status")).toString(), s("suspended"));
    QCOMPARE(json.value(s("memoryScopes")).toArray().at(0).toObject().value(s("mode")).toString(), s("read-write"));
    QCOMPARE(json.value(s("maxBudget")).toObject().value(s("amount")).toString(), s("1234.5678"));
}

void TestIdentityJson::toolRoundTrip()
{
    const Tool tool = fullTool();
    std::vector<Error> errors;
    const Tool back = Tool::fromJson(viaText(tool.toJson()), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(back.id, tool.id);
    QCOMPARE(back.displayName, tool.displayName);
    QCOMPARE(back.description, tool.description);
    QCOMPARE(back.upstream, tool.upstream);
    QCOMPARE(back.upstreamCredential, s("payments-api"));
    QCOMPARE(back.actions, tool.actions);
    QCOMPARE(back.riskWeight, 40);
    QCOMPARE(back.rateLimitPerMinute, 120);
    QCOMPARE(back.inspection, Tool::Inspection::Redact);
    QCOMPARE(back.version, qint64(3));
    QVERIFY(back.action(s("refund:cancel")).has_value());
    QCOMPARE(back.action(s("refund:cancel"))->method, s("DELETE"));
    QVERIFY(!back.action(s("refund:delete")).has_value());

    // Without a credential the member is left out, so that such tools keep their JSON (and ETag).
    Tool plain = tool;
    plain.upstreamCredential.clear();
    QVERIFY(!plain.toJson().contains(s("upstreamCredential")));
    QVERIFY(Tool::fromJson(viaText(plain.toJson()), QString(), errors).upstreamCredential.isEmpty());
    QCOMPARE(describe(errors), QStringList());
}

void TestIdentityJson::executionRoundTrip()
{
    const Execution execution = fullExecution();
    std::vector<Error> errors;
    const QJsonObject json = execution.toJson();
    QCOMPARE(json.value(s("depth")).toInt(), 2);
    QCOMPARE(json.value(s("issuedAt")).toString(), s("2027-01-15T08:00:00Z"));
    const Execution back = Execution::fromJson(viaText(json), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(back.id, execution.id);
    QCOMPARE(back.agent, execution.agent);
    QCOMPARE(back.chain, execution.chain);
    QCOMPARE(back.purpose, execution.purpose);
    QCOMPARE(back.capabilities, execution.capabilities);
    QVERIFY(back.budget == execution.budget);
    QCOMPARE(back.riskCeiling, 70);
    QCOMPARE(back.issuedAt, execution.issuedAt);
    QCOMPARE(back.expiresAt, execution.expiresAt);
    QCOMPARE(back.parent, execution.parent);
    QCOMPARE(back.status, Execution::Status::Revoked);
    QCOMPARE(back.depth(), 2);
    QCOMPARE(back.rootHuman(), s("alice"));
    QCOMPARE(back.actions(), (QStringList{s("refund:create"), s("ticket:read")}));
}

void TestIdentityJson::budgetRoundTrip_data()
{
    QTest::addColumn<qint64>("calls");
    QTest::addColumn<qint64>("tokens");
    QTest::addColumn<qint64>("units");
    QTest::addColumn<QString>("amountText");

    QTest::addRow("zero") << qint64(0) << qint64(0) << qint64(0) << s("0.00");
    QTest::addRow("whole amount") << qint64(10) << qint64(5000) << qint64(1000 * Amount::Scale) << s("1000.00");
    QTest::addRow("smallest amount") << qint64(1) << qint64(0) << qint64(1) << s("0.0001");
    QTest::addRow("three decimals") << qint64(1) << qint64(1) << qint64(123'450) << s("12.345");
    QTest::addRow("large token count beyond 2^53") << qint64(1) << qint64(9'007'199'254'740'993) << qint64(5) << s("0.0005");
    QTest::addRow("largest amount") << qint64(1'000'000) << qint64(10'000'000'000) << qint64(999'999'999'999'999'999)
                                    << s("99999999999999.9999");
}

void TestIdentityJson::budgetRoundTrip()
{
    QFETCH(qint64, calls);
    QFETCH(qint64, tokens);
    QFETCH(qint64, units);
    QFETCH(QString, amountText);

    const Budget budget{calls, tokens, Amount::fromUnits(units)};
    const QJsonObject json = budget.toJson();
    QCOMPARE(json.value(s("amount")).toString(), amountText);
    std::vector<Error> errors;
    const Budget back = Budget::fromJson(viaText(json), s("maxBudget"), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(back.calls, calls);
    QCOMPARE(back.tokens, tokens);
    QCOMPARE(back.amount.units(), units);
    QVERIFY(back == budget);
}

void TestIdentityJson::defaults()
{
    std::vector<Error> errors;
    const Agent agent = Agent::fromJson(minimalJson(s("agent")), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(agent.displayName, s("a1"));
    QCOMPARE(agent.trustLevel, 1);
    QCOMPARE(agent.maxDelegationDepth, 1);
    QCOMPARE(agent.defaultTtlSecs, qint64(900));
    QCOMPARE(agent.maxTtlSecs, qint64(3600));
    QCOMPARE(agent.status, Agent::Status::Active);
    QCOMPARE(agent.maxBudget.tokens, qint64(0));
    QCOMPARE(agent.maxBudget.amount.units(), qint64(0));
    QVERIFY(agent.memoryScopes.isEmpty());
    QVERIFY(agent.labels.isEmpty());

    const Tool tool = Tool::fromJson(minimalJson(s("tool")), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(tool.displayName, s("refund"));
    QCOMPARE(tool.actions.at(0).method, s("POST"));
    QCOMPARE(tool.actions.at(0).path, s("/"));
    QCOMPARE(tool.riskWeight, 1);
    QCOMPARE(tool.rateLimitPerMinute, 600);
    QCOMPARE(tool.inspection, Tool::Inspection::Flag);

    const Human human = Human::fromJson(minimalJson(s("human")), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(human.subject, s("alice"));
    QCOMPARE(human.displayName, s("alice"));
    QVERIFY(!human.toJson().contains(s("email")));

    const Machine machine = Machine::fromJson(minimalJson(s("machine")), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(machine.machineKind, s("service"));

    const Execution execution = Execution::fromJson(minimalJson(s("execution")), QString(), errors);
    QCOMPARE(describe(errors), QStringList());
    QCOMPARE(execution.riskCeiling, 50);
    QCOMPARE(execution.status, Execution::Status::Active);
    QCOMPARE(execution.issuedAt, QDateTime(QDate(2027, 1, 15), QTime(8, 0), Qt::UTC));
    QVERIFY(execution.parent.isEmpty());
}

void TestIdentityJson::minimalDocumentsParse_data()
{
    QTest::addColumn<QString>("kind");
    for (const char *kind : {"agent", "tool", "human", "machine", "execution", "budget"})
        QTest::addRow("%s", kind) << s(kind);
}

void TestIdentityJson::minimalDocumentsParse()
{
    QFETCH(QString, kind);
    QCOMPARE(parseErrors(kind, minimalJson(kind), s("x")), QStringList());
}

void TestIdentityJson::rejected_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("member"); // dotted path into the minimal document
    QTest::addColumn<QJsonValue>("value"); // undefined: remove the member
    QTest::addColumn<QStringList>("expected");

    const QJsonValue remove(QJsonValue::Undefined);
    auto row = [](const char *name, const char *kind, const char *member, const QJsonValue &value, QStringList expected) {
        QTest::addRow("%s", name) << s(kind) << s(member) << value << expected;
    };

    // Unknown members, at every level.
    row("agent unknown field", "agent", "allowedAction", QJsonArray{}, {s("rec.allowedAction: unknown field")});
    row("agent budget unknown field", "agent", "maxBudget.cals", 3, {s("rec.maxBudget.cals: unknown field")});
    row("agent memory scope unknown field", "agent", "memoryScopes",
        QJsonArray{QJsonObject{{s("name"), s("kb")}, {s("access"), s("read")}}}, {s("rec.memoryScopes[0].access: unknown field")});
    row("tool unknown field", "tool", "upstreamUrl", s("https://x"), {s("rec.upstreamUrl: unknown field")});
    row("tool action unknown field", "tool", "actions.0.verb", s("create"), {s("rec.actions[0].verb: unknown field")});
    row("human unknown field", "human", "mail", s("a@b"), {s("rec.mail: unknown field")});
    row("machine unknown field", "machine", "type", s("service"), {s("rec.type: unknown field")});
    row("execution unknown field", "execution", "expires", s("x"), {s("rec.expires: unknown field")});
    row("execution capability unknown field", "execution", "capabilities.0.limits", QJsonObject{},
        {s("rec.capabilities[0].limits: unknown field")});
    row("budget unknown field", "budget", "currency", s("EUR"), {s("rec.currency: unknown field")});

    // Required members.
    row("agent without id", "agent", "id", remove, {s("rec.id: is required")});
    row("agent with null owner", "agent", "owner", QJsonValue(), {s("rec.owner: is required")});
    row("agent without allowedActions", "agent", "allowedActions", remove, {s("rec.allowedActions: is required")});
    row("agent without maxBudget", "agent", "maxBudget", remove, {s("rec.maxBudget: is required"), s("rec.maxBudget.calls: is required")});
    row("tool without actions", "tool", "actions", remove, {s("rec.actions: is required")});
    row("tool action without name", "tool", "actions.0.name", remove, {s("rec.actions[0].name: is required")});
    row("human without issuer", "human", "issuer", remove, {s("rec.issuer: is required")});
    row("machine without owner", "machine", "owner", remove, {s("rec.owner: is required")});
    row("execution without expiresAt", "execution", "expiresAt", remove, {s("rec.expiresAt: is required")});
    row("budget without calls", "budget", "calls", remove, {s("rec.calls: is required")});

    // Wrong types.
    row("id is a number", "agent", "id", 5, {s("rec.id: expected a string")});
    row("id is true", "human", "id", true, {s("rec.id: expected a string")});
    row("trustLevel is a string", "agent", "trustLevel", s("3"), {s("rec.trustLevel: expected an integer")});
    row("trustLevel is fractional", "agent", "trustLevel", 1.5, {s("rec.trustLevel: expected an integer")});
    row("trustLevel is a bool", "agent", "trustLevel", false, {s("rec.trustLevel: expected an integer")});
    row("trustLevel beyond 32 bits", "agent", "trustLevel", QJsonValue(qint64(4'294'967'298)),
        {s("rec.trustLevel: expected an integer that fits in 32 bits, got 4294967298")});
    row("maxDelegationDepth beyond 32 bits", "agent", "maxDelegationDepth", QJsonValue(qint64(4'294'967'297)),
        {s("rec.maxDelegationDepth: expected an integer that fits in 32 bits, got 4294967297")});
    row("riskWeight below 32 bits", "tool", "riskWeight", QJsonValue(qint64(-4'294'967'295)),
        {s("rec.riskWeight: expected an integer that fits in 32 bits, got -4294967295")});
    row("rateLimitPerMinute beyond 32 bits", "tool", "rateLimitPerMinute", QJsonValue(qint64(4'294'968'296)),
        {s("rec.rateLimitPerMinute: expected an integer that fits in 32 bits, got 4294968296")});
    row("riskCeiling beyond 32 bits", "execution", "riskCeiling", QJsonValue(qint64(4'294'967'346)),
        {s("rec.riskCeiling: expected an integer that fits in 32 bits, got 4294967346")});
    row("maxTtl is huge", "agent", "maxTtl", 1e300, {s("rec.maxTtl: expected an integer")});
    row("allowedActions is a string", "agent", "allowedActions", s("refund:create"),
        {s("rec.allowedActions: expected an array of strings")});
    row("allowedActions holds a number", "agent", "allowedActions", QJsonArray{s("refund:create"), 7},
        {s("rec.allowedActions[1]: expected a string")});
    row("maxBudget is an array", "agent", "maxBudget", QJsonArray{}, {s("rec.maxBudget: expected an object"), s("rec.maxBudget.calls: is required")});
    row("maxBudget amount is a number", "agent", "maxBudget.amount", 10, {s("rec.maxBudget.amount: expected a string")});
    row("maxBudget amount negative", "agent", "maxBudget.amount", s("-1"),
        {s("rec.maxBudget.amount: expected a decimal amount like \"100.00\", got \"-1\"")});
    row("memoryScopes is an object", "agent", "memoryScopes", QJsonObject{}, {s("rec.memoryScopes: expected an array")});
    row("memory scope is a string", "agent", "memoryScopes", QJsonArray{s("kb")}, {s("rec.memoryScopes[0]: expected an object")});
    row("memory scope mode unknown", "agent", "memoryScopes", QJsonArray{QJsonObject{{s("name"), s("kb")}, {s("mode"), s("append")}}},
        {s("rec.memoryScopes[0].mode: must be one of read, write, read-write; got \"append\"")});
    row("agent status unknown", "agent", "status", s("deleted"), {s("rec.status: must be one of active, suspended, retired; got \"deleted\"")});
    row("label value is a number", "agent", "labels", QJsonObject{{s("tier"), 2}}, {s("rec.labels.tier: label values must be strings")});
    row("labels is an array", "agent", "labels", QJsonArray{}, {s("rec.labels: expected an object")});
    row("tool action is a string", "tool", "actions", QJsonArray{s("refund:create")}, {s("rec.actions[0]: expected an object")});
    row("tool inspection unknown", "tool", "inspection", s("loud"), {s("rec.inspection: must be one of off, flag, redact, block; got \"loud\"")});
    row("tool riskWeight is a string", "tool", "riskWeight", s("high"), {s("rec.riskWeight: expected an integer")});
    row("execution time not ISO", "execution", "issuedAt", s("yesterday"),
        {s("rec.issuedAt: expected an ISO 8601 time, got \"yesterday\"")});
    row("execution time empty", "execution", "expiresAt", s(""), {s("rec.expiresAt: expected an ISO 8601 time, got \"\"")});
    row("execution time is a number", "execution", "issuedAt", 1800000000, {s("rec.issuedAt: expected a string")});
    row("execution chain holds an object", "execution", "chain", QJsonArray{QJsonObject{}}, {s("rec.chain[0]: expected a string")});
    row("execution capability is a string", "execution", "capabilities", QJsonArray{s("refund:create")},
        {s("rec.capabilities[0]: expected an object")});
    row("execution capability constraints not object", "execution", "capabilities.0.constraints", s("none"),
        {s("rec.capabilities[0].constraints: expected an object")});
    row("execution status unknown", "execution", "status", s("paused"),
        {s("rec.status: must be one of active, completed, expired, revoked; got \"paused\"")});
    row("budget calls is a string", "budget", "calls", s("10"), {s("rec.calls: expected an integer")});
}

void TestIdentityJson::rejected()
{
    QFETCH(QString, kind);
    QFETCH(QString, member);
    QFETCH(QJsonValue, value);
    QFETCH(QStringList, expected);

    const QJsonObject json = patched(minimalJson(kind), member.split(u'.'), value).toObject();
    QCOMPARE(parseErrors(kind, json, s("rec")), expected);
}

QTEST_GUILESS_MAIN(TestIdentityJson)
#include "tst_identity_json.moc"
