// SPDX-License-Identifier: Apache-2.0
// What makes a signed token from a trusted issuer an ID token the broker accepts for a root
// delegation: its "typ" (not an access or logout token of the same issuer), its audience and
// authorized party (OpenID Connect Core §3.1.3.7), a bounded lifetime and age (also for a token
// the verifier has cached), keys that vouch only for their own issuer, and a strict issuers file.
// The exchange's answer when the issuer's keys cannot be fetched is checked too.
#include "BrokerFixture.h"

#include "broker/TrustedIssuers.h"
#include "crypto/CompactJws.h"
#include "crypto/Ed25519Key.h"
#include "crypto/Jwk.h"
#include "crypto/Jwks.h"
#include "json/JsonWriter.h"

#include <QTcpServer>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;

namespace {

const QString kIdp = QStringLiteral("https://idp.test");
const QString kOther = QStringLiteral("https://other-idp.test");

struct Signer
{
    crypto::Ed25519Key key = crypto::Ed25519Key::generate().value();
    QString kid;

    crypto::Jwks jwks() const
    {
        crypto::Jwks keys;
        keys.add(crypto::Jwk::fromEd25519(key, kid));
        return keys;
    }
    QByteArray sign(const QJsonObject &claims, const QJsonValue &typ = QStringLiteral("JWT"), const QString &signingKid = {}) const
    {
        QJsonObject header{{QStringLiteral("alg"), QStringLiteral("EdDSA")}, {QStringLiteral("kid"), signingKid.isEmpty() ? kid : signingKid}};
        if (!typ.isUndefined())
            header.insert(QStringLiteral("typ"), typ);
        return signText(json::writeCompact(claims), header);
    }
    /// Claims as given, byte for byte (JSON writers do not write duplicate keys).
    QByteArray signText(const QByteArray &claims, QJsonObject header = {}) const
    {
        if (header.isEmpty())
            header = {{QStringLiteral("alg"), QStringLiteral("EdDSA")}, {QStringLiteral("kid"), kid}};
        return crypto::CompactJws::sign(header, claims, key).value();
    }
};

QJsonObject claimsFor(const QString &issuer, qint64 iat, qint64 exp, const QJsonValue &aud = QStringLiteral("mandate"))
{
    return {{QStringLiteral("iss"), issuer}, {QStringLiteral("sub"), QStringLiteral("alice")}, {QStringLiteral("aud"), aud},
            {QStringLiteral("iat"), iat}, {QStringLiteral("exp"), exp}};
}

QString codeOf(const Result<crypto::VerifiedToken> &result)
{
    return result ? QStringLiteral("accepted") : result.error().code;
}

} // namespace

class tst_TrustedIssuers final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void type_data();
    void type();
    void claimsAreReadStrictly_data();
    void claimsAreReadStrictly();
    void audienceAndAuthorizedParty_data();
    void audienceAndAuthorizedParty();
    void lifetimeIsBounded();
    void ageIsBoundedEvenWhenCached();
    void rulesAreConfigurable();
    void aKeyVouchesOnlyForItsIssuer();
    void issuersFileTakesAnAudiencePerIssuer();
    void issuersFileIsStrict_data();
    void issuersFileIsStrict();
    void unreachableKeysAskTheAgentToRetry();

private:
    ManualClock m_clock;
    Signer m_idp{crypto::Ed25519Key::generate().value(), QStringLiteral("idp-1")};
    Signer m_other{crypto::Ed25519Key::generate().value(), QStringLiteral("other-1")};
};

void tst_TrustedIssuers::initTestCase()
{
    QCOMPARE(m_clock.nowSecs(), 1'800'000'000);
}

void tst_TrustedIssuers::type_data()
{
    QTest::addColumn<QJsonValue>("typ");
    QTest::addColumn<QString>("code");
    QTest::addRow("absent") << QJsonValue(QJsonValue::Undefined) << QStringLiteral("accepted");
    QTest::addRow("JWT") << QJsonValue(QStringLiteral("JWT")) << QStringLiteral("accepted");
    QTest::addRow("jwt, any case") << QJsonValue(QStringLiteral("jwt")) << QStringLiteral("accepted");
    QTest::addRow("application/jwt") << QJsonValue(QStringLiteral("application/jwt")) << QStringLiteral("accepted");
    // Tokens the same issuer signs for other purposes, with the same audience.
    QTest::addRow("an access token (RFC 9068)") << QJsonValue(QStringLiteral("at+jwt")) << QStringLiteral("wrong_typ");
    QTest::addRow("a logout token") << QJsonValue(QStringLiteral("logout+jwt")) << QStringLiteral("wrong_typ");
    QTest::addRow("a security event token") << QJsonValue(QStringLiteral("secevent+jwt")) << QStringLiteral("wrong_typ");
    QTest::addRow("not a string") << QJsonValue(7) << QStringLiteral("wrong_typ");
}

void tst_TrustedIssuers::type()
{
    QFETCH(QJsonValue, typ);
    QFETCH(QString, code);
    broker::TrustedIssuers issuers(m_clock, QStringLiteral("mandate"));
    issuers.trust(kIdp, m_idp.jwks());
    const qint64 now = m_clock.nowSecs();
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 300), typ))), code);
}

