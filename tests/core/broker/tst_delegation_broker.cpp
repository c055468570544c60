// SPDX-License-Identifier: Apache-2.0
// RFC 8693 token exchange through DelegationBroker: the root and sub-delegation happy paths
// with their exact claims and records, and every refusal with its OAuth error code and a
// description that names the constraint.
#include "BrokerFixture.h"

#include "crypto/CompactJws.h"
#include "session/SessionRecorder.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;
using broker::ExchangeRequest;

class tst_DelegationBroker final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void rootExchangeExactClaims();
    void subDelegationNarrows();
    void defaultsAreCutToTheParent();
    void childStartsAtItsParentsRisk();
    void riskNotYetWrittenCounts();
    void refusals_data();
    void refusals();
    void registryChangesReachTheTokenEndpoint();
    void tokenTooLargeToUseIsNotMinted();

private:
    QByteArray supportParent(const QJsonObject &details, const QString &scope = QStringLiteral("refund:create ticket:read"));

    std::unique_ptr<BrokerFixture> f;
};

void tst_DelegationBroker::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false\nmandate.*.warning=false"));
}

void tst_DelegationBroker::init()
{
    f = std::make_unique<BrokerFixture>();
    QVERIFY2(f->setUp(), qPrintable(f->error));
}

QByteArray tst_DelegationBroker::supportParent(const QJsonObject &details, const QString &scope)
{
    auto issued = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), scope, details));
    if (!issued)
        qWarning() << issued.error().code << issued.error().message;
    return issued ? issued->accessToken : QByteArray();
}

void tst_DelegationBroker::rootExchangeExactClaims()
{
    const qint64 now = f->clock.nowSecs();
    auto issued = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("ticket:read refund:create"),
                                                     {{QStringLiteral("purpose"), QStringLiteral("refund ticket T-1001")},
                                                      {QStringLiteral("ttl"), 900}}));
    QVERIFY2(issued, qPrintable(issued ? QString() : issued.error().code + u' ' + issued.error().message));
    QCOMPARE(issued->expiresIn, 900);
    QCOMPARE(issued->scope, QStringLiteral("refund:create ticket:read"));

    const QJsonObject header = BrokerFixture::headerOf(issued->accessToken);
    QCOMPARE(header, (QJsonObject{{QStringLiteral("alg"), QStringLiteral("EdDSA")},
                                  {QStringLiteral("kid"), f->keyRing->currentKid()},
                                  {QStringLiteral("typ"), QStringLiteral("at+jwt")}}));
    const QJsonObject claims = BrokerFixture::claimsOf(issued->accessToken);
    const QString id = issued->execution.id;
    // "exe_", the mint time in milliseconds as 12 hex digits, 12 random bytes in base64url.
    QCOMPARE(id.first(16), QStringLiteral("exe_") + QStringLiteral("%1").arg(f->clock.now().toMSecsSinceEpoch(), 12, 16, QLatin1Char('0')));
    QCOMPARE(id.size(), 4 + 12 + 16);
    const QJsonObject details{{QStringLiteral("type"), QStringLiteral("agent_execution")},
                              {QStringLiteral("execution"), id},
                              {QStringLiteral("parent"), QJsonValue::Null},
                              {QStringLiteral("purpose"), QStringLiteral("refund ticket T-1001")},
                              {QStringLiteral("actions"), QJsonArray{QStringLiteral("refund:create"), QStringLiteral("ticket:read")}},
                              {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 100},
                                                                     {QStringLiteral("tokens"), 1000000},
                                                                     {QStringLiteral("amount"), QStringLiteral("1000.00")}}},
                              {QStringLiteral("risk_ceiling"), 50},
                              {QStringLiteral("depth"), 1}};
    const QJsonObject expected{{QStringLiteral("iss"), QLatin1String(BrokerFixture::kIssuer)},
                               {QStringLiteral("aud"), QStringLiteral("mandate")},
                               {QStringLiteral("iat"), now},
                               {QStringLiteral("nbf"), now},
                               {QStringLiteral("exp"), now + 900},
                               {QStringLiteral("jti"), claims.value(QStringLiteral("jti"))},
                               {QStringLiteral("sub"), QStringLiteral("user:alice")},
                               {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:support-agent")}}},
                               {QStringLiteral("client_id"), QStringLiteral("support-agent")},
                               {QStringLiteral("scope"), QStringLiteral("refund:create ticket:read")},
                               {QStringLiteral("authorization_details"), QJsonArray{details}}};
    QCOMPARE(claims, expected);
    QVERIFY(claims.value(QStringLiteral("jti")).toString().size() >= 22);
    QVERIFY(claims.value(QStringLiteral("jti")).toString() != id);
    QCOMPARE(issued->authorizationDetails(), QJsonArray{details});

    // The record, in the same step.
    auto record = f->executions->get(id);
    QVERIFY(record);
    QCOMPARE(record->agent, QStringLiteral("support-agent"));
    QCOMPARE(record->chain, QStringList{QStringLiteral("alice")});
    QCOMPARE(record->actions(), (QStringList{QStringLiteral("refund:create"), QStringLiteral("ticket:read")}));
    QCOMPARE(record->expiresAt.toSecsSinceEpoch(), now + 900);
    QCOMPARE(record->parent, QString());
    QCOMPARE(record->depth(), 1);

    // And the gateway accepts it.
    auto verified = f->broker->verifyExecutionToken(issued->accessToken);
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().code));
    QCOMPARE(verified->state.execution.id, id);
}

