// SPDX-License-Identifier: Apache-2.0
// The registry's validation rules, one row per rule, good and bad. Each row edits a valid record
// and lists the exact errors ("path: message") that must come back, in order; an empty list means
// the edited record is still valid.
#include "identity/Validator.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>

#include <functional>

using namespace mandate;
using namespace mandate::identity;

namespace {

/// A registry of two humans, two agents and the actions of two tools.
class FakeContext final : public ValidationContext
{
public:
    QSet<QString> humans{QStringLiteral("alice"), QStringLiteral("bob")};
    QSet<QString> agents{QStringLiteral("triage-agent"), QStringLiteral("support-agent")};
    QSet<QString> actions{QStringLiteral("refund:create"), QStringLiteral("refund:read"),
                          QStringLiteral("ticket:read"), QStringLiteral("ticket:update"),
                          QStringLiteral("account:read")};
    bool hasHuman(const QString &id) const override { return humans.contains(id); }
    bool hasAgent(const QString &id) const override { return agents.contains(id); }
    bool hasAction(const QString &action) const override { return actions.contains(action); }
};

template<typename Record>
struct Edit
{
    std::function<void(Record &)> apply;
};
using AgentEdit = Edit<Agent>;
using ToolEdit = Edit<Tool>;
using HumanEdit = Edit<Human>;
using MachineEdit = Edit<Machine>;
using ExecutionEdit = Edit<Execution>;

QStringList describe(const std::vector<Error> &errors)
{
    QStringList result;
    for (const Error &error : errors) {
        result << error.toString();
        if (error.code != QLatin1String("invalid"))
            result << QStringLiteral("<unexpected code %1>").arg(error.code);
    }
    return result;
}

QString s(const char *text) { return QString::fromUtf8(text); }
QString repeat(char c, int count) { return QString(count, QLatin1Char(c)); }

const QString idRule = QStringLiteral(
    "must be 2 to 64 characters: lowercase letters, digits and single hyphens, starting with a letter "
    "and not ending with a hyphen");

Agent validAgent()
{
    Agent agent;
    agent.id = QStringLiteral("support-agent");
    agent.displayName = QStringLiteral("Support agent");
    agent.owner = QStringLiteral("alice");
    agent.allowedActions = {QStringLiteral("refund:create"), QStringLiteral("ticket:read")};
    agent.trustLevel = 2;
    agent.policies = {QStringLiteral("default")};
    agent.memoryScopes = {{QStringLiteral("customer-notes"), MemoryScope::Mode::ReadWrite}};
    agent.maxDelegationDepth = 2;
    agent.defaultTtlSecs = 900;
    agent.maxTtlSecs = 3600;
    agent.maxBudget = Budget{100, 50'000, Amount::fromUnits(500 * Amount::Scale)};
    agent.delegators = {QStringLiteral("triage-agent")};
    agent.labels = {{QStringLiteral("team"), QStringLiteral("payments")}};
    return agent;
}

Tool validTool()
{
    Tool tool;
    tool.id = QStringLiteral("refund");
    tool.displayName = QStringLiteral("Refunds");
    tool.upstream = QStringLiteral("https://payments.internal/api");
    tool.actions = {{QStringLiteral("refund:create"), QStringLiteral("POST"), QStringLiteral("/refunds")},
                    {QStringLiteral("refund:read"), QStringLiteral("GET"), QStringLiteral("/refunds/{id}")}};
    return tool;
}

Human validHuman()
{
    Human human;
    human.id = QStringLiteral("carol");
    human.displayName = QStringLiteral("Carol");
    human.issuer = QStringLiteral("https://idp.example.com");
    human.subject = QStringLiteral("00u1carol");
    return human;
}

Machine validMachine()
{
    Machine machine;
    machine.id = QStringLiteral("nightly-ci");
    machine.displayName = QStringLiteral("Nightly CI");
    machine.machineKind = QStringLiteral("pipeline");
    machine.owner = QStringLiteral("bob");
    return machine;
}

Execution validExecution()
{
    Execution execution;
    execution.id = QStringLiteral("exe-6f1c2a");
    execution.agent = QStringLiteral("support-agent");
    execution.chain = {QStringLiteral("alice"), QStringLiteral("triage-agent")};
    execution.capabilities = {{QStringLiteral("refund:create"), {}}};
    execution.budget = Budget{10, 1000, Amount::fromUnits(0)};
    execution.riskCeiling = 50;
    execution.issuedAt = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    execution.expiresAt = execution.issuedAt.addSecs(900);
    return execution;
}

} // namespace

Q_DECLARE_METATYPE(AgentEdit)
Q_DECLARE_METATYPE(ToolEdit)
Q_DECLARE_METATYPE(HumanEdit)
Q_DECLARE_METATYPE(MachineEdit)
Q_DECLARE_METATYPE(ExecutionEdit)

class TestIdentityValidation : public QObject
{
    Q_OBJECT

private slots:
    void memoryScopeModes_data();
    void memoryScopeModes();
    void agent_data();
    void agent();
    void tool_data();
    void tool();
    void human_data();
    void human();
    void machine_data();
    void machine();
    void execution_data();
    void execution();
    void pathPrefix();
    void everyProblemIsReported();
};

void TestIdentityValidation::memoryScopeModes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("mode"); // -1: rejected