void tst_TrustedIssuers::claimsAreReadStrictly_data()
{
    // The claims are read to find the issuer before the signature is checked: with the same
    // errors as the verifier's own reading.
    QTest::addColumn<QByteArray>("claims");
    QTest::addColumn<QString>("code");
    const QByteArray rest = R"("sub":"alice","aud":"mandate","iat":1800000000,"exp":1800000300})";
    QTest::addRow("duplicate iss") << QByteArray(R"({"iss":"https://idp.test","iss":"https://other-idp.test",)" + rest)
                                   << QStringLiteral("duplicate_json_key");
    QTest::addRow("duplicate sub") << QByteArray(R"({"iss":"https://idp.test","sub":"mallory",)" + rest) << QStringLiteral("duplicate_json_key");
    QTest::addRow("an array") << QByteArray(R"(["https://idp.test"])") << QStringLiteral("malformed_json");
    QTest::addRow("trailing comma") << QByteArray(R"({"iss":"https://idp.test",})") << QStringLiteral("malformed_json");
    QTest::addRow("too deep") << QByteArray(R"({"iss":"https://idp.test","x":)" + QByteArray(40, '[') + QByteArray(40, ']') + "}")
                              << QStringLiteral("malformed_json");
    QTest::addRow("as written") << QByteArray(R"({"iss":"https://idp.test",)" + rest) << QStringLiteral("accepted");
}

void tst_TrustedIssuers::claimsAreReadStrictly()
{
    QFETCH(QByteArray, claims);
    QFETCH(QString, code);
    broker::TrustedIssuers issuers(m_clock, QStringLiteral("mandate"));
    issuers.trust(kIdp, m_idp.jwks());
    QCOMPARE(codeOf(issuers.verify(m_idp.signText(claims))), code);
}

void tst_TrustedIssuers::audienceAndAuthorizedParty_data()
{
    QTest::addColumn<QJsonValue>("aud");
    QTest::addColumn<QJsonValue>("azp");
    QTest::addColumn<QString>("code");
    const QJsonValue none(QJsonValue::Undefined);
    const QJsonArray both{QStringLiteral("mandate"), QStringLiteral("another-app")};
    QTest::addRow("our audience") << QJsonValue(QStringLiteral("mandate")) << none << QStringLiteral("accepted");
    QTest::addRow("azp is us") << QJsonValue(QStringLiteral("mandate")) << QJsonValue(QStringLiteral("mandate")) << QStringLiteral("accepted");
    QTest::addRow("issued to another party") << QJsonValue(QStringLiteral("mandate")) << QJsonValue(QStringLiteral("another-app")) << QStringLiteral("wrong_audience");
    QTest::addRow("azp not a string") << QJsonValue(QStringLiteral("mandate")) << QJsonValue(1) << QStringLiteral("invalid_claim");
    QTest::addRow("several audiences, no azp") << QJsonValue(both) << none << QStringLiteral("missing_claim");
    QTest::addRow("several audiences, azp us") << QJsonValue(both) << QJsonValue(QStringLiteral("mandate")) << QStringLiteral("accepted");
    QTest::addRow("several audiences, azp another") << QJsonValue(both) << QJsonValue(QStringLiteral("another-app")) << QStringLiteral("wrong_audience");
    QTest::addRow("one audience in an array") << QJsonValue(QJsonArray{QStringLiteral("mandate")}) << none << QStringLiteral("accepted");
    QTest::addRow("not our audience") << QJsonValue(QStringLiteral("another-app")) << none << QStringLiteral("wrong_audience");
}

void tst_TrustedIssuers::audienceAndAuthorizedParty()
{
    QFETCH(QJsonValue, aud);
    QFETCH(QJsonValue, azp);
    QFETCH(QString, code);
    broker::TrustedIssuers issuers(m_clock, QStringLiteral("mandate"));
    issuers.trust(kIdp, m_idp.jwks());
    const qint64 now = m_clock.nowSecs();
    QJsonObject claims = claimsFor(kIdp, now, now + 300, aud);
    if (!azp.isUndefined())
        claims.insert(QStringLiteral("azp"), azp);
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claims))), code);
}

void tst_TrustedIssuers::lifetimeIsBounded()
{
    broker::TrustedIssuers issuers(m_clock, QStringLiteral("mandate"));
    issuers.trust(kIdp, m_idp.jwks());
    const qint64 now = m_clock.nowSecs();
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 24 * 3600)))), QStringLiteral("accepted"));
    const auto tooLong = issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 24 * 3600 + 1)));
    QCOMPARE(codeOf(tooLong), QStringLiteral("invalid_claim"));
    QVERIFY2(tooLong.error().message.contains(QLatin1String("exceeds the maximum of 86400 s")), qPrintable(tooLong.error().message));
    // Issued five years ago, valid for ten more: too old before it is too long-lived.
    const qint64 year = 365 * 24 * 3600;
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now - 5 * year, now + 10 * year)))), QStringLiteral("expired"));
}

