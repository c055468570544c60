// SPDX-License-Identifier: Apache-2.0
// The decision pipeline on the demo registry and the demo policies, with real Cedar, a real
// audit log and a real database; only token verification is replaced (see FakeAuthority.h).
#include "FakeAuthority.h"

#include "audit/AuditLog.h"
#include "firewall/CedarRequestBuilder.h"
#include "firewall/DecisionPipeline.h"
#include "policy/Authorizer.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"
#include "store/Database.h"

#include <QFile>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <future>
#include <thread>

using namespace mandate;
using identity::Amount;
using identity::Execution;

namespace {

class RecordingEvents final : public firewall::EventSink
{
public:
    QList<QJsonObject> events;
    std::mutex mutex;
    void publish(const QJsonObject &event) override { std::lock_guard lock(mutex); events << event; }
};

QByteArray resource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

Execution execution(const QString &id, const QString &agent, QStringList chain, QStringList actions, const QString &parent = {})
{
    Execution e;
    e.id = id;
    e.agent = agent;
    e.chain = std::move(chain);
    e.purpose = QStringLiteral("refund for ticket T-1001");
    for (const QString &action : actions)
        e.capabilities.append({action, {}});
    e.budget = {10, 1000, *Amount::parse(QStringLiteral("500"))};
    e.riskCeiling = 50;
    e.issuedAt = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    e.expiresAt = e.issuedAt.addSecs(900);
    e.parent = parent;
    return e;
}

/// Two rows of test data filled alike: one decided blocking, one asynchronously.
struct BothModes
{
    QTestData &blocking;
    QTestData &async;
    template<typename T>
    BothModes &operator<<(const T &value)
    {
        blocking << value;
        async << value;
        return *this;
    }
};

} // namespace

class tst_DecisionPipeline final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void decisions_data();
    void decisions();
    void budgetIsChargedOnTheToolPathOnly();
    void everyDecisionIsAudited();
    void recordedRequestReplaysToTheSameDecision();
    void auditFailureDenies_data();
    void auditFailureDenies();
    void heldChargeCommitsWithTheDecision_data();
    void heldChargeCommitsWithTheDecision();
    void chargeRefusedAtCommitIsRecordedAsADenial_data();
    void chargeRefusedAtCommitIsRecordedAsADenial();
    void riskAccumulatesUntilTheCeilingDenies();
    void asyncDecisionsComeFromTheCommitThread();
    void pendingAsyncDecisionsAreWaitedFor();
    void argumentsArePlainData_data();
    void argumentsArePlainData();
    void typedArgumentsTakeTheirPlainForm_data();
    void typedArgumentsTakeTheirPlainForm();
    void anUnservableCallIsRefusedOnceAllowedAndCostsNothing();
    void registryDataThatDoesNotFitTheSchemaIsTheGatewaysFault();

private:
    /// Through decide(), or through decideAsync() when the current test's "async" column says so.
    firewall::CallDecision decide(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge = false);
    static void addModes();
    static firewall::CallRequest call(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge = false);

    QTemporaryDir m_dir;
    ManualClock m_clock;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<registry::Registry> m_registry;
    std::unique_ptr<registry::PolicyStore> m_policies;
    std::unique_ptr<audit::AuditLog> m_audit;
    FakeAuthority m_authority;
    RecordingEvents m_events;
    std::unique_ptr<firewall::RateLimiter> m_limiter;
    std::unique_ptr<firewall::DecisionPipeline> m_pipeline;
};

