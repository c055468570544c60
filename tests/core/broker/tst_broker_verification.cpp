// SPDX-License-Identifier: Apache-2.0
// What the gateway relies on: verifyExecutionToken rejects each bad token with its own code;
// revoked (with descendants), completed and expired executions stop working; RFC 7009
// revocation by the holder or a delegator; the client-secret cache; the dev IdP's key file.
#include "BrokerFixture.h"

#include "crypto/CompactJws.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTest>

#include <sys/stat.h>

using namespace mandate;
using namespace mandate::testing;

class tst_BrokerVerification final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void rejections_data();
    void rejections();
    void revocationCascades();
    void completedAndExpiredStopWorking();
    void revokeTokenRfc7009();
    void rotationKeepsOldTokensValid();
    void clientSecretCache();
    void devIdentityProvider();

private:
    QByteArray root(qint64 ttl = 900);
    QByteArray child(const QByteArray &parent);
    static QString executionOf(const QByteArray &token);

    std::unique_ptr<BrokerFixture> f;
};

void tst_BrokerVerification::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false\nmandate.*.warning=false"));
}

void tst_BrokerVerification::init()
{
    f = std::make_unique<BrokerFixture>();
    QVERIFY2(f->setUp(), qPrintable(f->error));
}

QByteArray tst_BrokerVerification::root(qint64 ttl)
{
    auto issued = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("refund:create ticket:read"),
                                                     {{QStringLiteral("ttl"), ttl}}));
    return issued ? issued->accessToken : QByteArray();
}

QByteArray tst_BrokerVerification::child(const QByteArray &parent)
{
    auto issued = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create"),
                                                    {{QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 2}}}}));
    return issued ? issued->accessToken : QByteArray();
}

QString tst_BrokerVerification::executionOf(const QByteArray &token)
{
    return BrokerFixture::claimsOf(token).value(QStringLiteral("authorization_details")).toArray().first().toObject()
        .value(QStringLiteral("execution")).toString();
}

void tst_BrokerVerification::rejections_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("code");
    for (const auto &[kind, code] : std::initializer_list<std::pair<const char *, const char *>>{
             {"bad signature", "bad_signature"},
             {"alg none", "alg_none"},
             {"unknown kid", "unknown_kid"},
             {"wrong audience", "wrong_audience"},
             {"wrong issuer", "wrong_issuer"},
             {"expired", "expired"},
             {"not yet valid", "not_yet_valid"},
             {"oversized", "oversized_token"},
             {"malformed", "malformed_token"},
             {"id token", "wrong_typ"},
             {"no execution", "unknown_execution"},
             {"no details", "invalid_claim"},
             {"empty execution", "invalid_claim"},
             {"two executions", "invalid_claim"},
             {"another client", "invalid_claim"}})
        QTest::addRow("%s", kind) << QString::fromLatin1(kind) << QString::fromLatin1(code);
}