void tst_DelegationBroker::subDelegationNarrows()
{
    const qint64 now = f->clock.nowSecs();
    auto root = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("refund:create ticket:read"),
                                                   {{QStringLiteral("purpose"), QStringLiteral("refund ticket T-1001")}}));
    QVERIFY(root);
    f->clock.advanceSecs(10);
    auto sub = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), root->accessToken, QStringLiteral("refund:create"),
                                                 {{QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 5},
                                                                                         {QStringLiteral("amount"), QStringLiteral("80.00")}}},
                                                  {QStringLiteral("ttl"), 300},
                                                  {QStringLiteral("risk_ceiling"), 30}}));
    QVERIFY2(sub, qPrintable(sub ? QString() : sub.error().code + u' ' + sub.error().message));
    const QJsonObject claims = BrokerFixture::claimsOf(sub->accessToken);
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
    QCOMPARE(claims.value(QStringLiteral("act")).toObject(),
             (QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:refund-subagent")},
                          {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:support-agent")}}}}));
    QCOMPARE(claims.value(QStringLiteral("client_id")).toString(), QStringLiteral("refund-subagent"));
    QCOMPARE(claims.value(QStringLiteral("scope")).toString(), QStringLiteral("refund:create"));
    QCOMPARE(claims.value(QStringLiteral("exp")).toInteger(), now + 10 + 300);
    const QJsonObject details = claims.value(QStringLiteral("authorization_details")).toArray().first().toObject();
    QCOMPARE(details.value(QStringLiteral("parent")).toString(), root->execution.id);
    QCOMPARE(details.value(QStringLiteral("depth")).toInt(), 2);
    QCOMPARE(details.value(QStringLiteral("risk_ceiling")).toInt(), 30);
    QCOMPARE(details.value(QStringLiteral("purpose")).toString(), QStringLiteral("refund ticket T-1001"));  // inherited
    // tokens defaulted to the smaller of the agent's maximum and the parent's remaining.
    QCOMPARE(details.value(QStringLiteral("budget")).toObject(),
             (QJsonObject{{QStringLiteral("calls"), 5}, {QStringLiteral("tokens"), 100000}, {QStringLiteral("amount"), QStringLiteral("80.00")}}));
    QCOMPARE(sub->execution.chain, (QStringList{QStringLiteral("alice"), QStringLiteral("support-agent")}));
    // The child's budget is reserved from the parent's.
    auto parentState = f->executions->state(root->execution.id);
    QCOMPARE(parentState->remaining.calls, 95);
    QCOMPARE(parentState->remaining.amount.toString(), QStringLiteral("920.00"));
    QVERIFY(f->broker->verifyExecutionToken(sub->accessToken));
}

void tst_DelegationBroker::defaultsAreCutToTheParent()
{
    const QByteArray parent = supportParent({{QStringLiteral("ttl"), 120}, {QStringLiteral("risk_ceiling"), 20},
                                             {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 3}}}});
    QVERIFY(!parent.isEmpty());
    auto sub = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create")));
    QVERIFY2(sub, qPrintable(sub ? QString() : sub.error().message));
    QCOMPARE(sub->expiresIn, 120);               // refund-subagent's default 300 s cut to the parent's expiry
    QCOMPARE(sub->execution.riskCeiling, 20);    // inherited
    QCOMPARE(sub->execution.budget.calls, 3);    // the parent's remaining, below the agent's 10
}