void tst_DecisionPipeline::initTestCase()
{
    auto db = store::Database::open(m_dir.filePath(QStringLiteral("mandate.db")));
    QVERIFY2(db, qPrintable(db ? QString() : db.error().toString()));
    m_db = std::move(db).value();
    m_registry = std::make_unique<registry::Registry>(*m_db, m_clock);
    QByteArray demo = resource(QStringLiteral(":/mandate/demo/registry.json"));
    demo.replace("${DEMO_UPSTREAM}", "http://127.0.0.1:9/demo-api");
    QVERIFY(m_registry->importJson(QJsonDocument::fromJson(demo).object(), QStringLiteral("test")));

    auto schema = policy::Schema::parse(resource(QStringLiteral(":/mandate/schema/mandate.cedarschema")));
    QVERIFY2(schema, qPrintable(schema ? QString() : schema.error().toString()));
    m_policies = std::make_unique<registry::PolicyStore>(*m_db, m_clock, std::make_shared<const policy::Schema>(std::move(schema).value()));
    auto published = m_policies->publish(QString::fromUtf8(resource(QStringLiteral(":/mandate/policies/demo.cedar"))), 0,
                                         QStringLiteral("test"), QString());
    QVERIFY2(published, qPrintable(published ? QString() : published.error().toString()));

    auto audit = audit::AuditLog::open(*m_db, {QStringLiteral("gw-test"), std::nullopt, false});
    QVERIFY2(audit, qPrintable(audit ? QString() : audit.error().toString()));
    m_audit = std::move(audit).value();
    m_limiter = std::make_unique<firewall::RateLimiter>(m_clock);
    m_pipeline = std::make_unique<firewall::DecisionPipeline>(firewall::DecisionPipeline::Services{
        m_authority, *m_registry, *m_policies, *m_audit, m_events, *m_limiter, m_clock, QStringLiteral("gw-test")});

    const auto add = [this](const QByteArray &token, Execution e, int risk = 0) {
        firewall::ExecutionView view;
        view.remaining = e.budget;
        view.riskScore = risk;
        view.execution = std::move(e);
        m_authority.views.insert(token, view);
    };
    const QStringList aliceChain{QStringLiteral("alice"), QStringLiteral("support-agent")};
    const QStringList supportActions{QStringLiteral("refund:create"), QStringLiteral("ticket:read")};
    add("support", execution(QStringLiteral("ex-support"), QStringLiteral("support-agent"), aliceChain, supportActions));
    add("replay", execution(QStringLiteral("ex-replay"), QStringLiteral("support-agent"), aliceChain, supportActions));
    add("support-with-delete", execution(QStringLiteral("ex-delete"), QStringLiteral("support-agent"), aliceChain,
                                         supportActions + QStringList{QStringLiteral("account:delete")}));
    add("risky", execution(QStringLiteral("ex-risky"), QStringLiteral("support-agent"), aliceChain, supportActions), 51);
    add("finance", execution(QStringLiteral("ex-finance"), QStringLiteral("finance-agent"),
                             {QStringLiteral("bob"), QStringLiteral("finance-agent")}, {QStringLiteral("refund:create")}));
    // refund-subagent acting under a support-agent execution: `principal in Agent::"support-agent"` holds.
    firewall::ExecutionView sub;
    sub.execution = execution(QStringLiteral("ex-sub"), QStringLiteral("refund-subagent"),
                              aliceChain + QStringList{QStringLiteral("refund-subagent")}, {QStringLiteral("refund:create")},
                              QStringLiteral("ex-support"));
    sub.ancestors.push_back(m_authority.views.value("support").execution);
    sub.remaining = sub.execution.budget;
    m_authority.views.insert("sub", sub);
    Execution spent = execution(QStringLiteral("ex-spent"), QStringLiteral("support-agent"), aliceChain, supportActions);
    add("spent", spent);
    m_authority.views["spent"].remaining.calls = 0;
    for (const QByteArray &token : m_authority.views.keys()) {
        firewall::ExecutionView twin = m_authority.views.value(token);
        twin.execution.id += QStringLiteral("-async");
        m_authority.views.insert(token + "-async", twin);
    }
}

firewall::CallRequest tst_DecisionPipeline::call(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge)
{
    firewall::CallRequest call;
    call.bearer = token;
    call.action = action;
    call.tool = action.section(u':', 0, 0);
    call.args = args;
    call.charge = charge;
    return call;
}

