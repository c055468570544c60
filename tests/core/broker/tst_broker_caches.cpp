// SPDX-License-Identifier: Apache-2.0
// What the broker keeps between requests and how long it may trust it: the execution state
// behind verifyExecutionToken (this gateway's changes at once, another gateway's within
// ExecutionStateCache::kMaxAgeSecs), the client's stored secret hash (same rule, with
// OAuthClientStore::kStoredHashMaxAgeSecs), and the claims a mint writes directly as JSON.
#include "BrokerFixture.h"

#include "session/ExecutionStateCache.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QScopeGuard>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

using namespace mandate;
using namespace mandate::testing;

class tst_BrokerCaches final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void revocationHereIsSeenAtOnce();
    void revocationByAnotherGatewayIsSeenWithinTheBound();
    void subDelegationFromARevokedParentIsRefused();
    void secretRotatedByAnotherGatewayStopsWithinTheBound();
    void clientRemovedByAnotherGatewayStopsWithinTheBound();
    void unknownClientsCostASecretCheckToo();
    void newClientWorksAtOnce();
    void wrongSecretsCannotQueueUpSecretChecks();
    void mintedClaimsHaveTheDesignedShape();
    void sharedIssuerAndSubjectNamesNobody();
    void distrustedIssuerStopsAtOnce();
    void retiredKeyEndsOldTokensAtTheNextRotation();
    void retiredKeyEndsOldTokensWhenItsOverlapPasses();
    void zeroOverlapEndsOldTokensAtOnce();
    void reTrustedIssuerUsesItsNewKeys();

private:
    QByteArray mint(const QString &agent = QStringLiteral("support-agent"));
    static QString executionOf(const QByteArray &token);

    std::unique_ptr<BrokerFixture> f;
};

void tst_BrokerCaches::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false\nmandate.*.warning=false"));
}

void tst_BrokerCaches::init()
{
    f = std::make_unique<BrokerFixture>();
    QVERIFY2(f->setUp(), qPrintable(f->error));
}

QByteArray tst_BrokerCaches::mint(const QString &agent)
{
    auto issued = f->broker->exchange(f->rootRequest(agent, QStringLiteral("refund:create")));
    return issued ? issued->accessToken : QByteArray();
}

QString tst_BrokerCaches::executionOf(const QByteArray &token)
{
    return BrokerFixture::claimsOf(token).value(QStringLiteral("authorization_details")).toArray().first().toObject()
        .value(QStringLiteral("execution")).toString();
}

void tst_BrokerCaches::revocationHereIsSeenAtOnce()
{
    const QByteArray token = mint();
    QVERIFY(f->broker->verifyExecutionToken(token));
    QVERIFY(f->broker->verifyExecutionToken(token));  // token and state both cached now
    QVERIFY(f->executions->revoke(executionOf(token), QStringLiteral("incident")).ok());
    const auto verified = f->broker->verifyExecutionToken(token);
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("revoked"));
}

void tst_BrokerCaches::revocationByAnotherGatewayIsSeenWithinTheBound()
{
    const QByteArray token = mint();
    QVERIFY(f->broker->verifyExecutionToken(token));
    session::ExecutionStore otherGateway(*f->db, f->clock);
    QVERIFY(otherGateway.revoke(executionOf(token), QStringLiteral("elsewhere")).ok());
    f->clock.advanceSecs(session::ExecutionStateCache::kMaxAgeSecs);
    const auto verified = f->broker->verifyExecutionToken(token);
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("revoked"));
}

void tst_BrokerCaches::subDelegationFromARevokedParentIsRefused()
{
    // The parent's state may come from the cache; the reservation in the store checks again.
    const QByteArray parent = mint();
    QVERIFY(f->broker->verifyExecutionToken(parent));
    session::ExecutionStore otherGateway(*f->db, f->clock);
    QVERIFY(otherGateway.revoke(executionOf(parent), QStringLiteral("elsewhere")).ok());
    auto child = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create"),
                                                   {{QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 1}}}}));
    QVERIFY(!child);
    QCOMPARE(child.error().code, QStringLiteral("invalid_grant"));
}

