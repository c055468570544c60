// SPDX-License-Identifier: Apache-2.0
// The decision pipeline on the demo registry and the demo policies (PipelineFixture.h): the
// decisions and their reasons, charging, auditing before the effect, risk, and the asynchronous
// path. The request step's refusals are in tst_pipeline_request_step, what commits with a
// decision's record in tst_pipeline_records.
#include "PipelineFixture.h"

#include "firewall/CedarEntityCache.h"
#include "firewall/CedarRequestBuilder.h"
#include "policy/EntityUid.h"
#include "policy/Authorizer.h"

#include <QScopeGuard>
#include <QSqlQuery>
#include <QTest>

#include <atomic>
#include <stdexcept>
#include <future>
#include <thread>

using namespace mandate;
using namespace mandate::testing;

namespace {

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

class tst_DecisionPipeline final : public PipelineFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { setUp(); }
    void decisions_data();
    void decisions();
    void executionThatCannotBeReadIs503();
    void viewOfAnotherExecutionIsRefused();
    void budgetIsChargedOnTheToolPathOnly();
    void chargeTheStoreCannotMakeIsNotTheAgents();
    void chargeHeldByADecisionThatThrowsIsGivenBack();
    void everyDecisionIsAudited();
    void recordedRequestReplaysToTheSameDecision();
    void riskAccumulatesUntilTheCeilingDenies();
    void rateLimitedCallSaysWhenToRetry();
    void asyncDecisionsComeFromTheCommitThread();
    void pendingAsyncDecisionsAreWaitedFor();
    void anotherExecutionDoesNotWaitForOne();
    void registryChangesElsewhereAreSeenWithinTheBound();
    void suspendedAgentStopsItsExecutions_data();
    void suspendedAgentStopsItsExecutions();
    void executionsDoNotStayInterned();
};

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

void tst_DecisionPipeline::executionThatCannotBeReadIs503()
{
    // The gateway failing to read an execution says nothing against its token: 503, not the
    // 401 that tells a client to throw the token away.
    m_authority.failures.insert("busy-token", Error{QStringLiteral("busy"), QStringLiteral("kept changing")});
    m_authority.failures.insert("store-token", Error{QStringLiteral("store_error"), QStringLiteral("disk I/O error")});
    m_authority.failures.insert("revoked-token", Error{QStringLiteral("revoked"), QStringLiteral("execution e9 was revoked")});
    m_authority.failures.insert("locked-token", Error{QStringLiteral("store_locked"), QStringLiteral("database is locked")});
    m_authority.failures.insert("corrupt-token", Error{QStringLiteral("store_corrupt"), QStringLiteral("database disk image is malformed")});
    for (const auto &[token, status] : {std::pair{QByteArray("busy-token"), 503}, std::pair{QByteArray("store-token"), 503},
                                        std::pair{QByteArray("locked-token"), 503}, std::pair{QByteArray("corrupt-token"), 503},
                                        std::pair{QByteArray("revoked-token"), 401}, std::pair{QByteArray("garbage"), 401}}) {
        const firewall::CallDecision decision = decide(token, QStringLiteral("ticket:read"), {});
        QVERIFY(!decision.allowed);
        QCOMPARE(decision.step, QStringLiteral("token"));
        QCOMPARE(decision.httpStatus, status);
    }
}