void tst_DecisionPipeline::addModes()
{
    QTest::addColumn<bool>("async");
    QTest::addRow("blocking") << false;
    QTest::addRow("async") << true;
}

firewall::CallDecision tst_DecisionPipeline::decide(const QByteArray &token, const QString &action, const QJsonObject &args, bool charge)
{
    const bool async = QTest::currentDataTag() && QByteArrayView(QTest::currentDataTag()).endsWith("async");
    if (!async)
        return m_pipeline->decide(call(token, action, args, charge));
    // The executions' twins, so that the async rows meet the same state as the blocking ones.
    const QByteArray twin = token + "-async";
    std::promise<firewall::CallDecision> decided;
    std::future<firewall::CallDecision> future = decided.get_future();
    m_pipeline->decideAsync(call(m_authority.views.contains(twin) ? twin : token, action, args, charge), [&decided](firewall::CallDecision decision) {
        decided.set_value(std::move(decision));  // a second call would throw: exactly once
    });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
        qFatal("an asynchronous decision was never answered");
    return future.get();
}

void tst_DecisionPipeline::decisions_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("amount");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("step");
    QTest::addColumn<QString>("reason");

    // Every row through decide() and through decideAsync() (tag suffix "async").
    const auto addRow = [](const char *name) {
        return BothModes{QTest::addRow("%s", name), QTest::addRow("%s, async", name)};
    };

    addRow("refund under the limit") << QByteArray("support") << QStringLiteral("refund:create") << QStringLiteral("42.00") << true << QString() << QStringLiteral("support-agent-refunds-up-to-100");
    addRow("refund at the limit") << QByteArray("support") << QStringLiteral("refund:create") << QStringLiteral("100.00") << true << QString() << QStringLiteral("support-agent-refunds-up-to-100");
    addRow("refund over the limit") << QByteArray("support") << QStringLiteral("refund:create") << QStringLiteral("100.01") << false << QStringLiteral("policy") << QString();
    addRow("ticket read") << QByteArray("support") << QStringLiteral("ticket:read") << QString() << true << QString() << QStringLiteral("support-agent-tickets");
    addRow("not in the token") << QByteArray("support") << QStringLiteral("account:delete") << QString() << false << QStringLiteral("capability") << QString();
    addRow("ticket update not granted") << QByteArray("support") << QStringLiteral("ticket:update") << QString() << false << QStringLiteral("capability") << QString();
    addRow("forbid overrides") << QByteArray("support-with-delete") << QStringLiteral("account:delete") << QString() << false << QStringLiteral("policy") << QStringLiteral("no-account-deletion");
    addRow("over the risk ceiling") << QByteArray("risky") << QStringLiteral("ticket:read") << QString() << false << QStringLiteral("risk") << QString();
    addRow("no permit for finance") << QByteArray("finance") << QStringLiteral("refund:create") << QStringLiteral("10.00") << false << QStringLiteral("policy") << QString();
    addRow("sub-execution inherits") << QByteArray("sub") << QStringLiteral("refund:create") << QStringLiteral("50.00") << true << QString() << QStringLiteral("support-agent-refunds-up-to-100");
    addRow("spent budget") << QByteArray("spent") << QStringLiteral("ticket:read") << QString() << false << QStringLiteral("budget") << QString();
    addRow("garbage token") << QByteArray("garbage") << QStringLiteral("ticket:read") << QString() << false << QStringLiteral("token") << QString();
    addRow("unknown tool") << QByteArray("support") << QStringLiteral("payroll:run") << QString() << false << QStringLiteral("request") << QString();
}