void tst_DelegationBroker::childStartsAtItsParentsRisk()
{
    // Risk is room, like budget: a child starting at 0 under a parent at 35 of 40 could take 40
    // more points where its parent has 5 left, and a new child would give 40 again each time.
    const QByteArray parent = supportParent({{QStringLiteral("risk_ceiling"), 40}});
    QVERIFY(!parent.isEmpty());
    const QString parentId = BrokerFixture::claimsOf(parent).value(QStringLiteral("authorization_details")).toArray().first()
                                 .toObject().value(QStringLiteral("execution")).toString();
    QVERIFY(f->executions->adjustRisk(parentId, 35));
    auto sub = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create")));
    QVERIFY2(sub, qPrintable(sub ? QString() : sub.error().message));
    QCOMPARE(f->executions->state(sub->execution.id)->riskScore, 35);
    QCOMPARE(f->executions->recentState(sub->execution.id)->riskScore, 35);  // not a cached 0
    QCOMPARE(sub->execution.riskCeiling, 40);
    // A root execution starts at 0.
    auto root = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("ticket:read"), {}));
    QVERIFY(root);
    QCOMPARE(f->executions->recentState(root->execution.id)->riskScore, 0);
}

void tst_DelegationBroker::riskNotYetWrittenCounts()
{
    // A gateway decides calls before it writes their effect (session::SessionRecorder, written
    // with the next audit batch). The risk it has decided for a parent counts already: for
    // where a child starts, and for the parent's ceiling.
    session::SessionRecorder recorder(*f->executions);
    f->executions->setPendingRisk([&recorder](const QString &id) { return recorder.pending(id).risk; });
    const auto unhook = qScopeGuard([this] { f->executions->setPendingRisk(nullptr); });
    const QByteArray parent = supportParent({{QStringLiteral("risk_ceiling"), 40}});
    QVERIFY(!parent.isEmpty());
    const QString parentId = BrokerFixture::claimsOf(parent).value(QStringLiteral("authorization_details")).toArray().first()
                                 .toObject().value(QStringLiteral("execution")).toString();
    QVERIFY(f->executions->adjustRisk(parentId, 30));
    recorder.reserve({parentId, QStringLiteral("refund:create"), true, false, 6});  // a denial decided, not written
    auto sub = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create")));
    QVERIFY2(sub, qPrintable(sub ? QString() : sub.error().message));
    QCOMPARE(f->executions->state(sub->execution.id)->riskScore, 36);
    QCOMPARE(f->executions->recentState(sub->execution.id)->riskScore, 36);

    recorder.reserve({parentId, QStringLiteral("refund:create"), true, false, 5});  // 41: past its ceiling of 40
    QCOMPARE(f->executions->state(parentId)->riskScore, 30);  // all the store knows
    auto refused = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create")));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("invalid_grant"));
    QVERIFY2(refused.error().message.contains(QStringLiteral("over its risk ceiling (41 > 40)")), qPrintable(refused.error().message));
}