void tst_TrustedIssuers::ageIsBoundedEvenWhenCached()
{
    ManualClock clock;
    broker::TrustedIssuers::Rules rules{QStringLiteral("mandate")};
    rules.maxLifetimeSecs = 48 * 3600;  // so that only the age limit can end it
    broker::TrustedIssuers issuers(clock, rules);
    issuers.trust(kIdp, m_idp.jwks());
    const qint64 now = clock.nowSecs();
    const QByteArray token = m_idp.sign(claimsFor(kIdp, now - 23 * 3600, now + 20 * 3600));
    QCOMPARE(codeOf(issuers.verify(token)), QStringLiteral("accepted"));  // 23 h old: within a day
    clock.advanceSecs(3600 + 60);  // 24 h old, and within the skew
    QCOMPARE(codeOf(issuers.verify(token)), QStringLiteral("accepted"));
    clock.advanceSecs(1);  // past the age and the skew, though far from its expiry
    const auto old = issuers.verify(token);
    QCOMPARE(codeOf(old), QStringLiteral("expired"));
    QVERIFY2(old.error().message.contains(QLatin1String("older than the maximum age of 86400 s")), qPrintable(old.error().message));
    // A fresh token from the same issuer still works.
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, clock.nowSecs(), clock.nowSecs() + 300)))), QStringLiteral("accepted"));
}

void tst_TrustedIssuers::rulesAreConfigurable()
{
    broker::TrustedIssuers::Rules rules{QStringLiteral("gateway-client")};
    rules.clockSkewSecs = 0;
    rules.maxLifetimeSecs = 600;
    rules.maxAgeSecs = 300;
    broker::TrustedIssuers issuers(m_clock, rules);
    issuers.trust(kIdp, m_idp.jwks());
    const qint64 now = m_clock.nowSecs();
    const QJsonValue aud(QStringLiteral("gateway-client"));
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 600, aud)))), QStringLiteral("accepted"));
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 601, aud)))), QStringLiteral("invalid_claim"));
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now - 301, now + 200, aud)))), QStringLiteral("expired"));
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 60)))), QStringLiteral("wrong_audience"));
}

void tst_TrustedIssuers::aKeyVouchesOnlyForItsIssuer()
{
    broker::TrustedIssuers issuers(m_clock, QStringLiteral("mandate"));
    issuers.trust(kIdp, m_idp.jwks());
    issuers.trust(kOther, m_other.jwks());
    const qint64 now = m_clock.nowSecs();
    QCOMPARE(codeOf(issuers.verify(m_other.sign(claimsFor(kOther, now, now + 300)))), QStringLiteral("accepted"));
    // Signed by the first issuer's key, claiming to come from the other one: whichever kid it names.
    const QJsonObject claims = claimsFor(kOther, now, now + 300);
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claims))), QStringLiteral("unknown_kid"));
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claims, QStringLiteral("JWT"), m_other.kid))), QStringLiteral("bad_signature"));
}