void tst_DecisionPipeline::decisions()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, action);
    QFETCH(QString, amount);
    QFETCH(bool, allowed);
    QFETCH(QString, step);
    QFETCH(QString, reason);

    QJsonObject args;
    if (!amount.isEmpty())
        args.insert(QStringLiteral("amount"), amount);
    const firewall::CallDecision decision = decide(token, action, args);
    QVERIFY2(decision.allowed == allowed, qPrintable(decision.step + QStringLiteral(": ") + decision.message));
    QCOMPARE(decision.step, step);
    if (!reason.isEmpty())
        QCOMPARE(decision.reasons, QStringList{reason});
    QVERIFY(decision.errors.isEmpty() || step == QLatin1String("token"));
    QVERIFY(!decision.decisionId.isEmpty());
    QCOMPARE(decision.traceId.size(), 32);
    if (!allowed)
        QVERIFY(!decision.message.isEmpty());
}

void tst_DecisionPipeline::budgetIsChargedOnTheToolPathOnly()
{
    const qint64 before = m_authority.views.value("support").remaining.calls;
    QVERIFY(decide("support", QStringLiteral("ticket:read"), {}).allowed);
    QCOMPARE(m_authority.views.value("support").remaining.calls, before);
    const auto charged = decide("support", QStringLiteral("refund:create"), {{QStringLiteral("amount"), QStringLiteral("40.00")}}, true);
    QVERIFY(charged.allowed);
    QCOMPARE(m_authority.views.value("support").remaining.calls, before - 1);
    QCOMPARE(charged.view.remaining.amount, *Amount::parse(QStringLiteral("460")));
}

void tst_DecisionPipeline::everyDecisionIsAudited()
{
    QSqlQuery count(m_db->connection());
    const auto records = [&]() {
        count.exec(QStringLiteral("SELECT count(*) FROM audit_records"));
        count.next();
        return count.value(0).toLongLong();
    };
    const qint64 before = records();
    const int eventsBefore = static_cast<int>(m_events.events.size());
    decide("support", QStringLiteral("ticket:read"), {});
    decide("support", QStringLiteral("account:delete"), {});
    decide("garbage", QStringLiteral("ticket:read"), {});
    QCOMPARE(records(), before + 3);
    QCOMPARE(m_events.events.size(), eventsBefore + 3);
    QCOMPARE(m_events.events.last().value(QStringLiteral("decision")).toString(), QStringLiteral("deny"));
}

void tst_DecisionPipeline::recordedRequestReplaysToTheSameDecision()
{
    const auto decision = decide("replay", QStringLiteral("refund:create"), {{QStringLiteral("amount"), QStringLiteral("99.99")}});
    QVERIFY2(decision.allowed, qPrintable(decision.message));
    // What the audit log keeps is enough to decide again, offline, with the same result.
    // (The request as the record's body has it; the JSON form is built only when the bytes are not.)
    const QByteArray stored = decision.cedarRequestCanonical.isEmpty() ? QJsonDocument(decision.cedarRequest).toJson()
                                                                       : decision.cedarRequestCanonical;
    auto replayed = firewall::CedarRequestBuilder::parse(QJsonDocument::fromJson(stored).object(), m_policies->active()->schema.get());
    QVERIFY2(replayed, qPrintable(replayed ? QString() : replayed.error().toString()));
    const auto verdict = policy::Authorizer::isAuthorized(m_policies->active()->policies, replayed->entities, replayed->request);
    QVERIFY(verdict.allowed);
    QCOMPARE(verdict.reasons.size(), size_t(1));
    QCOMPARE(verdict.reasons.front()->annotation(QStringLiteral("id")), QStringLiteral("support-agent-refunds-up-to-100"));
}

void tst_DecisionPipeline::auditFailureDenies_data()
{
    addModes();
}