void tst_DelegationBroker::refusals_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("subject");   ///< alice | expired | untrusted | mallory | garbage | parent | ticket-parent | finance-parent | revoked-parent | forged-parent | depth2-parent
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QString>("details");   ///< members of the agent_execution entry, as JSON
    QTest::addColumn<QString>("setup");     ///< a change to the request or the registry
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mention");   ///< must appear in the description

    const QString support = QStringLiteral("support-agent");
    const QString refund = QStringLiteral("refund-subagent");
    const QString both = QStringLiteral("refund:create ticket:read");
    const QString rc = QStringLiteral("refund:create");
    const auto row = [](const char *name, const QString &client, const char *subject, const QString &scope, const char *details,
                        const char *setup, const char *code, const char *mention) {
        QTest::addRow("%s", name) << client << QString::fromLatin1(subject) << scope << QString::fromLatin1(details)
                                  << QString::fromLatin1(setup) << QString::fromLatin1(code) << QString::fromLatin1(mention);
    };
    // The client and the grant.
    row("wrong client secret", support, "alice", both, "", "wrong-secret", "invalid_client", "authentication failed");
    row("unknown client", QStringLiteral("nobody"), "alice", both, "", "", "invalid_client", "nobody");
    row("wrong grant type", support, "alice", both, "", "grant-type", "unsupported_grant_type", "token-exchange");
    row("suspended agent", support, "alice", both, "", "suspend-support", "unauthorized_client", "suspended");
    row("retired agent", refund, "parent", rc, "", "retire-refund", "unauthorized_client", "retired");
    row("suspended delegating agent", refund, "parent", rc, "", "suspend-support", "invalid_grant", "delegating agent support-agent is suspended");
    // The subject token (root delegation).
    row("expired ID token", support, "expired", both, "", "", "invalid_grant", "expired");
    row("untrusted issuer", support, "untrusted", both, "", "", "invalid_grant", "untrusted_issuer");
    row("unknown human", support, "mallory", both, "", "", "invalid_grant", "no human in the registry");
    row("garbage subject token", support, "garbage", both, "", "", "invalid_grant", "malformed_token");
    row("unsupported subject token type", support, "alice", both, "", "token-type", "invalid_request", "subject_token_type");
    row("actor token", support, "alice", both, "", "actor", "invalid_request", "actor_token");
    row("foreign audience", support, "alice", both, "", "audience", "invalid_target", "audience");
    // The agent's ceiling.
    row("action outside the agent", support, "alice", QStringLiteral("account:delete"), "", "", "invalid_scope", "allowedActions");
    row("ttl above maxTtl", support, "alice", both, R"({"ttl":7200})", "", "invalid_request", "maxTtl 3600");
    row("calls above maxBudget", support, "alice", both, R"({"budget":{"calls":101}})", "", "invalid_request", "maxBudget.calls 100");
    row("amount above maxBudget", support, "alice", both, R"({"budget":{"amount":"1000.01"}})", "", "invalid_request", "maxBudget.amount 1000.00");
    // Sub-delegation may only narrow.
    row("action the parent lacks", refund, "ticket-parent", rc, "", "", "invalid_scope", "not held by parent execution");
    row("action outside the sub-agent", refund, "parent", QStringLiteral("ticket:read"), "", "", "invalid_scope", "allowedActions");
    row("calls above parent's remaining", refund, "parent", rc, R"({"budget":{"calls":8}})", "", "invalid_request", "remaining budget.calls 5");
    row("amount above parent's remaining", refund, "parent", rc, R"({"budget":{"amount":"180.00"}})", "", "invalid_request", "remaining budget.amount 150.00");
    row("expiry after parent's", refund, "parent", rc, R"({"ttl":900})", "", "invalid_request", "after parent execution");
    row("risk ceiling above parent's", refund, "parent", rc, R"({"risk_ceiling":60})", "", "invalid_request", "risk_ceiling 40");
    row("parent over its risk ceiling", refund, "parent", rc, "", "parent-over-ceiling", "invalid_grant", "over its risk ceiling (41 > 40)");
    row("delegator not allowed", refund, "finance-parent", rc, "", "", "unauthorized_client", "delegators");
    row("depth exceeded", QStringLiteral("finance-agent"), "depth2-parent", rc, "", "finance-below-refund", "invalid_request", "depth 3 exceeds");
    row("revoked parent", refund, "revoked-parent", rc, "", "", "invalid_grant", "revoked");
    row("forged parent token", refund, "forged-parent", rc, "", "", "invalid_grant", "bad_signature");
    // The request itself.
    row("no actions", support, "alice", QString(), "", "", "invalid_scope", "no actions");
    row("scope and details disagree", support, "alice", both, R"({"actions":["ticket:read"]})", "", "invalid_request", "disagree");
    row("unknown detail member", support, "alice", both, R"({"colour":"red"})", "", "invalid_authorization_details", "colour");
    row("negative budget", support, "alice", both, R"({"budget":{"calls":-1}})", "", "invalid_authorization_details", "budget.calls");
    row("risk out of range", support, "alice", both, R"({"risk_ceiling":101})", "", "invalid_authorization_details", "risk_ceiling");
    row("other detail type", support, "alice", both, "", "details-type", "invalid_authorization_details", "unsupported type");
}