void tst_TrustedIssuers::issuersFileTakesAnAudiencePerIssuer()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("issuers.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json::writeCompact(QJsonObject{{QStringLiteral("issuers"), QJsonArray{
        QJsonObject{{QStringLiteral("issuer"), kIdp}, {QStringLiteral("audience"), QStringLiteral("0oa1b2c3d4")},
                    {QStringLiteral("jwks"), m_idp.jwks().toJson()}},
        QJsonObject{{QStringLiteral("issuer"), kOther}, {QStringLiteral("jwks"), m_other.jwks().toJson()}}}}}));
    file.close();
    broker::TrustedIssuers issuers(m_clock, QStringLiteral("mandate"));
    const Status loaded = issuers.loadFile(path);
    QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().message));
    const qint64 now = m_clock.nowSecs();
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 300, QStringLiteral("0oa1b2c3d4"))))), QStringLiteral("accepted"));
    QCOMPARE(codeOf(issuers.verify(m_idp.sign(claimsFor(kIdp, now, now + 300)))), QStringLiteral("wrong_audience"));
    // The other issuer keeps the gateway's audience.
    QCOMPARE(codeOf(issuers.verify(m_other.sign(claimsFor(kOther, now, now + 300)))), QStringLiteral("accepted"));
    QCOMPARE(codeOf(issuers.verify(m_other.sign(claimsFor(kOther, now, now + 300, QStringLiteral("0oa1b2c3d4"))))), QStringLiteral("wrong_audience"));
}

void tst_TrustedIssuers::issuersFileIsStrict_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("message");
    const QByteArray jwks = json::writeCompact(m_idp.jwks().toJson());
    QTest::addRow("a misspelt member") << (R"({"issuers":[{"issuer":"https://idp.test","audiance":"x","jwks":)" + jwks + "}]}")
                                       << QStringLiteral("issuers[0]: unknown member \"audiance\"");
    QTest::addRow("an empty audience") << (R"({"issuers":[{"issuer":"https://idp.test","audience":"","jwks":)" + jwks + "}]}")
                                       << QStringLiteral("issuers[0]: \"audience\" must not be empty");
    QTest::addRow("a number for a string") << (R"({"issuers":[{"issuer":"https://idp.test","audience":7,"jwks":)" + jwks + "}]}")
                                           << QStringLiteral("issuers[0]: \"audience\" must be a string");
    QTest::addRow("an entry that is no object") << QByteArray(R"({"issuers":["https://idp.test"]})")
                                                << QStringLiteral("issuers[0]: expected an object");
    QTest::addRow("more than the list") << (R"({"issuers":[{"issuer":"https://idp.test","jwks":)" + jwks + R"(}],"audience":"x"})")
                                        << QStringLiteral("expected {\"issuers\":[...]} and nothing else");
}

void tst_TrustedIssuers::issuersFileIsStrict()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("issuers.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(document);
    file.close();
    broker::TrustedIssuers issuers(m_clock, QStringLiteral("mandate"));
    const Status loaded = issuers.loadFile(path);
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().message.contains(message), qPrintable(loaded.error().message));
    QVERIFY(issuers.issuers().isEmpty());  // all or nothing
}

void tst_TrustedIssuers::unreachableKeysAskTheAgentToRetry()
{
    BrokerFixture f;
    QVERIFY2(f.setUp(), qPrintable(f.error));
    // An issuer whose jwks_uri answers nothing: a loopback port that was free a moment ago.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    broker::JwksFetcher::Options options;
    options.url = QUrl(QStringLiteral("http://127.0.0.1:%1/jwks.json").arg(probe.serverPort()));
    options.timeoutMs = 2000;
    probe.close();
    QVERIFY(f.issuers->trustJwksUrl(kIdp, options));
    const qint64 now = f.clock.nowSecs();
    broker::ExchangeRequest request = f.rootRequest(QStringLiteral("support-agent"), QStringLiteral("ticket:read"));
    request.subjectToken = m_idp.sign(claimsFor(kIdp, now, now + 300));
    const auto refused = f.broker->exchange(request);
    QVERIFY(!refused);
    // Nothing is wrong with the token: the agent should try again, not drop it.
    QCOMPARE(refused.error().code, QStringLiteral("temporarily_unavailable"));
    QVERIFY2(!refused.error().message.contains(QLatin1String("127.0.0.1")), qPrintable(refused.error().message));
}

QTEST_GUILESS_MAIN(tst_TrustedIssuers)
#include "tst_trusted_issuers.moc"