void tst_DecisionPipeline::viewOfAnotherExecutionIsRefused()
{
    // The lock is the execution the token names; a view of another execution, read under it,
    // would be decided without that execution's serialization: refused, as the store failing.
    m_authority.views.insert("mismatched", m_authority.views.value("support"));
    m_authority.namedExecutions.insert("mismatched", QStringLiteral("ex-not-support"));
    const auto forget = qScopeGuard([this] {
        m_authority.views.remove("mismatched");
        m_authority.namedExecutions.remove("mismatched");
    });
    const firewall::CallDecision decision = decide("mismatched", QStringLiteral("ticket:read"), {});
    QVERIFY(!decision.allowed);
    QCOMPARE(decision.step, QStringLiteral("token"));
    QCOMPARE(decision.httpStatus, 503);
    QVERIFY(decision.errors.contains(QStringLiteral("store_error")));
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

void tst_DecisionPipeline::chargeTheStoreCannotMakeIsNotTheAgents()
{
    // The store failing to charge is the gateway's failure: 503, and no risk for the agent.
    firewall::ExecutionView view = m_authority.views.value("support");
    view.execution.id = QStringLiteral("ex-charge-fails");
    view.riskScore = 0;
    m_authority.views.insert("charge-fails", view);
    m_authority.chargeFailure = Error{QStringLiteral("store_locked"), QStringLiteral("database is locked")};
    const auto forget = qScopeGuard([this] {
        m_authority.chargeFailure.reset();
        m_authority.views.remove("charge-fails");
    });
    const firewall::CallDecision failed = decide("charge-fails", QStringLiteral("ticket:read"), {}, true);
    QVERIFY(!failed.allowed);
    QCOMPARE(failed.step, QStringLiteral("budget"));
    QCOMPARE(failed.httpStatus, 503);
    QCOMPARE(failed.view.riskScore, 0);
    for (const QString &call : std::as_const(m_authority.calls))  // nor a denial in its session counters
        QVERIFY2(!call.startsWith(QLatin1String("ex-charge-fails ")), qPrintable(call));
    // An exhausted budget is still the agent's: 403.
    m_authority.chargeFailure = Error{QStringLiteral("budget_exhausted"), QStringLiteral("the execution's budget is exhausted")};
    const firewall::CallDecision exhausted = decide("charge-fails", QStringLiteral("ticket:read"), {}, true);
    QCOMPARE(exhausted.httpStatus, 403);
}

void tst_DecisionPipeline::chargeHeldByADecisionThatThrowsIsGivenBack()
{
    // Between holding a charge and settling it the decision may throw (an allocation failing):
    // the charge is given back, not left held for good.
    firewall::ExecutionView view = m_authority.views.value("support");
    view.execution.id = QStringLiteral("ex-throws");
    view.riskScore = 0;
    m_authority.views.insert("throws", view);
    m_authority.onClaimFirstUse = [] { throw std::runtime_error("out of memory, say"); };
    const auto forget = qScopeGuard([this] {
        m_authority.onClaimFirstUse = nullptr;
        m_authority.views.remove("throws");
    });
    const qint64 before = m_authority.views.value("throws").remaining.calls;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, decide("throws", QStringLiteral("ticket:read"), {}, true));
    QCOMPARE(m_authority.views.value("throws").remaining.calls, before);
    QVERIFY2(m_authority.settled.contains(QStringLiteral("ex-throws given-back")), qPrintable(m_authority.settled.join(u'|')));
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

void tst_DecisionPipeline::rateLimitedCallSaysWhenToRetry()
{
    // The execution's bucket (600 calls a minute) emptied by calls a moment ago: the next call
    // is denied at the rate-limit step, recorded, and told when one will be accepted again.
    firewall::ExecutionView view = m_authority.views.value("support");
    view.execution.id = QStringLiteral("ex-limited");
    view.riskScore = 0;
    m_authority.views.insert("limited", view);
    const auto forget = qScopeGuard([this] { m_authority.views.remove("limited"); });
    for (int i = 0; i < 600; ++i)
        QVERIFY(m_limiter->tryAcquire({{QStringLiteral("execution:ex-limited"), 600}}));
    const firewall::CallDecision limited = decide("limited", QStringLiteral("ticket:read"), {});
    QVERIFY(!limited.allowed);
    QCOMPARE(limited.step, QStringLiteral("rate_limit"));
    QCOMPARE(limited.httpStatus, 429);
    QCOMPARE(limited.retryAfterSecs, 1);  // 600 a minute: one every 100 ms, rounded up to a second
    QVERIFY2(limited.message.contains(QLatin1String("accepted in 1 s")), qPrintable(limited.message));
    QCOMPARE(limited.toJson().value(QStringLiteral("retry_after")).toInt(), 1);
    QSqlQuery record(m_db->connection());
    QVERIFY(record.exec(QStringLiteral("SELECT json_extract(body, '$.\"mandate.details\".\"mandate.decision.step\"'), "
                                       "json_extract(body, '$.\"mandate.details\".\"mandate.decision.status\"') FROM audit_records "
                                       "WHERE json_extract(body, '$.\"mandate.decision.id\"') = '%1'").arg(limited.decisionId)));
    QVERIFY(record.next());
    QCOMPARE(record.value(0).toString(), QStringLiteral("rate_limit"));
    QCOMPARE(record.value(1).toInt(), 429);  // what the caller was answered

    // Once a token has come back, the call goes, and an allowed decision carries no retry time.
    m_clock.set(m_clock.now().addMSecs(100));
    const firewall::CallDecision allowed = decide("limited", QStringLiteral("ticket:read"), {});
    QVERIFY(allowed.allowed);
    QCOMPARE(allowed.retryAfterSecs, 0);
    QVERIFY(!allowed.toJson().contains(QStringLiteral("retry_after")));
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

void tst_DecisionPipeline::anotherExecutionDoesNotWaitForOne()
{
    // A decision holds its execution's lock while it reads the execution's state. Another
    // execution's decision runs meanwhile, also one whose id shared a lock stripe with it when
    // the locks were 64 striped mutexes (qHash(id) % 64): a burst of one agent's calls held up
    // unrelated agents that way.
    firewall::ExecutionView held = m_authority.views.value("support");
    held.execution.id = QStringLiteral("ex-held");
    held.riskScore = 0;  // "support" carries the risk earlier tests added
    m_authority.views.insert("held", held);
    QString otherId;
    for (int i = 0; otherId.isEmpty(); ++i) {
        const QString candidate = QStringLiteral("ex-other-%1").arg(i);
        if (qHash(candidate) % 64 == qHash(held.execution.id) % 64)
            otherId = candidate;
    }
    firewall::ExecutionView other = m_authority.views.value("support");
    other.execution.id = otherId;
    other.riskScore = 0;
    m_authority.views.insert("other", other);

    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    m_authority.onAuthenticate = [&entered, released](const QByteArray &bearer) {
        if (bearer == "held") {
            entered.set_value();
            released.wait();
        }
    };
    const auto cleanup = qScopeGuard([this] { m_authority.onAuthenticate = nullptr; });
    auto heldDecision = std::async(std::launch::async, [this] { return decide("held", QStringLiteral("ticket:read"), {}); });
    if (entered.get_future().wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        release.set_value();
        QFAIL("the held decision never read its execution");
    }
    // "held" now holds its execution's lock
    auto otherDecision = std::async(std::launch::async, [this] { return decide("other", QStringLiteral("ticket:read"), {}); });
    const bool otherWasDecided = otherDecision.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    release.set_value();
    QVERIFY(otherWasDecided);
    const firewall::CallDecision otherCall = otherDecision.get();
    QVERIFY2(otherCall.allowed, qPrintable(otherCall.message));
    const firewall::CallDecision heldCall = heldDecision.get();
    QVERIFY2(heldCall.allowed, qPrintable(heldCall.message));
}

void tst_DecisionPipeline::registryChangesElsewhereAreSeenWithinTheBound()
{
    // This registry's writes invalidate the cache through Registry::changed (not connected
    // here, as for a change made by another gateway on the same database): such a change is
    // seen once the cached record is kRegistryCacheSecs old.
    m_pipeline->invalidateRegistryCache();  // read now, whatever earlier tests did with the clock
    const identity::Tool before = m_pipeline->tool(QStringLiteral("ticket")).value();
    identity::Tool moved = before;
    moved.upstream = QStringLiteral("http://127.0.0.1:9/moved");
    QVERIFY(m_registry->update(moved, before.version, QStringLiteral("other-gateway")));
    QCOMPARE(m_pipeline->tool(QStringLiteral("ticket")).value().upstream, before.upstream);
    m_clock.advanceSecs(firewall::DecisionPipeline::kRegistryCacheSecs - 1);
    QCOMPARE(m_pipeline->tool(QStringLiteral("ticket")).value().upstream, before.upstream);
    m_clock.advanceSecs(1);
    QCOMPARE(m_pipeline->tool(QStringLiteral("ticket")).value().upstream, moved.upstream);

    // Put back for the other tests, and dropped from the cache at once.
    identity::Tool restored = before;
    QVERIFY(m_registry->update(restored, before.version + 1, QStringLiteral("other-gateway")));
    m_pipeline->invalidateRegistryCache();
    QCOMPARE(m_pipeline->tool(QStringLiteral("ticket")).value().upstream, before.upstream);
}

void tst_DecisionPipeline::suspendedAgentStopsItsExecutions_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("suspended");
    QTest::addRow("the acting agent") << QByteArray("sub") << QStringLiteral("refund-subagent");
    QTest::addRow("the agent that delegated") << QByteArray("sub") << QStringLiteral("support-agent");
}

void tst_DecisionPipeline::suspendedAgentStopsItsExecutions()
{
    // An execution's token stays valid, but an agent of its chain that is suspended denies
    // every call; once the agent is active again, calls go.
    QFETCH(QByteArray, token);
    QFETCH(QString, suspended);
    // A fresh execution of the same chain: the denials here raise only its own risk.
    firewall::ExecutionView view = m_authority.views.value(token);
    view.execution.id = QStringLiteral("ex-suspension-") + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-');
    view.riskScore = 0;
    token = "suspension-probe";
    m_authority.views.insert(token, view);
    const auto forget = qScopeGuard([this] { m_authority.views.remove("suspension-probe"); });
    const auto call = [&] { return decide(token, QStringLiteral("refund:create"), {{QStringLiteral("amount"), QStringLiteral("5.00")}}); };
    QVERIFY2(call().allowed, qPrintable(call().message));
    const identity::Agent before = m_registry->agent(suspended).value();
    identity::Agent changed = before;
    changed.status = identity::Agent::Status::Suspended;
    QVERIFY(m_registry->update(changed, before.version, QStringLiteral("admin")));
    m_pipeline->invalidateRegistryCache();  // as Registry::changed does in the gateway
    const firewall::CallDecision refused = call();
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.step, QStringLiteral("request"));
    QCOMPARE(refused.httpStatus, 403);
    QCOMPARE(refused.message, QStringLiteral("agent \"%1\" of the chain is suspended").arg(suspended));

    changed.status = identity::Agent::Status::Active;
    QVERIFY(m_registry->update(changed, before.version + 1, QStringLiteral("admin")));
    m_pipeline->invalidateRegistryCache();
    QVERIFY2(call().allowed, qPrintable(call().message));
}