void tst_BrokerVerification::rejections()
{
    QFETCH(QString, kind);
    QFETCH(QString, code);
    QByteArray token = root();
    QVERIFY(!token.isEmpty());
    const QList<QByteArray> parts = token.split('.');
    // Re-signs edited claims with the broker's own key, so only the edit can be at fault.
    const auto resign = [&](const std::function<void(QJsonObject &)> &edit) {
        QJsonObject claims = BrokerFixture::claimsOf(token);
        edit(claims);
        return f->keyRing->sign(claims).value();
    };
    if (kind == QLatin1String("bad signature")) {
        token[token.size() - 2] = token.at(token.size() - 2) == 'A' ? 'B' : 'A';
    } else if (kind == QLatin1String("alg none")) {
        token = crypto::Base64Url::encode(R"({"alg":"none","typ":"at+jwt","kid":"x"})") + '.' + parts[1] + '.';
    } else if (kind == QLatin1String("unknown kid")) {
        QTemporaryDir other;
        crypto::KeyRing foreign(other.path(), f->clock);
        QVERIFY(foreign.open().ok());
        token = foreign.sign(BrokerFixture::claimsOf(token)).value();
    } else if (kind == QLatin1String("wrong audience")) {
        token = resign([](QJsonObject &c) { c.insert(QStringLiteral("aud"), QStringLiteral("someone-else")); });
    } else if (kind == QLatin1String("wrong issuer")) {
        token = resign([](QJsonObject &c) { c.insert(QStringLiteral("iss"), QStringLiteral("https://evil.example")); });
    } else if (kind == QLatin1String("expired")) {
        f->clock.advanceSecs(900 + 61);  // beyond exp and the 60 s skew
    } else if (kind == QLatin1String("not yet valid")) {
        token = resign([this](QJsonObject &c) { c.insert(QStringLiteral("nbf"), f->clock.nowSecs() + 3600); });
    } else if (kind == QLatin1String("oversized")) {
        token = QByteArray(9000, 'a');
    } else if (kind == QLatin1String("malformed")) {
        token = parts[0] + '.' + parts[1];
    } else if (kind == QLatin1String("id token")) {
        token = f->idToken();
    } else if (kind == QLatin1String("no execution")) {
        token = resign([](QJsonObject &c) {
            QJsonObject d = c.value(QStringLiteral("authorization_details")).toArray().first().toObject();
            d.insert(QStringLiteral("execution"), QStringLiteral("exe_forged"));
            c.insert(QStringLiteral("authorization_details"), QJsonArray{d});
        });
    } else if (kind == QLatin1String("empty execution")) {
        token = resign([](QJsonObject &c) {
            QJsonObject d = c.value(QStringLiteral("authorization_details")).toArray().first().toObject();
            d.insert(QStringLiteral("execution"), QString());
            c.insert(QStringLiteral("authorization_details"), QJsonArray{d});
        });
    } else if (kind == QLatin1String("two executions")) {
        token = resign([](QJsonObject &c) {
            const QJsonObject d = c.value(QStringLiteral("authorization_details")).toArray().first().toObject();
            QJsonObject other = d;
            other.insert(QStringLiteral("execution"), QStringLiteral("exe_other"));
            c.insert(QStringLiteral("authorization_details"), QJsonArray{d, other});
        });
    } else if (kind == QLatin1String("another client")) {
        // The execution is real and active, but it was not issued to this client.
        token = resign([](QJsonObject &c) { c.insert(QStringLiteral("client_id"), QStringLiteral("refund-subagent")); });
    } else if (kind == QLatin1String("no details")) {
        token = resign([](QJsonObject &c) { c.remove(QStringLiteral("authorization_details")); });
    }
    auto verified = f->broker->verifyExecutionToken(token);
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, code);
}

void tst_BrokerVerification::revocationCascades()
{
    const QByteArray parent = root();
    const QByteArray c1 = child(parent);
    const QByteArray grandchildless = child(parent);
    QVERIFY(!c1.isEmpty() && !grandchildless.isEmpty());
    QVERIFY(f->broker->verifyExecutionToken(c1));  // cached as verified now
    auto revoked = f->broker->revokeExecution(executionOf(parent), QStringLiteral("incident 42"));
    QVERIFY(revoked);
    QCOMPARE(revoked->size(), 3);
    for (const QByteArray &token : {parent, c1, grandchildless}) {
        auto verified = f->broker->verifyExecutionToken(token);
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, QStringLiteral("revoked"));
    }
    // A revoked parent cannot delegate any more.
    auto again = f->broker->exchange(f->subRequest(QStringLiteral("refund-subagent"), parent, QStringLiteral("refund:create")));
    QCOMPARE(again.error().code, QStringLiteral("invalid_grant"));
}

void tst_BrokerVerification::completedAndExpiredStopWorking()
{
    const QByteArray done = root();
    const QByteArray doneChild = child(done);
    QVERIFY(f->executions->complete(executionOf(done)).ok());
    QCOMPARE(f->broker->verifyExecutionToken(done).error().code, QStringLiteral("completed"));
    QCOMPARE(f->broker->verifyExecutionToken(doneChild).error().code, QStringLiteral("completed"));

    const QByteArray shortLived = root(120);
    QVERIFY(f->broker->verifyExecutionToken(shortLived));
    f->clock.advanceSecs(120);
    // The JWT is still inside its clock skew, the execution is not: the store's expiry wins.
    QCOMPARE(f->broker->verifyExecutionToken(shortLived).error().code, QStringLiteral("expired"));
    QCOMPARE(f->executions->expireDue().value(), 1);
    QCOMPARE(f->broker->verifyExecutionToken(shortLived).error().code, QStringLiteral("expired"));
}

void tst_BrokerVerification::revokeTokenRfc7009()
{
    const QByteArray parent = root();
    const QByteArray sub = child(parent);
    const broker::ClientCredentials supportClient{QStringLiteral("support-agent"), BrokerFixture::secretOf(QStringLiteral("support-agent"))};
    const broker::ClientCredentials financeClient{QStringLiteral("finance-agent"), BrokerFixture::secretOf(QStringLiteral("finance-agent"))};
    // A stranger may not revoke; a bad secret is invalid_client; garbage is silently fine.
    QCOMPARE(f->broker->revokeToken(financeClient, sub).error().code, QStringLiteral("unauthorized_client"));
    QCOMPARE(f->broker->revokeToken({QStringLiteral("support-agent"), "wrong-secret-0123456789"}, sub).error().code,
             QStringLiteral("invalid_client"));
    QCOMPARE(f->broker->revokeToken(supportClient, "garbage").value(), QStringList());
    // The delegator revokes its sub-agent's token; the parent lives on.
    QCOMPARE(f->broker->revokeToken(supportClient, sub).value(), QStringList{executionOf(sub)});
    QCOMPARE(f->broker->verifyExecutionToken(sub).error().code, QStringLiteral("revoked"));
    QVERIFY(f->broker->verifyExecutionToken(parent));
    // Revoking twice is not an error.
    QCOMPARE(f->broker->revokeToken(supportClient, sub).value(), QStringList());
}

