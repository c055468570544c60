// SPDX-License-Identifier: Apache-2.0
// Property: across thousands of random root and sub-delegation requests (random agents with
// random ceilings, random narrowing or widening asks, charges, revocations, time passing), no
// child ever holds anything its parent lacks — actions, budget (reserved from the parent's
// remaining), expiry, risk ceiling, depth — and the broker accepts exactly the requests an
// independent model of the rules accepts. The seed is printed; MANDATE_PROPERTY_SEED replays it.
#include "BrokerFixture.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTest>

#include <random>

using namespace mandate;
using namespace mandate::testing;
using identity::Agent;
using identity::Amount;
using identity::Budget;

namespace {

const QStringList kActions{QStringLiteral("account:delete"), QStringLiteral("account:read"), QStringLiteral("refund:create"),
                           QStringLiteral("ticket:read"), QStringLiteral("ticket:update")};
constexpr int kAgents = 5;

QString agentId(int i) { return QStringLiteral("agent-%1").arg(i); }

} // namespace

class tst_DelegationProperty final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void childNeverExceedsParent();

private:
    std::mt19937_64 m_rng;
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    qint64 uniform64(qint64 lo, qint64 hi) { return std::uniform_int_distribution<qint64>(lo, hi)(m_rng); }
    bool chance(double p) { return std::bernoulli_distribution(p)(m_rng); }
    QStringList subset(const QStringList &from);
    QJsonObject randomRegistry();
};

void tst_DelegationProperty::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false\nmandate.*.warning=false"));
}

QStringList tst_DelegationProperty::subset(const QStringList &from)
{
    QStringList out;
    for (const QString &s : from) {
        if (chance(0.5))
            out << s;
    }
    return out;
}

QJsonObject tst_DelegationProperty::randomRegistry()
{
    QFile file(QStringLiteral(MANDATE_SOURCE_DIR "/resources/demo/registry.json"));
    file.open(QIODevice::ReadOnly);
    QByteArray text = file.readAll();
    text.replace("${DEMO_UPSTREAM}", "http://127.0.0.1:9");
    QJsonObject document = json::parse(text)->toObject();
    QJsonArray agents;
    for (int i = 0; i < kAgents; ++i) {
        QStringList allowed = subset(kActions);
        if (allowed.isEmpty())
            allowed << kActions.at(uniform(0, int(kActions.size()) - 1));
        QStringList delegators;
        for (int j = 0; j < kAgents; ++j) {
            if (j != i && chance(0.7))  // the registry refuses self-delegation
                delegators << agentId(j);
        }
        const qint64 maxTtl = uniform(600, 3600);
        agents.append(QJsonObject{
            {QStringLiteral("id"), agentId(i)}, {QStringLiteral("displayName"), agentId(i)}, {QStringLiteral("owner"), QStringLiteral("carol")},
            {QStringLiteral("allowedActions"), QJsonArray::fromStringList(allowed)},
            // Mostly room for chains, so that deep sub-delegation is exercised; agent-0 may be a leaf.
            {QStringLiteral("maxDelegationDepth"), uniform(i == 0 ? 1 : 2, 5)},
            {QStringLiteral("defaultTtl"), uniform64(60, maxTtl)}, {QStringLiteral("maxTtl"), maxTtl},
            {QStringLiteral("maxBudget"), QJsonObject{{QStringLiteral("calls"), uniform(5, 200)},
                                                      {QStringLiteral("tokens"), uniform(100, 100000)},
                                                      {QStringLiteral("amount"), Amount::fromUnits(uniform64(0, 5'000'000)).toString()}}},
            {QStringLiteral("delegators"), QJsonArray::fromStringList(delegators)}});
    }
    document.insert(QStringLiteral("agents"), agents);
    return document;
}