void tst_BrokerCaches::secretRotatedByAnotherGatewayStopsWithinTheBound()
{
    const QString client = QStringLiteral("support-agent");
    const QByteArray secret = BrokerFixture::secretOf(client);
    QVERIFY(f->clients->authenticate(client, secret).ok());
    broker::OAuthClientStore otherGateway(*f->db, f->clock, crypto::SecretHasher::Params{4, 8, 1});
    auto rotated = otherGateway.issueSecret(client);
    QVERIFY(rotated);
    f->clock.advanceSecs(broker::OAuthClientStore::kStoredHashMaxAgeSecs);
    QCOMPARE(f->clients->authenticate(client, secret).error().code, QStringLiteral("invalid_client"));
    QVERIFY(f->clients->authenticate(client, rotated->toLatin1()).ok());
    // Through this store, at once.
    QVERIFY(f->clients->setSecret(client, secret).ok());
    QCOMPARE(f->clients->authenticate(client, rotated->toLatin1()).error().code, QStringLiteral("invalid_client"));
    QVERIFY(f->clients->authenticate(client, secret).ok());
}

void tst_BrokerCaches::clientRemovedByAnotherGatewayStopsWithinTheBound()
{
    const QString client = QStringLiteral("support-agent");
    const QByteArray secret = BrokerFixture::secretOf(client);
    QVERIFY(f->clients->authenticate(client, secret).ok());
    broker::OAuthClientStore otherGateway(*f->db, f->clock, crypto::SecretHasher::Params{4, 8, 1});
    QVERIFY(otherGateway.remove(client).ok());
    f->clock.advanceSecs(broker::OAuthClientStore::kStoredHashMaxAgeSecs);
    QCOMPARE(f->clients->authenticate(client, secret).error().code, QStringLiteral("invalid_client"));
}

void tst_BrokerCaches::wrongSecretsCannotQueueUpSecretChecks()
{
    // Each wrong secret costs a KDF run: a flood of them is refused (temporarily_unavailable)
    // beyond the runs allowed at once, rather than queued, while a cached secret still passes.
    const QString client = QStringLiteral("support-agent");
    broker::OAuthClientStore store(*f->db, f->clock, crypto::SecretHasher::Params{13, 8, 1});  // a few ms per run
    QVERIFY(store.setSecret(client, "the-right-secret-0123456789").ok());
    QVERIFY(store.authenticate(client, "the-right-secret-0123456789").ok());  // now cached
    const auto flood = [&](int callers) {
        std::latch start(callers);
        std::vector<QString> codes;
        codes.resize(size_t(callers));
        std::vector<std::thread> threads;
        for (int i = 0; i < callers; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                const QByteArray wrongSecret = QByteArray("a-wrong-secret-").append(QByteArray::number(i));
                const Status s = store.authenticate(client, wrongSecret);
                codes[size_t(i)] = s ? QStringLiteral("ok") : s.error().code;
            });
        }
        for (std::thread &t : threads)
            t.join();
        return codes;
    };
    store.setVerificationLimit({1, 0});
    std::vector<QString> codes = flood(6);
    const auto busy = std::count(codes.begin(), codes.end(), QStringLiteral("temporarily_unavailable"));
    const auto wrong = std::count(codes.begin(), codes.end(), QStringLiteral("invalid_client"));
    QVERIFY2(busy >= 1 && wrong >= 1 && busy + wrong == 6, qPrintable(QStringList(codes.begin(), codes.end()).join(u',')));
    QVERIFY(store.authenticate(client, "the-right-secret-0123456789").ok());
    // Waiting long enough, every caller gets its answer.
    store.setVerificationLimit({1, 60'000});
    codes = flood(3);
    QCOMPARE(std::count(codes.begin(), codes.end(), QStringLiteral("invalid_client")), 3);
}

void tst_BrokerCaches::unknownClientsCostASecretCheckToo()
{
    // An unknown client id is answered after a KDF run like a known one with a wrong secret, so
    // that the time an answer takes does not tell which ids exist: with one run at a time and
    // no waiting, a flood of unknown ids meets the same limit (some find it busy).
    broker::OAuthClientStore store(*f->db, f->clock, crypto::SecretHasher::Params{13, 8, 1});  // a few ms per run
    store.setVerificationLimit({1, 0});
    constexpr int Callers = 6;
    std::latch start(Callers);
    std::vector<QString> codes(static_cast<size_t>(Callers));
    std::vector<std::thread> threads;
    for (int i = 0; i < Callers; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const Status s = store.authenticate(QStringLiteral("no-such-client-%1").arg(i), "some-secret-0123456789");
            codes[size_t(i)] = s ? QStringLiteral("ok") : s.error().code;
        });
    }
    for (std::thread &t : threads)
        t.join();
    const auto busy = std::count(codes.begin(), codes.end(), QStringLiteral("temporarily_unavailable"));
    const auto unknown = std::count(codes.begin(), codes.end(), QStringLiteral("invalid_client"));
    QVERIFY2(busy >= 1 && unknown >= 1 && busy + unknown == Callers, qPrintable(QStringList(codes.begin(), codes.end()).join(u',')));
}