void tst_DecisionPipeline::auditFailureDenies()
{
    // Fail closed: with the audit table locked by another writer, an allow turns into a deny.
    // A fresh execution, so that the call would be its first ticket:read and carry a risk step.
    firewall::ExecutionView view = m_authority.views.value("support");
    view.execution.id = QStringLiteral("ex-unrecorded");
    view.riskScore = 0;
    view.sessionActions.clear();
    m_authority.views.insert("unrecorded", view);
    auto blocker = store::Database::open(m_dir.filePath(QStringLiteral("mandate.db")));
    QVERIFY(blocker);
    QSqlQuery lock(blocker.value()->connection());
    QVERIFY(lock.exec(QStringLiteral("BEGIN EXCLUSIVE")));
    const auto decision = decide("unrecorded", QStringLiteral("ticket:read"), {});
    QSqlQuery(blocker.value()->connection()).exec(QStringLiteral("ROLLBACK"));
    QVERIFY(!decision.allowed);
    QCOMPARE(decision.step, QStringLiteral("audit"));
    QCOMPARE(decision.httpStatus, 503);
    // Counted as a denied call, without the risk of an action it never exercised.
    QCOMPARE(m_authority.calls.last(), QStringLiteral("ex-unrecorded ticket:read deny 0"));
    QCOMPARE(m_authority.views.value("unrecorded").riskScore, 0);
}

void tst_DecisionPipeline::heldChargeCommitsWithTheDecision_data()
{
    addModes();
}

void tst_DecisionPipeline::heldChargeCommitsWithTheDecision()
{
    firewall::ExecutionView view = m_authority.views.value("support");
    view.execution.id = QStringLiteral("ex-held");
    view.riskScore = 0;
    m_authority.views.insert("held", view);
    m_authority.deferredCommit = true;
    m_authority.settled.clear();
    const auto decision = decide("held", QStringLiteral("ticket:read"), {}, true);
    m_authority.deferredCommit.reset();
    QVERIFY2(decision.allowed, qPrintable(decision.message));
    QCOMPARE(m_authority.settled, QStringList{QStringLiteral("ex-held committed")});
    QCOMPARE(m_authority.views.value("held").remaining.calls, view.remaining.calls - 1);
}

void tst_DecisionPipeline::chargeRefusedAtCommitIsRecordedAsADenial_data()
{
    addModes();
}

void tst_DecisionPipeline::chargeRefusedAtCommitIsRecordedAsADenial()
{
    // The charge fitted in memory, but the database refused it as the record was written (a
    // sub-delegation or another gateway spent first): the call is denied, the denial is what
    // the audit log says, and the held charge is given back.
    firewall::ExecutionView before = m_authority.views.value("support");
    before.execution.id = QStringLiteral("ex-refused");
    before.riskScore = 0;
    m_authority.views.insert("refused", before);
    m_authority.deferredCommit = false;
    m_authority.settled.clear();
    const auto decision = decide("refused", QStringLiteral("ticket:read"), {}, true);
    m_authority.deferredCommit.reset();
    QVERIFY(!decision.allowed);
    QCOMPARE(decision.step, QStringLiteral("budget"));
    QCOMPARE(decision.httpStatus, 403);
    QCOMPARE(decision.view.remaining, before.remaining);
    QCOMPARE(m_authority.views.value("refused").remaining, before.remaining);
    QCOMPARE(m_authority.settled, QStringList{QStringLiteral("ex-refused given-back")});
    QSqlQuery last(m_db->connection());
    QVERIFY(last.exec(QStringLiteral("SELECT json_extract(body, '$.\"mandate.decision\"'), json_extract(body, '$.\"mandate.decision.id\"') "
                                     "FROM audit_records ORDER BY seq DESC LIMIT 1")));
    QVERIFY(last.next());
    QCOMPARE(last.value(0).toString(), QStringLiteral("deny"));
    QCOMPARE(last.value(1).toString(), decision.decisionId);
}