void tst_DelegationProperty::childNeverExceedsParent()
{
    const QByteArray seedText = qgetenv("MANDATE_PROPERTY_SEED");
    const quint64 seed = seedText.isEmpty() ? std::random_device{}() : seedText.toULongLong();
    const int iterations = qEnvironmentVariableIsSet("MANDATE_PROPERTY_ITERATIONS") ? qEnvironmentVariableIntValue("MANDATE_PROPERTY_ITERATIONS") : 3000;
    qInfo("property seed: %llu (replay with MANDATE_PROPERTY_SEED=%llu), %d requests", seed, seed, iterations);
    m_rng.seed(seed);

    BrokerFixture f;
    QVERIFY2(f.setUp(randomRegistry()), qPrintable(f.error));
    std::vector<Agent> agents;
    for (int i = 0; i < kAgents; ++i)
        agents.push_back(f.registry->agent(agentId(i)).value());
    const QByteArray idToken = f.idToken(QStringLiteral("alice"), 24 * 3600);

    struct Live { QString id; QByteArray token; };
    std::vector<Live> live;
    int accepted = 0, refused = 0, subAccepted = 0;
    QHash<QString, int> refusalCodes;

    for (int n = 0; n < iterations; ++n) {
        const int op = uniform(0, 99);
        if (op < 2 && !live.empty()) {  // revoke something
            (void)f.executions->revoke(live[size_t(uniform(0, int(live.size()) - 1))].id, QStringLiteral("property"));
            continue;
        }
        if (op < 15 && !live.empty()) {  // spend some budget
            const Live &l = live[size_t(uniform(0, int(live.size()) - 1))];
            (void)f.executions->charge(l.id, Budget{uniform(0, 3), uniform(0, 500), Amount::fromUnits(uniform64(0, 200'000))});
            continue;
        }
        if (op < 20) {
            f.clock.advanceSecs(uniform(1, 15));
            // Mostly delegate from executions that are still alive, so that deep chains grow.
            if (live.size() > 50)
                live.erase(std::remove_if(live.begin(), live.end(), [&](const Live &l) {
                               return !f.executions->state(l.id)->isActive() && chance(0.9);
                           }), live.end());
            continue;
        }
        const bool sub = !live.empty() && op >= 40;
        std::optional<session::ExecutionState> parent;
        QByteArray parentToken;
        if (sub) {
            const Live &l = live[size_t(uniform(0, int(live.size()) - 1))];
            parent = f.executions->state(l.id).value();
            parentToken = l.token;
        }
        // Usually an agent that may be delegated to by the parent's agent, sometimes any.
        int agentIndex = uniform(0, kAgents - 1);
        for (int tries = 0; parent && tries < 10 && chance(0.8)
                            && !agents[size_t(agentIndex)].delegators.contains(parent->execution.agent); ++tries)
            agentIndex = uniform(0, kAgents - 1);
        const Agent &agent = agents[size_t(agentIndex)];
        // A random request, sometimes within the ceilings, sometimes beyond them.
        const QStringList pool = parent && chance(0.7) ? parent->execution.actions() : agent.allowedActions;
        QStringList actions = subset(chance(0.85) ? pool : kActions);
        if (actions.isEmpty())
            actions << (pool.isEmpty() ? kActions.first() : pool.first());
        actions.sort();
        QJsonObject details;
        Budget ceilingHint = agent.maxBudget;
        if (parent && chance(0.8)) {
            ceilingHint.calls = std::min(ceilingHint.calls, parent->remaining.calls);
            ceilingHint.tokens = std::min(ceilingHint.tokens, parent->remaining.tokens);
            ceilingHint.amount = std::min(ceilingHint.amount, parent->remaining.amount);
        }
        const bool beyond = chance(0.25);  // ask for up to a third more than the ceiling
        QJsonObject budget;
        if (chance(0.7))
            budget.insert(QStringLiteral("calls"), uniform64(0, ceilingHint.calls + (beyond ? ceilingHint.calls / 3 + 1 : 0)));
        if (chance(0.7))
            budget.insert(QStringLiteral("tokens"), uniform64(0, ceilingHint.tokens + (beyond ? ceilingHint.tokens / 3 + 1 : 0)));
        if (chance(0.7))
            budget.insert(QStringLiteral("amount"), Amount::fromUnits(uniform64(0, ceilingHint.amount.units() * (beyond ? 4 : 3) / 3)).toString());
        if (!budget.isEmpty())
            details.insert(QStringLiteral("budget"), budget);
        if (chance(0.7)) {
            qint64 life = agent.maxTtlSecs;
            if (parent)
                life = std::min(life, parent->execution.expiresAt.toSecsSinceEpoch() - f.clock.nowSecs());
            life = std::max<qint64>(1, life);
            details.insert(QStringLiteral("ttl"), uniform64(1, life + (beyond ? life / 3 + 1 : 0)));
        }
        if (chance(0.7))
            details.insert(QStringLiteral("risk_ceiling"), uniform(0, parent && !beyond ? parent->execution.riskCeiling : 100));

        broker::ExchangeRequest request = sub ? f.subRequest(agent.id, parentToken, actions.join(u' '), details)
                                              : f.rootRequest(agent.id, actions.join(u' '), details);
        if (!sub)
            request.subjectToken = idToken;
        const auto result = f.broker->exchange(request);

        // The model: what the rules say about this request.
        const qint64 now = f.clock.nowSecs();
        const QJsonObject b = details.value(QStringLiteral("budget")).toObject();
        const qint64 depth = parent ? parent->execution.depth() + 1 : 1;
        const Agent *delegating = nullptr;
        bool chainAllowsDepth = true;  // every agent the chain runs through bounds its depth
        for (const Agent &a : agents) {
            if (parent && a.id == parent->execution.agent)
                delegating = &a;
            if (parent && parent->execution.chain.mid(1).contains(a.id))
                chainAllowsDepth = chainAllowsDepth && depth <= a.maxDelegationDepth;
        }
        Budget limit = agent.maxBudget;
        if (parent) {
            limit.calls = std::min(limit.calls, parent->remaining.calls);
            limit.tokens = std::min(limit.tokens, parent->remaining.tokens);
            limit.amount = std::min(limit.amount, parent->remaining.amount);
        }
        Budget wanted{b.contains(QStringLiteral("calls")) ? b.value(QStringLiteral("calls")).toInteger() : limit.calls,
                      b.contains(QStringLiteral("tokens")) ? b.value(QStringLiteral("tokens")).toInteger() : limit.tokens,
                      b.contains(QStringLiteral("amount")) ? *Amount::parse(b.value(QStringLiteral("amount")).toString()) : limit.amount};
        const bool ttlGiven = details.contains(QStringLiteral("ttl"));
        const qint64 ttl = ttlGiven ? details.value(QStringLiteral("ttl")).toInteger() : std::min(agent.defaultTtlSecs, agent.maxTtlSecs);
        qint64 expires = now + ttl;
        const qint64 parentExpires = parent ? parent->execution.expiresAt.toSecsSinceEpoch() : 0;
        if (parent && !ttlGiven)
            expires = std::min(expires, parentExpires);
        const int risk = details.contains(QStringLiteral("risk_ceiling")) ? details.value(QStringLiteral("risk_ceiling")).toInt()
                                                                          : (parent ? parent->execution.riskCeiling : 50);
        bool expectOk = true;
        for (const QString &a : actions)
            expectOk = expectOk && agent.allowedActions.contains(a) && (!parent || parent->execution.actions().contains(a));
        expectOk = expectOk && depth <= agent.maxDelegationDepth && ttl <= agent.maxTtlSecs && wanted.fitsWithin(limit);
        if (parent) {
            expectOk = expectOk && parent->isActive() && agent.delegators.contains(parent->execution.agent)
                       && delegating && depth <= delegating->maxDelegationDepth && chainAllowsDepth && expires <= parentExpires
                       && risk <= parent->execution.riskCeiling && expires > now;
        }

        if (!result) {
            ++refused;
            ++refusalCodes[result.error().code];
            QVERIFY2(!expectOk, qPrintable(QStringLiteral("request %1 refused although within every rule: %2 %3")
                                               .arg(n).arg(result.error().code, result.error().message)));
            QVERIFY(broker::OAuthError::isOAuthCode(result.error().code));
            continue;
        }
        QVERIFY2(expectOk, qPrintable(QStringLiteral("request %1 granted although it breaks a rule (execution %2)").arg(n).arg(result->execution.id)));
        ++accepted;
        const identity::Execution &child = result->execution;
        // The agent's own ceiling.
        for (const QString &a : child.actions())
            QVERIFY(agent.allowedActions.contains(a));
        QVERIFY(child.budget.fitsWithin(agent.maxBudget));
        QVERIFY(child.expiresAt.toSecsSinceEpoch() - now <= agent.maxTtlSecs);
        QVERIFY(child.depth() <= agent.maxDelegationDepth);
        if (parent) {
            ++subAccepted;
            // Nothing the parent lacks.
            for (const QString &a : child.actions())
                QVERIFY2(parent->execution.actions().contains(a), qPrintable(a));
            QVERIFY(child.budget.fitsWithin(parent->remaining));
            QVERIFY(child.expiresAt <= parent->execution.expiresAt);
            QVERIFY(child.riskCeiling <= parent->execution.riskCeiling);
            QCOMPARE(child.depth(), parent->execution.depth() + 1);
            QCOMPARE(child.parent, parent->execution.id);
            QVERIFY(agent.delegators.contains(parent->execution.agent));
            // The child's budget was reserved from the parent's remaining.
            const auto after = f.executions->state(parent->execution.id).value();
            QCOMPARE(after.used.calls, parent->used.calls + child.budget.calls);
            QCOMPARE(after.used.amount.units(), parent->used.amount.units() + child.budget.amount.units());
        }
        // The token says exactly what the record says.
        auto verified = f.broker->verifyExecutionToken(result->accessToken);
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().code));
        const QJsonObject claims = verified->token.claims.toObject();
        QCOMPARE(claims.value(QStringLiteral("scope")).toString(), child.actions().join(u' '));
        const QJsonObject d = claims.value(QStringLiteral("authorization_details")).toArray().first().toObject();
        QCOMPARE(d.value(QStringLiteral("budget")).toObject(), child.budget.toJson());
        QCOMPARE(d.value(QStringLiteral("risk_ceiling")).toInt(), child.riskCeiling);
        QCOMPARE(d.value(QStringLiteral("depth")).toInt(), child.depth());
        QCOMPARE(claims.value(QStringLiteral("exp")).toInteger(), child.expiresAt.toSecsSinceEpoch());
        live.push_back({child.id, result->accessToken});
    }

    // Whole-store invariants: every child within its parent's grant, the children together
    // within it too, and nothing active under an ended parent.
    auto all = f.executions->list({QString(), QString(), QString(), QString(), 5000}).value();
    QHash<QString, session::ExecutionState> byId;
    for (const auto &s : all)
        byId.insert(s.execution.id, s);
    QHash<QString, Budget> childSum;
    for (const auto &s : all) {
        if (s.execution.parent.isEmpty())
            continue;
        const auto &p = byId[s.execution.parent];
        for (const QString &a : s.execution.actions())
            QVERIFY(p.execution.actions().contains(a));
        QVERIFY(s.execution.budget.fitsWithin(p.execution.budget));
        QVERIFY(s.execution.expiresAt <= p.execution.expiresAt);
        QVERIFY(s.execution.riskCeiling <= p.execution.riskCeiling);
        QCOMPARE(s.execution.depth(), p.execution.depth() + 1);
        Budget &sum = childSum[p.execution.id];
        sum.calls += s.execution.budget.calls;
        sum.tokens += s.execution.budget.tokens;
        sum.amount = Amount::fromUnits(sum.amount.units() + s.execution.budget.amount.units());
        if (p.execution.status == identity::Execution::Status::Revoked)
            QVERIFY(s.execution.status != identity::Execution::Status::Active);
    }
    for (auto it = childSum.cbegin(); it != childSum.cend(); ++it)
        QVERIFY(it.value().fitsWithin(byId[it.key()].execution.budget));

    qInfo("accepted %d (%d sub-delegations), refused %d", accepted, subAccepted, refused);
    for (auto it = refusalCodes.cbegin(); it != refusalCodes.cend(); ++it)
        qInfo("  %s: %d", qPrintable(it.key()), it.value());
    // The run must have exercised both sides of the rules.
    QVERIFY(subAccepted >= iterations / 100);
    QVERIFY(refused >= iterations / 20);
}

QTEST_GUILESS_MAIN(tst_DelegationProperty)
#include "tst_delegation_property.moc"