void tst_BrokerCaches::newClientWorksAtOnce()
{
    const QString client = QStringLiteral("late-client");
    const QByteArray secret = "late-client-secret-0123456789";
    QCOMPARE(f->clients->authenticate(client, secret).error().code, QStringLiteral("invalid_client"));
    broker::OAuthClientStore otherGateway(*f->db, f->clock, crypto::SecretHasher::Params{4, 8, 1});
    QVERIFY(otherGateway.setSecret(client, secret).ok());
    QVERIFY(f->clients->authenticate(client, secret).ok());
}

void tst_BrokerCaches::mintedClaimsHaveTheDesignedShape()
{
    const QByteArray parent = mint();
    auto issued = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create"),
                                                    {{QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 2}}},
                                                     {QStringLiteral("purpose"), QStringLiteral("a \"quoted\"\\ purpose\n\u00e9\u2603")}}));
    QVERIFY2(issued, issued ? "" : qPrintable(issued.error().toString()));
    // The payload is strict JSON (the verifier's reader accepts it) with exactly these claims.
    const QJsonObject claims = BrokerFixture::claimsOf(issued->accessToken);
    const identity::Execution &e = issued->execution;
    const qint64 iat = e.issuedAt.toSecsSinceEpoch();
    const QJsonObject expected{
        {QStringLiteral("iss"), QLatin1String(BrokerFixture::kIssuer)},
        {QStringLiteral("aud"), f->broker->config().audience},
        {QStringLiteral("iat"), iat},
        {QStringLiteral("nbf"), iat},
        {QStringLiteral("exp"), e.expiresAt.toSecsSinceEpoch()},
        {QStringLiteral("jti"), claims.value(QStringLiteral("jti"))},
        {QStringLiteral("sub"), QStringLiteral("user:alice")},
        {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:refund-subagent")},
                                            {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:support-agent")}}}}},
        {QStringLiteral("client_id"), QStringLiteral("refund-subagent")},
        {QStringLiteral("scope"), QStringLiteral("refund:create")},
        {QStringLiteral("authorization_details"), issued->authorizationDetails()}};
    QCOMPARE(claims, expected);
    QCOMPARE(claims.value(QStringLiteral("jti")).toString().size(), 22);  // 16 random bytes
    const QJsonObject details = issued->authorizationDetails().first().toObject();
    QCOMPARE(details.value(QStringLiteral("purpose")).toString(), QStringLiteral("a \"quoted\"\\ purpose\n\u00e9\u2603"));
    QCOMPARE(details.value(QStringLiteral("parent")).toString(), executionOf(parent));
    QCOMPARE(details.value(QStringLiteral("depth")).toInt(), 2);
    QVERIFY(f->broker->verifyExecutionToken(issued->accessToken));
    // A root execution names no parent: JSON null.
    QVERIFY(BrokerFixture::claimsOf(parent).value(QStringLiteral("authorization_details")).toArray().first().toObject()
                .value(QStringLiteral("parent")).isNull());
}

void tst_BrokerCaches::distrustedIssuerStopsAtOnce()
{
    const QByteArray idToken = f->idToken();
    QVERIFY(f->issuers->verify(idToken));
    QVERIFY(f->issuers->verify(idToken));  // its issuer is remembered now
    f->issuers->distrust(QLatin1String(broker::DevIdentityProvider::kIssuer));
    QCOMPARE(f->issuers->verify(idToken).error().code, QStringLiteral("untrusted_issuer"));
}

void tst_BrokerCaches::reTrustedIssuerUsesItsNewKeys()
{
    const QByteArray idToken = f->idToken();
    QVERIFY(f->issuers->verify(idToken));
    // The same issuer, now trusted with other keys only: the remembered token no longer verifies.
    crypto::Jwks other;
    other.add(crypto::Jwk::fromEd25519(crypto::Ed25519Key::generate().value(), QStringLiteral("other")));
    f->issuers->trust(QLatin1String(broker::DevIdentityProvider::kIssuer), other);
    QVERIFY(!f->issuers->verify(idToken));
    f->issuers->trust(QLatin1String(broker::DevIdentityProvider::kIssuer), f->idp->publicKeys());
    QVERIFY(f->issuers->verify(idToken));
}

void tst_BrokerCaches::retiredKeyEndsOldTokensAtTheNextRotation()
{
    // Verified (and its header remembered) under the old key, which then leaves the key set.
    const QByteArray old = mint();
    QVERIFY(f->broker->verifyExecutionToken(old));
    QVERIFY(f->broker->verifyExecutionToken(old));
    // Two rotations: the verifier the broker builds after the second has neither old key.
    QVERIFY(f->keyRing->rotate(0));
    f->clock.advanceSecs(2);
    QVERIFY(f->keyRing->rotate(0));
    const auto verified = f->broker->verifyExecutionToken(old);
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("unknown_kid"));
    QVERIFY(f->broker->verifyExecutionToken(mint()));
}