void tst_DelegationBroker::refusals()
{
    QFETCH(QString, client);
    QFETCH(QString, subject);
    QFETCH(QString, scope);
    QFETCH(QString, details);
    QFETCH(QString, setup);
    QFETCH(QString, code);
    QFETCH(QString, mention);

    const auto updateAgent = [this](const QString &id, const std::function<void(identity::Agent &)> &edit) {
        identity::Agent agent = f->registry->agent(id).value();
        const qint64 version = agent.version;
        edit(agent);
        QVERIFY(f->registry->update(agent, version, QStringLiteral("test")));
    };
    if (setup == QLatin1String("finance-below-refund"))
        updateAgent(QStringLiteral("finance-agent"), [](identity::Agent &a) { a.delegators = {QStringLiteral("refund-subagent")}; });

    // The parent tokens a sub-delegation presents.
    const QJsonObject parentDetails{{QStringLiteral("ttl"), 600}, {QStringLiteral("risk_ceiling"), 40},
                                    {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 5}, {QStringLiteral("amount"), QStringLiteral("150.00")}}}};
    QByteArray subjectToken;
    QString subjectType = QLatin1String(ExchangeRequest::kIdTokenType);
    if (subject == QLatin1String("alice")) {
        subjectToken = f->idToken();
    } else if (subject == QLatin1String("mallory")) {
        subjectToken = f->idToken(QStringLiteral("mallory"));
    } else if (subject == QLatin1String("expired")) {
        ManualClock past(f->clock.now().addSecs(-1000));
        broker::DevIdentityProvider old(f->dir.path(), past);
        QVERIFY(old.open(broker::DevIdentityProvider::Mode::OpenExisting).ok());
        subjectToken = old.issueIdToken(QStringLiteral("alice")).value();
    } else if (subject == QLatin1String("untrusted")) {
        const auto key = crypto::Ed25519Key::generate().value();
        const QJsonObject claims{{QStringLiteral("iss"), QStringLiteral("https://evil.example")}, {QStringLiteral("sub"), QStringLiteral("alice")},
                                 {QStringLiteral("aud"), QStringLiteral("mandate")}, {QStringLiteral("iat"), f->clock.nowSecs()},
                                 {QStringLiteral("exp"), f->clock.nowSecs() + 300}};
        subjectToken = crypto::CompactJws::sign({{QStringLiteral("alg"), QStringLiteral("EdDSA")}}, QJsonDocument(claims).toJson(QJsonDocument::Compact), key).value();
    } else if (subject == QLatin1String("garbage")) {
        subjectToken = "not.a-token";
    } else {
        subjectType = QLatin1String(ExchangeRequest::kAccessTokenType);
        if (subject == QLatin1String("parent") || subject == QLatin1String("revoked-parent") || subject == QLatin1String("forged-parent")) {
            subjectToken = supportParent(parentDetails);
        } else if (subject == QLatin1String("ticket-parent")) {
            subjectToken = supportParent(parentDetails, QStringLiteral("ticket:read"));
        } else if (subject == QLatin1String("finance-parent")) {
            subjectToken = f->broker->exchange(f->rootRequest(QStringLiteral("finance-agent"), QStringLiteral("refund:create"))).value().accessToken;
        } else if (subject == QLatin1String("depth2-parent")) {
            auto depth2 = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), supportParent(parentDetails), QStringLiteral("refund:create"),
                                                            {{QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 1}}}}));
            QVERIFY2(depth2, qPrintable(depth2 ? QString() : depth2.error().message));
            subjectToken = depth2->accessToken;
        }
        QVERIFY(!subjectToken.isEmpty());
        if (subject == QLatin1String("revoked-parent"))
            QVERIFY(f->broker->verifyExecutionToken(subjectToken) && f->broker->revokeExecution(
                BrokerFixture::claimsOf(subjectToken).value(QStringLiteral("authorization_details")).toArray().first().toObject()
                    .value(QStringLiteral("execution")).toString(), QStringLiteral("test")));
        if (subject == QLatin1String("forged-parent"))
            subjectToken[subjectToken.size() - 2] = subjectToken.at(subjectToken.size() - 2) == 'A' ? 'B' : 'A';
    }
    if (setup == QLatin1String("parent-over-ceiling")) {
        const QString parentId = BrokerFixture::claimsOf(subjectToken).value(QStringLiteral("authorization_details")).toArray().first()
                                     .toObject().value(QStringLiteral("execution")).toString();
        QVERIFY(f->executions->adjustRisk(parentId, 41));  // denied calls, say: one past its ceiling of 40
    }
    if (setup == QLatin1String("suspend-support"))
        updateAgent(QStringLiteral("support-agent"), [](identity::Agent &a) { a.status = identity::Agent::Status::Suspended; });
    if (setup == QLatin1String("retire-refund")) {
        const qint64 version = f->registry->agent(QStringLiteral("refund-subagent"))->version;
        QVERIFY(f->registry->retireAgent(QStringLiteral("refund-subagent"), version, QStringLiteral("test")));
    }

    ExchangeRequest request = f->rootRequest(client, scope);
    request.subjectToken = subjectToken;
    request.subjectTokenType = subjectType;
    if (!details.isEmpty()) {
        QJsonObject d = json::parseObject(details.toUtf8()).value();
        d.insert(QStringLiteral("type"), QStringLiteral("agent_execution"));
        request.authorizationDetails = QString::fromUtf8(QJsonDocument(QJsonArray{d}).toJson(QJsonDocument::Compact));
    }
    if (setup == QLatin1String("wrong-secret"))
        request.client.secret = "not-the-secret-0123456789";
    if (setup == QLatin1String("grant-type"))
        request.grantType = QStringLiteral("client_credentials");
    if (setup == QLatin1String("token-type"))
        request.subjectTokenType = QStringLiteral("urn:ietf:params:oauth:token-type:saml2");
    if (setup == QLatin1String("actor"))
        request.actorToken = f->idToken();
    if (setup == QLatin1String("audience"))
        request.audiences = {QStringLiteral("https://other.example")};
    if (setup == QLatin1String("details-type"))
        request.authorizationDetails = QStringLiteral(R"([{"type":"payment_initiation"}])");

    const qsizetype before = f->executions->list({}).value().size();
    auto result = f->broker->exchange(request);
    QVERIFY2(!result, "the exchange should have been refused");
    QCOMPARE(result.error().code, code);
    QVERIFY2(result.error().message.contains(mention), qPrintable(result.error().message));
    QVERIFY(broker::OAuthError::isOAuthCode(result.error().code));
    QCOMPARE(f->executions->list({}).value().size(), before);  // nothing minted
}