void tst_BrokerVerification::rotationKeepsOldTokensValid()
{
    const QByteArray before = root();
    QVERIFY(f->keyRing->rotate(3600));
    const QByteArray after = root();
    QVERIFY(BrokerFixture::headerOf(before).value(QStringLiteral("kid")) != BrokerFixture::headerOf(after).value(QStringLiteral("kid")));
    QVERIFY(f->broker->verifyExecutionToken(before));
    QVERIFY(f->broker->verifyExecutionToken(after));
}

void tst_BrokerVerification::clientSecretCache()
{
    broker::OAuthClientStore &clients = *f->clients;
    clients.clearCache();
    const QByteArray secret = BrokerFixture::secretOf(QStringLiteral("support-agent"));
    QVERIFY(clients.authenticate(QStringLiteral("support-agent"), secret).ok());
    QCOMPARE(clients.cacheSize(), 1);
    QVERIFY(clients.authenticate(QStringLiteral("support-agent"), secret).ok());
    QCOMPARE(clients.cacheSize(), 1);
    QCOMPARE(clients.authenticate(QStringLiteral("support-agent"), "wrong-secret-0123456789").error().code, QStringLiteral("invalid_client"));
    QCOMPARE(clients.cacheSize(), 1);  // failures are not cached
    // A rotated secret stops matching at once, cache or not.
    auto rotated = clients.issueSecret(QStringLiteral("support-agent"));
    QVERIFY(rotated && rotated->startsWith(QStringLiteral("mcs_")));
    QCOMPARE(clients.authenticate(QStringLiteral("support-agent"), secret).error().code, QStringLiteral("invalid_client"));
    QVERIFY(clients.authenticate(QStringLiteral("support-agent"), rotated->toLatin1()).ok());
    QVERIFY(clients.remove(QStringLiteral("support-agent")).ok());
    QCOMPARE(clients.authenticate(QStringLiteral("support-agent"), rotated->toLatin1()).error().code, QStringLiteral("invalid_client"));
    // The cache expires.
    QVERIFY(clients.authenticate(QStringLiteral("finance-agent"), BrokerFixture::secretOf(QStringLiteral("finance-agent"))).ok());
    f->clock.advanceSecs(broker::OAuthClientStore::kCacheTtlSecs + 1);
    QVERIFY(clients.authenticate(QStringLiteral("finance-agent"), BrokerFixture::secretOf(QStringLiteral("finance-agent"))).ok());
}

void tst_BrokerVerification::devIdentityProvider()
{
    struct stat st {};
    QVERIFY(::stat(QFile::encodeName(f->idp->keyPath()).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QVERIFY(::stat(QFile::encodeName(QFileInfo(f->idp->keyPath()).path()).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    const QByteArray token = f->idToken(QStringLiteral("bob"), 60);
    const QJsonObject claims = BrokerFixture::claimsOf(token);
    QCOMPARE(claims.value(QStringLiteral("iss")).toString(), QStringLiteral("urn:mandate:dev-idp"));
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), QStringLiteral("bob"));
    QCOMPARE(claims.value(QStringLiteral("aud")).toString(), QStringLiteral("mandate"));
    QCOMPARE(claims.value(QStringLiteral("exp")).toInteger() - claims.value(QStringLiteral("iat")).toInteger(), 60);
    QVERIFY(claims.contains(QStringLiteral("name")));
    QVERIFY(f->issuers->verify(token));
    // Another data directory has no key, and opening it without CreateIfMissing says so.
    QTemporaryDir empty;
    broker::DevIdentityProvider none(empty.path(), f->clock);
    QCOMPARE(none.open(broker::DevIdentityProvider::Mode::OpenExisting).error().code, QStringLiteral("dev_idp"));
    // A key file others can read is refused.
    QVERIFY(::chmod(QFile::encodeName(f->idp->keyPath()).constData(), 0644) == 0);
    broker::DevIdentityProvider loose(f->dir.path(), f->clock);
    QVERIFY(!loose.open(broker::DevIdentityProvider::Mode::OpenExisting).ok());
}

QTEST_GUILESS_MAIN(tst_BrokerVerification)
#include "tst_broker_verification.moc"