void tst_BrokerCaches::retiredKeyEndsOldTokensWhenItsOverlapPasses()
{
    const QByteArray old = mint();
    QVERIFY(f->broker->verifyExecutionToken(old));
    QVERIFY(f->keyRing->rotate(60));
    const QByteArray fresh = mint();
    QVERIFY(f->broker->verifyExecutionToken(old));  // within the overlap
    QVERIFY(f->broker->verifyExecutionToken(fresh));
    f->clock.advanceSecs(61);
    const auto verified = f->broker->verifyExecutionToken(old);
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("unknown_kid"));
    QVERIFY(f->broker->verifyExecutionToken(fresh));
}

void tst_BrokerCaches::zeroOverlapEndsOldTokensAtOnce()
{
    const QByteArray old = mint();
    QVERIFY(f->broker->verifyExecutionToken(old));
    QVERIFY(f->keyRing->rotate(0));
    const auto verified = f->broker->verifyExecutionToken(old);
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("unknown_kid"));
    QVERIFY(f->broker->verifyExecutionToken(mint()));
}

void tst_BrokerCaches::sharedIssuerAndSubjectNamesNobody()
{
    // Stored before the registry refused it: a second human with alice's issuer and subject.
    // Her ID tokens then name nobody (not whichever record comes first), and the gateway says so
    // once, not at every reload of the humans.
    QSqlQuery copy(f->db->connection());
    QVERIFY(copy.exec(QStringLiteral("INSERT INTO humans (id, version, body, updated_at) SELECT 'alice-copy', version, "
                                     "json_set(body, '$.id', 'alice-copy'), updated_at FROM humans WHERE id = 'alice'")));
    static std::atomic<int> reports{0};
    reports = 0;
    const QtMessageHandler previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
        if (type == QtWarningMsg && message.contains(QLatin1String("share an issuer and subject")) && message.contains(QLatin1String("alice-copy")))
            ++reports;
    });
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false"));  // this one's warning is the point
    const auto restore = qScopeGuard([previous] {
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false\nmandate.*.warning=false"));
    });
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto refused = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("ticket:read")));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QStringLiteral("invalid_grant"));
        QVERIFY2(refused.error().message.contains(QLatin1String("several humans")), qPrintable(refused.error().message));
        f->clock.advanceSecs(10);  // past the humans cache: read again
    }
    QCOMPARE(reports.load(), 1);
}

QTEST_GUILESS_MAIN(tst_BrokerCaches)
#include "tst_broker_caches.moc"