    QTest::addRow("read") << s("read") << int(MemoryScope::Mode::Read);
    QTest::addRow("write") << s("write") << int(MemoryScope::Mode::Write);
    QTest::addRow("read-write") << s("read-write") << int(MemoryScope::Mode::ReadWrite);
    QTest::addRow("abbreviation rw") << s("rw") << -1;
    QTest::addRow("uppercase READ") << s("READ") << -1;
    QTest::addRow("underscore read_write") << s("read_write") << -1;
    QTest::addRow("empty") << QString() << -1;
}

void TestIdentityValidation::memoryScopeModes()
{
    QFETCH(QString, name);
    QFETCH(int, mode);
    const auto parsed = MemoryScope::modeFromName(name);
    if (mode < 0) {
        QVERIFY(!parsed.has_value());
        // And through JSON, with the path of the offending member.
        std::vector<Error> errors;
        QJsonObject json = validAgent().toJson();
        json.insert(QStringLiteral("memoryScopes"),
                    QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("notes")},
                                           {QStringLiteral("mode"), name}}});
        Agent::fromJson(json, QStringLiteral("agents[0]"), errors);
        QCOMPARE(describe(errors),
                 QStringList{QStringLiteral("agents[0].memoryScopes[0].mode: must be one of read, write, read-write; got \"%1\"").arg(name)});
    } else {
        QVERIFY(parsed.has_value());
        QCOMPARE(int(*parsed), mode);
        QCOMPARE(MemoryScope::modeName(*parsed), name);
    }
}