void tst_DecisionPipeline::riskAccumulatesUntilTheCeilingDenies()
{
    // Denied calls raise the risk score (twice the tool's weight); past the ceiling (50) even
    // allowed actions are refused.
    firewall::ExecutionView view;
    view.execution = execution(QStringLiteral("ex-probe"), QStringLiteral("support-agent"),
                               {QStringLiteral("alice"), QStringLiteral("support-agent")},
                               {QStringLiteral("ticket:read"), QStringLiteral("refund:create")});
    view.remaining = view.execution.budget;
    m_authority.views.insert("probe", view);
    int denials = 0;
    while (decide("probe", QStringLiteral("refund:create"), {{QStringLiteral("amount"), QStringLiteral("500.00")}}).step == QLatin1String("policy"))
        ++denials;
    QCOMPARE(denials, 6);  // 6 × 10 = 60 > 50
    const auto refused = decide("probe", QStringLiteral("ticket:read"), {});
    QCOMPARE(refused.step, QStringLiteral("risk"));
}

void tst_DecisionPipeline::asyncDecisionsComeFromTheCommitThread()
{
    // The caller's thread only queues the record; the answer comes once it is committed, from
    // another thread, exactly once, and the record is in the database by then.
    firewall::ExecutionView view = m_authority.views.value("support");
    view.execution.id = QStringLiteral("ex-answered");
    view.riskScore = 0;
    m_authority.views.insert("answered", view);
    const std::thread::id caller = std::this_thread::get_id();
    std::promise<std::pair<firewall::CallDecision, std::thread::id>> decided;
    auto future = decided.get_future();
    m_pipeline->decideAsync(call("answered", QStringLiteral("ticket:read"), {}), [&decided](firewall::CallDecision decision) {
        decided.set_value({std::move(decision), std::this_thread::get_id()});
    });
    QCOMPARE(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    const auto [decision, answeredOn] = future.get();
    QVERIFY2(decision.allowed, qPrintable(decision.message));
    QVERIFY(answeredOn != caller);
    QSqlQuery recorded(m_db->connection());
    QVERIFY(recorded.exec(QStringLiteral("SELECT count(*) FROM audit_records WHERE json_extract(body, '$.\"mandate.decision.id\"') = '%1'")
                              .arg(decision.decisionId)));
    QVERIFY(recorded.next());
    QCOMPARE(recorded.value(0).toInt(), 1);
}

void tst_DecisionPipeline::pendingAsyncDecisionsAreWaitedFor()
{
    // What a shutting-down endpoint relies on: once waitForPendingDecisions() returns, every
    // decision begun before has been answered.
    constexpr int Calls = 50;
    std::atomic<int> answered{0};
    for (int i = 0; i < Calls; ++i)
        m_pipeline->decideAsync(call("support", QStringLiteral("ticket:read"), {}), [&answered](firewall::CallDecision) { ++answered; });
    m_pipeline->waitForPendingDecisions();
    QCOMPARE(answered.load(), Calls);
}


void tst_DecisionPipeline::argumentsArePlainData_data()
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

void tst_DecisionPipeline::argumentsArePlainData()
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

void tst_DecisionPipeline::typedArgumentsTakeTheirPlainForm_data()
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

void tst_DecisionPipeline::typedArgumentsTakeTheirPlainForm()
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

void tst_DecisionPipeline::anUnservableCallIsRefusedOnceAllowedAndCostsNothing()
{
    firewall::ExecutionView fresh;
    fresh.execution = execution(QStringLiteral("ex-unservable"), QStringLiteral("support-agent"), {QStringLiteral("alice"), QStringLiteral("support-agent")},
                                {QStringLiteral("ticket:read")});
    fresh.remaining = fresh.execution.budget;
    m_authority.views.insert("unservable", fresh);
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

void tst_DecisionPipeline::registryDataThatDoesNotFitTheSchemaIsTheGatewaysFault()
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

    firewall::ExecutionView fresh;
    fresh.execution = execution(QStringLiteral("ex-misfit"), QStringLiteral("support-agent"), {QStringLiteral("alice"), QStringLiteral("support-agent")},
                                {QStringLiteral("ticket:read")});
    fresh.remaining = fresh.execution.budget;
    m_authority.views.insert("misfit", fresh);
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

QTEST_GUILESS_MAIN(tst_DecisionPipeline)
#include "tst_decision_pipeline.moc"