void tst_DelegationBroker::registryChangesReachTheTokenEndpoint()
{
    // The broker caches what it reads from the registry. A change through this gateway's
    // Registry is seen by the next exchange; one made by another gateway on the same database
    // (a second Registry, whose signal the broker does not hear) within CachedRegistry::kMaxAgeSecs.
    const auto request = [&]() {
        return f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("ticket:read")));
    };
    QVERIFY(request().ok());
    auto agent = f->registry->agent(QStringLiteral("support-agent"));
    QVERIFY(agent.ok());
    identity::Agent suspended = agent.value();
    suspended.status = identity::Agent::Status::Suspended;
    auto updated = f->registry->update(suspended, agent->version, QStringLiteral("test"));
    QVERIFY2(updated.ok(), updated.ok() ? "" : qPrintable(updated.error().message));
    auto refused = request();
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, QStringLiteral("unauthorized_client"));

    registry::Registry otherGateway(*f->db, f->clock);
    identity::Agent active = updated.value();
    active.status = identity::Agent::Status::Active;
    QVERIFY(otherGateway.update(active, updated->version, QStringLiteral("test")).ok());
    QVERIFY(!request().ok());  // still cached here
    f->clock.advanceSecs(broker::CachedRegistry::kMaxAgeSecs);
    QVERIFY(request().ok());

    // The same holds for the human an ID token names.
    auto alice = f->registry->human(QStringLiteral("alice"));
    QVERIFY(alice.ok());
    identity::Human moved = alice.value();
    moved.subject = QStringLiteral("alice-elsewhere");
    QVERIFY(otherGateway.update(moved, alice->version, QStringLiteral("test")).ok());
    QVERIFY(request().ok());
    f->clock.advanceSecs(broker::CachedRegistry::kMaxAgeSecs);
    auto unknown = request();
    QVERIFY(!unknown.ok());
    QCOMPARE(unknown.error().code, QStringLiteral("invalid_grant"));
}