void tst_DecisionPipeline::executionsDoNotStayInterned()
{
    // Each execution is a new `Execution::"…"` uid. What deciding its calls interns lives with
    // the request and the entity-cache entry that read it, so a gateway's memory does not grow
    // with every execution it has seen (it did, by about 230 bytes each, for good).
    const policy::UidTable::Size before = policy::UidTable::size();
    const int executions = int(firewall::CedarEntityCache::MaxEntries) * 2 + 100;
    const QJsonObject overTheLimit{{QStringLiteral("amount"), QStringLiteral("500.00")}};
    for (int i = 0; i < executions; ++i) {
        const QByteArray token = "interned-" + QByteArray::number(i);
        addExecutionWith(token, QStringLiteral("ex-interned-%1").arg(i), {QStringLiteral("refund:create")});
        // Denied by policy: evaluated in full, and no rate limit spent for the other tests.
        const firewall::CallDecision decision = m_pipeline->decide(call(token, QStringLiteral("refund:create"), overTheLimit));
        QCOMPARE(decision.step, QStringLiteral("policy"));
        m_authority.views.remove(token);
    }
    // Signed: entries of earlier tests that the cache dropped meanwhile count against it.
    const qint64 grown = qint64(policy::UidTable::size().uids) - qint64(before.uids);
    // The cache starts over every MaxEntries entries; those it holds now have one new uid each
    // (their execution's), plus the agent, human and tool they all share. Nothing else stays.
    const qint64 cached = executions % firewall::CedarEntityCache::MaxEntries;
    QVERIFY2(grown <= cached + 3, qPrintable(QStringLiteral("%1 uids stayed after %2 executions").arg(grown).arg(executions)));
    QCOMPARE(policy::UidTable::size().types, before.types);
}

QTEST_GUILESS_MAIN(tst_DecisionPipeline)
#include "tst_decision_pipeline.moc"