void TestIdentityValidation::agent_data()
{
    QTest::addColumn<AgentEdit>("edit");
    QTest::addColumn<QStringList>("expected");

    auto row = [](const char *name, std::function<void(Agent &)> edit, QStringList expected = {}) {
        QTest::addRow("%s", name) << AgentEdit{std::move(edit)} << expected;
    };

    row("valid agent", [](Agent &) {});
    // id
    row("id at 64 characters", [](Agent &a) { a.id = s("a") + repeat('b', 63); });
    row("id empty", [](Agent &a) { a.id.clear(); }, {s("id: is required")});
    row("id too long", [](Agent &a) { a.id = s("a") + repeat('b', 64); },
        {s("id: \"a") + repeat('b', 64) + s("\" ") + idRule});
    row("id uppercase", [](Agent &a) { a.id = s("Support"); }, {s("id: \"Support\" ") + idRule});
    row("id trailing newline", [](Agent &a) { a.id = s("support\n"); }, {s("id: \"support\n\" ") + idRule});
    // display name
    row("displayName 128 characters", [](Agent &a) { a.displayName = repeat('x', 128); });
    row("displayName blank", [](Agent &a) { a.displayName = s("  "); }, {s("displayName: must not be empty")});
    row("displayName 129 characters", [](Agent &a) { a.displayName = repeat('x', 129); },
        {s("displayName: must be at most 128 characters")});
    // owner
    row("owner other known human", [](Agent &a) { a.owner = s("bob"); });
    row("owner missing", [](Agent &a) { a.owner.clear(); }, {s("owner: is required")});
    row("owner unknown human", [](Agent &a) { a.owner = s("mallory"); }, {s("owner: unknown human \"mallory\"")});
    row("owner is an agent not a human", [](Agent &a) { a.owner = s("triage-agent"); },
        {s("owner: unknown human \"triage-agent\"")});
    // allowed actions
    row("allowedActions empty", [](Agent &a) { a.allowedActions.clear(); },
        {s("allowedActions: must name at least one action")});
    row("allowedActions unknown action", [](Agent &a) { a.allowedActions[1] = s("acount:delete"); },
        {s("allowedActions[1]: unknown action \"acount:delete\"")});
    row("allowedActions not tool:verb", [](Agent &a) { a.allowedActions[0] = s("refund"); },
        {s("allowedActions[0]: \"refund\" is not an action (expected tool:verb)")});
    row("allowedActions wildcard", [](Agent &a) { a.allowedActions[1] = s("refund:*"); },
        {s("allowedActions[1]: \"refund:*\" is not an action (expected tool:verb)")});
    row("allowedActions duplicate", [](Agent &a) { a.allowedActions << s("refund:create"); },
        {s("allowedActions[2]: duplicate action \"refund:create\"")});
    row("allowedActions all five known", [](Agent &a) {
        a.allowedActions = {s("refund:create"), s("refund:read"), s("ticket:read"), s("ticket:update"), s("account:read")};
    });
    // trust level
    row("trustLevel 0", [](Agent &a) { a.trustLevel = 0; });
    row("trustLevel 4", [](Agent &a) { a.trustLevel = 4; });
    row("trustLevel -1", [](Agent &a) { a.trustLevel = -1; }, {s("trustLevel: must be between 0 and 4, got -1")});
    row("trustLevel 5", [](Agent &a) { a.trustLevel = 5; }, {s("trustLevel: must be between 0 and 4, got 5")});
    // delegation depth
    row("maxDelegationDepth 1", [](Agent &a) { a.maxDelegationDepth = 1; });
    row("maxDelegationDepth 8", [](Agent &a) { a.maxDelegationDepth = 8; });
    row("maxDelegationDepth 0", [](Agent &a) { a.maxDelegationDepth = 0; },
        {s("maxDelegationDepth: must be between 1 and 8, got 0")});
    row("maxDelegationDepth 9", [](Agent &a) { a.maxDelegationDepth = 9; },
        {s("maxDelegationDepth: must be between 1 and 8, got 9")});
    // TTL
    row("ttl minimum", [](Agent &a) { a.defaultTtlSecs = 60; a.maxTtlSecs = 60; });
    row("ttl maximum", [](Agent &a) { a.defaultTtlSecs = 86'400; a.maxTtlSecs = 86'400; });
    row("defaultTtl equals maxTtl", [](Agent &a) { a.defaultTtlSecs = 3600; });
    row("defaultTtl below minimum", [](Agent &a) { a.defaultTtlSecs = 59; },
        {s("defaultTtl: must be between 60 and 86400, got 59")});
    row("maxTtl above maximum", [](Agent &a) { a.maxTtlSecs = 86'401; },
        {s("maxTtl: must be between 60 and 86400, got 86401")});
    row("maxTtl below minimum", [](Agent &a) { a.defaultTtlSecs = 59; a.maxTtlSecs = 59; },
        {s("maxTtl: must be between 60 and 86400, got 59"), s("defaultTtl: must be between 60 and 86400, got 59")});
    row("defaultTtl exceeds maxTtl", [](Agent &a) { a.defaultTtlSecs = 3601; },
        {s("defaultTtl: must not exceed maxTtl (3601 > 3600)")});
    // budget
    row("budget one call no tokens", [](Agent &a) { a.maxBudget = Budget{1, 0, Amount()}; });
    row("budget at maximum", [](Agent &a) { a.maxBudget = Budget{1'000'000, 10'000'000'000, Amount::fromUnits(1)}; });
    row("budget zero calls", [](Agent &a) { a.maxBudget.calls = 0; },
        {s("maxBudget.calls: must be between 1 and 1000000, got 0")});
    row("budget too many calls", [](Agent &a) { a.maxBudget.calls = 1'000'001; },
        {s("maxBudget.calls: must be between 1 and 1000000, got 1000001")});
    row("budget negative tokens", [](Agent &a) { a.maxBudget.tokens = -1; },
        {s("maxBudget.tokens: must be between 0 and 10000000000, got -1")});
    row("budget too many tokens", [](Agent &a) { a.maxBudget.tokens = 10'000'000'001; },
        {s("maxBudget.tokens: must be between 0 and 10000000000, got 10000000001")});
    // memory scopes
    row("memory scopes none", [](Agent &a) { a.memoryScopes.clear(); });
    row("memory scopes all modes", [](Agent &a) {
        a.memoryScopes = {{s("a"), MemoryScope::Mode::Read}, {s("b.c"), MemoryScope::Mode::Write},
                          {s("d_e-f"), MemoryScope::Mode::ReadWrite}};
    });
    row("memory scope name uppercase", [](Agent &a) { a.memoryScopes[0].name = s("Notes"); },
        {s("memoryScopes[0].name: \"Notes\" must be 1 to 64 characters: lowercase letters, digits, '_', '.', '-', starting with a letter")});
    row("memory scope name empty", [](Agent &a) { a.memoryScopes[0].name.clear(); },
        {s("memoryScopes[0].name: \"\" must be 1 to 64 characters: lowercase letters, digits, '_', '.', '-', starting with a letter")});
    row("memory scope duplicate", [](Agent &a) { a.memoryScopes << MemoryScope{s("customer-notes"), MemoryScope::Mode::Read}; },
        {s("memoryScopes[1].name: duplicate memory scope \"customer-notes\"")});
    // delegators
    row("delegators none", [](Agent &a) { a.delegators.clear(); });
    row("delegator unknown agent", [](Agent &a) { a.delegators << s("ghost-agent"); },
        {s("delegators[1]: unknown agent \"ghost-agent\"")});
    row("delegator is a human", [](Agent &a) { a.delegators = {s("alice")}; },
        {s("delegators[0]: unknown agent \"alice\"")});
    row("delegator is itself", [](Agent &a) { a.delegators = {s("support-agent")}; },
        {s("delegators[0]: an agent cannot delegate to itself")});
    // policies and labels
    row("policy empty", [](Agent &a) { a.policies << s(" "); }, {s("policies[1]: must not be empty")});
    row("label value 256 characters", [](Agent &a) { a.labels[s("team")] = repeat('v', 256); });
    row("label value 257 characters", [](Agent &a) { a.labels[s("team")] = repeat('v', 257); },
        {s("labels.team: label values must be at most 256 characters")});
    row("label name uppercase", [](Agent &a) { a.labels[s("Team")] = s("x"); },
        {s("labels.Team: label names follow the memory scope rule")});
}

void TestIdentityValidation::agent()
{
    QFETCH(AgentEdit, edit);
    QFETCH(QStringList, expected);
    const FakeContext context;
    Agent agent = validAgent();
    edit.apply(agent);
    QCOMPARE(describe(Validator::validate(agent, context)), expected);
}

void TestIdentityValidation::tool_data()
{
    QTest::addColumn<ToolEdit>("edit");
    QTest::addColumn<QStringList>("expected");

    auto row = [](const char *name, std::function<void(Tool &)> edit, QStringList expected = {}) {
        QTest::addRow("%s", name) << ToolEdit{std::move(edit)} << expected;
    };

    row("valid tool", [](Tool &) {});
    row("id invalid", [](Tool &t) { t.id = s("Refund"); t.actions.clear(); t.actions << ToolAction{s("refund:x"), s("GET"), s("/")}; },
        {s("id: \"Refund\" ") + idRule, s("actions[0].name: \"refund:x\" must start with the tool id \"Refund:\"")});
    row("displayName empty", [](Tool &t) { t.displayName.clear(); }, {s("displayName: must not be empty")});
    // upstream
    row("upstream absent", [](Tool &t) { t.upstream.clear(); });
    row("upstream http with port", [](Tool &t) { t.upstream = s("http://127.0.0.1:8081/v1"); });
    row("upstream ftp", [](Tool &t) { t.upstream = s("ftp://files.internal/"); },
        {s("upstream: \"ftp://files.internal/\" is not an http(s) URL")});
    row("upstream without host", [](Tool &t) { t.upstream = s("https:///api"); },
        {s("upstream: \"https:///api\" is not an http(s) URL")});
    row("upstream not a URL", [](Tool &t) { t.upstream = s("payments internal"); },
        {s("upstream: \"payments internal\" is not an http(s) URL")});
    row("upstream credential", [](Tool &t) { t.upstreamCredential = s("payments-api-2"); });
    const QString notCredential = s(" is not a credential name (lower-case letters, digits and single hyphens, at most 64)");
    for (const char *bad : {"../keys", "Payments", "a/b", ".hidden", "trailing-", "a--b"})
        row(qPrintable(s("upstream credential ") + QLatin1String(bad)), [bad](Tool &t) { t.upstreamCredential = QLatin1String(bad); },
            {s("upstreamCredential: \"%1\"").arg(QLatin1String(bad)) + notCredential});
    row("upstream relative", [](Tool &t) { t.upstream = s("/api"); },
        {s("upstream: \"/api\" is not an http(s) URL")});
    const QString noExtras = s(" must not have a query, a fragment or user info: calls go to its path, with the call's own query");
    row("upstream with a query", [](Tool &t) { t.upstream = s("https://fn.example/api?code=KEY"); },
        {s("upstream: \"https://fn.example/api?code=KEY\"") + noExtras});
    row("upstream with a fragment", [](Tool &t) { t.upstream = s("https://fn.example/api#x"); },
        {s("upstream: \"https://fn.example/api#x\"") + noExtras});
    row("upstream with user info", [](Tool &t) { t.upstream = s("https://user:pw@fn.example/api"); },
        {s("upstream: \"https://user:pw@fn.example/api\"") + noExtras});
    // numbers
    row("riskWeight 0", [](Tool &t) { t.riskWeight = 0; });
    row("riskWeight 100", [](Tool &t) { t.riskWeight = 100; });
    row("riskWeight 101", [](Tool &t) { t.riskWeight = 101; }, {s("riskWeight: must be between 0 and 100, got 101")});
    row("riskWeight -1", [](Tool &t) { t.riskWeight = -1; }, {s("riskWeight: must be between 0 and 100, got -1")});
    row("rateLimitPerMinute 0", [](Tool &t) { t.rateLimitPerMinute = 0; },
        {s("rateLimitPerMinute: must be between 1 and 1000000, got 0")});
    row("rateLimitPerMinute 1000001", [](Tool &t) { t.rateLimitPerMinute = 1'000'001; },
        {s("rateLimitPerMinute: must be between 1 and 1000000, got 1000001")});
    // actions
    row("actions empty", [](Tool &t) { t.actions.clear(); }, {s("actions: must list at least one action")});
    row("action name not tool:verb", [](Tool &t) { t.actions[1].name = s("read"); },
        {s("actions[1].name: \"read\" is not an action (expected tool:verb)")});
    row("action of another tool", [](Tool &t) { t.actions[1].name = s("ticket:read"); },
        {s("actions[1].name: \"ticket:read\" must start with the tool id \"refund:\"")});
    row("action prefix is only a prefix of the id", [](Tool &t) { t.actions[0].name = s("refunds:create"); },
        {s("actions[0].name: \"refunds:create\" must start with the tool id \"refund:\"")});
    row("action duplicate", [](Tool &t) { t.actions[1].name = s("refund:create"); },
        {s("actions[1].name: duplicate action \"refund:create\"")});
    row("path parameter twice", [](Tool &t) { t.actions[0].path = s("/orgs/{id}/users/{ID}"); },
        {s("actions[0].path: parameter {ID} appears more than once")});
    row("path parameters distinct", [](Tool &t) { t.actions[0].path = s("/orgs/{org}/users/{id}"); });
    // methods
    for (const char *method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
        QTest::addRow("method %s", method) << ToolEdit{[method](Tool &t) { t.actions[0].method = s(method); }} << QStringList();
    }
    row("method lowercase", [](Tool &t) { t.actions[0].method = s("post"); },
        {s("actions[0].method: must be one of GET, POST, PUT, PATCH, DELETE; got \"post\"")});
    row("method OPTIONS", [](Tool &t) { t.actions[1].method = s("OPTIONS"); },
        {s("actions[1].method: must be one of GET, POST, PUT, PATCH, DELETE; got \"OPTIONS\"")});
    row("method empty", [](Tool &t) { t.actions[0].method.clear(); },
        {s("actions[0].method: must be one of GET, POST, PUT, PATCH, DELETE; got \"\"")});
    // paths
    row("path root", [](Tool &t) { t.actions[0].path = s("/"); });
    row("path relative", [](Tool &t) { t.actions[0].path = s("refunds"); }, {s("actions[0].path: must start with '/'")});
    row("path empty", [](Tool &t) { t.actions[1].path.clear(); }, {s("actions[1].path: must start with '/'")});
}

void TestIdentityValidation::tool()
{
    QFETCH(ToolEdit, edit);
    QFETCH(QStringList, expected);
    Tool tool = validTool();
    edit.apply(tool);
    QCOMPARE(describe(Validator::validate(tool)), expected);
}

void TestIdentityValidation::human_data()
{
    QTest::addColumn<HumanEdit>("edit");
    QTest::addColumn<QStringList>("expected");

    auto row = [](const char *name, std::function<void(Human &)> edit, QStringList expected = {}) {
        QTest::addRow("%s", name) << HumanEdit{std::move(edit)} << expected;
    };
    row("valid human", [](Human &) {});
    row("without email and department", [](Human &h) { h.email.clear(); h.department.clear(); });
    row("id with digit", [](Human &h) { h.id = s("carol2"); });
    row("id empty", [](Human &h) { h.id.clear(); }, {s("id: is required")});
    row("id with at sign", [](Human &h) { h.id = s("carol@example.com"); }, {s("id: \"carol@example.com\" ") + idRule});
    row("displayName empty", [](Human &h) { h.displayName.clear(); }, {s("displayName: must not be empty")});
    row("issuer missing", [](Human &h) { h.issuer.clear(); }, {s("issuer: is required")});
    row("subject missing", [](Human &h) { h.subject.clear(); }, {s("subject: is required")});
    row("issuer and subject missing", [](Human &h) { h.issuer.clear(); h.subject.clear(); },
        {s("issuer: is required"), s("subject: is required")});
}

void TestIdentityValidation::human()
{
    QFETCH(HumanEdit, edit);
    QFETCH(QStringList, expected);
    Human human = validHuman();
    edit.apply(human);
    QCOMPARE(describe(Validator::validate(human)), expected);
}

void TestIdentityValidation::machine_data()
{
    QTest::addColumn<MachineEdit>("edit");
    QTest::addColumn<QStringList>("expected");

    auto row = [](const char *name, std::function<void(Machine &)> edit, QStringList expected = {}) {
        QTest::addRow("%s", name) << MachineEdit{std::move(edit)} << expected;
    };
    row("valid machine", [](Machine &) {});
    row("kind service", [](Machine &m) { m.machineKind = s("service"); });
    row("kind oauth-client", [](Machine &m) { m.machineKind = s("oauth-client"); });
    row("kind unknown", [](Machine &m) { m.machineKind = s("daemon"); },
        {s("kind: must be one of service, pipeline, oauth-client; got \"daemon\"")});
    row("kind uppercase", [](Machine &m) { m.machineKind = s("Service"); },
        {s("kind: must be one of service, pipeline, oauth-client; got \"Service\"")});
    row("owner unknown", [](Machine &m) { m.owner = s("mallory"); }, {s("owner: unknown human \"mallory\"")});
    row("owner missing", [](Machine &m) { m.owner.clear(); }, {s("owner: is required")});
    row("id invalid", [](Machine &m) { m.id = s("ci_nightly"); }, {s("id: \"ci_nightly\" ") + idRule});
    row("displayName empty", [](Machine &m) { m.displayName.clear(); }, {s("displayName: must not be empty")});
}

void TestIdentityValidation::machine()
{
    QFETCH(MachineEdit, edit);
    QFETCH(QStringList, expected);
    const FakeContext context;
    Machine machine = validMachine();
    edit.apply(machine);
    QCOMPARE(describe(Validator::validate(machine, context)), expected);
}

void TestIdentityValidation::execution_data()
{
    QTest::addColumn<ExecutionEdit>("edit");
    QTest::addColumn<QStringList>("expected");

    auto row = [](const char *name, std::function<void(Execution &)> edit, QStringList expected = {}) {
        QTest::addRow("%s", name) << ExecutionEdit{std::move(edit)} << expected;
    };
    row("valid execution", [](Execution &) {});
    row("root execution chain of one human", [](Execution &e) { e.chain = {s("alice")}; });
    row("capability with constraints", [](Execution &e) {
        e.capabilities[0].constraints = QJsonObject{{s("maxAmount"), s("100.00")}};
    });
    row("id missing", [](Execution &e) { e.id.clear(); }, {s("id: is required")});
    row("agent missing", [](Execution &e) { e.agent.clear(); }, {s("agent: is required")});
    row("agent invalid", [](Execution &e) { e.agent = s("Support Agent"); }, {s("agent: \"Support Agent\" ") + idRule});
    row("chain empty", [](Execution &e) { e.chain.clear(); }, {s("chain: must start with the delegating human")});
    row("capabilities empty", [](Execution &e) { e.capabilities.clear(); }, {s("capabilities: must grant at least one action")});
    row("capability action invalid", [](Execution &e) { e.capabilities << Capability{s("refund"), {}}; },
        {s("capabilities[1].action: \"refund\" is not an action")});
    row("riskCeiling 0", [](Execution &e) { e.riskCeiling = 0; });
    row("riskCeiling 100", [](Execution &e) { e.riskCeiling = 100; });
    row("riskCeiling 101", [](Execution &e) { e.riskCeiling = 101; }, {s("riskCeiling: must be between 0 and 100, got 101")});
    row("riskCeiling -1", [](Execution &e) { e.riskCeiling = -1; }, {s("riskCeiling: must be between 0 and 100, got -1")});
    row("expires one second after issue", [](Execution &e) { e.expiresAt = e.issuedAt.addSecs(1); });
    row("issuedAt missing", [](Execution &e) { e.issuedAt = QDateTime(); }, {s("issuedAt: is required")});
    row("expiresAt missing", [](Execution &e) { e.expiresAt = QDateTime(); }, {s("expiresAt: is required")});
    row("expires when issued", [](Execution &e) { e.expiresAt = e.issuedAt; }, {s("expiresAt: must be after issuedAt")});
    row("expires before issued", [](Execution &e) { e.expiresAt = e.issuedAt.addSecs(-60); }, {s("expiresAt: must be after issuedAt")});
}

void TestIdentityValidation::execution()
{
    QFETCH(ExecutionEdit, edit);
    QFETCH(QStringList, expected);
    Execution execution = validExecution();
    edit.apply(execution);
    QCOMPARE(describe(Validator::validate(execution)), expected);
    QCOMPARE(execution.depth(), int(execution.chain.size()));
}

void TestIdentityValidation::pathPrefix()
{
    const FakeContext context;
    Agent agent = validAgent();
    agent.allowedActions[1] = QStringLiteral("acount:delete");
    const std::vector<Error> errors = Validator::validate(agent, context, QStringLiteral("agents[3]"));
    QCOMPARE(errors.size(), size_t(1));
    QCOMPARE(errors[0].code, QStringLiteral("invalid"));
    QCOMPARE(errors[0].path, QStringLiteral("agents[3].allowedActions[1]"));
    QCOMPARE(errors[0].message, QStringLiteral("unknown action \"acount:delete\""));
    QCOMPARE(errors[0].toString(), QStringLiteral("agents[3].allowedActions[1]: unknown action \"acount:delete\""));

    Tool tool = validTool();
    tool.actions[0].method = QStringLiteral("FETCH");
    QCOMPARE(describe(Validator::validate(tool, QStringLiteral("tools[0]"))),
             QStringList{QStringLiteral("tools[0].actions[0].method: must be one of GET, POST, PUT, PATCH, DELETE; got \"FETCH\"")});
}

void TestIdentityValidation::everyProblemIsReported()
{
    const FakeContext context;
    Agent agent = validAgent();
    agent.owner = QStringLiteral("mallory");
    agent.allowedActions = {QStringLiteral("refund:create"), QStringLiteral("nope"), QStringLiteral("refund:create")};
    agent.trustLevel = 9;
    agent.defaultTtlSecs = 7200;
    const QStringList expected{
        QStringLiteral("owner: unknown human \"mallory\""),
        QStringLiteral("allowedActions[1]: \"nope\" is not an action (expected tool:verb)"),
        QStringLiteral("allowedActions[2]: duplicate action \"refund:create\""),
        QStringLiteral("trustLevel: must be between 0 and 4, got 9"),
        QStringLiteral("defaultTtl: must not exceed maxTtl (7200 > 3600)"),
    };
    QCOMPARE(describe(Validator::validate(agent, context)), expected);
}

QTEST_GUILESS_MAIN(TestIdentityValidation)
#include "tst_identity_validation.moc"