void tst_DelegationBroker::tokenTooLargeToUseIsNotMinted()
{
    // An agent allowed 300 actions asks for all of them: the token would be larger than any
    // gateway accepts, so none is minted and no execution is recorded.
    QFile demo(QStringLiteral(MANDATE_SOURCE_DIR "/resources/demo/registry.json"));
    QVERIFY(demo.open(QIODevice::ReadOnly));
    QJsonObject registry = QJsonDocument::fromJson(demo.readAll().replace("${DEMO_UPSTREAM}", "http://127.0.0.1:9")).object();
    QJsonArray actions;
    QStringList names;
    for (int i = 0; i < 300; ++i) {
        names << QStringLiteral("wide:action-number-%1").arg(i);
        actions.append(QJsonObject{{QStringLiteral("name"), names.last()}, {QStringLiteral("method"), QStringLiteral("POST")},
                                   {QStringLiteral("path"), QStringLiteral("/a%1").arg(i)}});
    }
    QJsonArray tools = registry.value(QStringLiteral("tools")).toArray();
    QJsonObject wide = tools.first().toObject();
    wide.insert(QStringLiteral("id"), QStringLiteral("wide"));
    wide.insert(QStringLiteral("actions"), actions);
    tools.append(wide);
    registry.insert(QStringLiteral("tools"), tools);
    QJsonArray agents = registry.value(QStringLiteral("agents")).toArray();
    for (qsizetype i = 0; i < agents.size(); ++i) {
        QJsonObject agent = agents.at(i).toObject();
        if (agent.value(QStringLiteral("id")) == QLatin1String("support-agent")) {
            agent.insert(QStringLiteral("allowedActions"), QJsonArray::fromStringList(names));
            agents.replace(i, agent);
        }
    }
    registry.insert(QStringLiteral("agents"), agents);
    f = std::make_unique<BrokerFixture>();
    QVERIFY2(f->setUp(registry), qPrintable(f->error));

    const auto within = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), names.mid(0, 20).join(u' ')));
    QVERIFY2(within, qPrintable(within ? QString() : within.error().message));
    const qsizetype executionsBefore = f->executions->list({}).value().size();
    const auto tooLarge = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), names.join(u' ')));
    QVERIFY(!tooLarge);
    QCOMPARE(tooLarge.error().code, QStringLiteral("invalid_request"));
    QVERIFY2(tooLarge.error().message.contains(QLatin1String("more than the 8192 a gateway accepts")), qPrintable(tooLarge.error().message));
    QCOMPARE(f->executions->list({}).value().size(), executionsBefore);
}

QTEST_GUILESS_MAIN(tst_DelegationBroker)
#include "tst_delegation_broker.moc"
