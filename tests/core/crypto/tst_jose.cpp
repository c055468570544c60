// SPDX-License-Identifier: Apache-2.0
// JOSE: the RFC 8037 known answer, each rejection reason with its own code, claims and clock
// skew on a ManualClock, and the verified-token cache.
#include "crypto/Base64Url.h"
#include "crypto/CompactJws.h"
#include "crypto/JoseError.h"
#include "crypto/Sha256.h"
#include "crypto/TokenVerifier.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QJsonArray>
#include <QTest>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using namespace mandate;
using namespace mandate::crypto;

namespace {

const QString kIssuer = QStringLiteral("https://mandate.test");
const QString kAudience = QStringLiteral("mandate-gateway");
constexpr qint64 kNow = 1'800'000'000;

QByteArray b64(QByteArrayView bytes)
{
    return Base64Url::encode(bytes);
}

QByteArray unb64(QByteArrayView text)
{
    return Base64Url::decode(text).value();
}

} // namespace

class TestJose : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void rfc8037KnownAnswer();
    void rfc8037Thumbprint();
    void jwkRoundTrip();
    void rejections_data();
    void rejections();
    void clockSkew_data();
    void clockSkew();
    void skewIsBounded();
    void cacheExpiresWithToken();
    void cacheIsClearedOnKeyChange();
    void cacheMatchesOnlyTheExactToken();
    void hashedTokenSharesTheCache();
    void handleIsReadOnceAndRequired();
    void keyRotationDuringVerification();
    void idTokenPolicyAcceptsWithoutKid();

private:
    /// Signs arbitrary header and payload bytes (even malformed ones) with the test key.
    QByteArray craft(const QByteArray &header, const QByteArray &payload) const;
    QByteArray claims(qint64 expOffset = 300) const;
    QByteArray goodHeader() const;
    TokenVerifier makeVerifier(const Clock &clock, qint64 skew = 60) const;

    Ed25519Key m_key;
    QString m_kid;
    ManualClock m_clock{QDateTime::fromSecsSinceEpoch(kNow, Qt::UTC)};
};

void TestJose::initTestCase()
{
    auto key = Ed25519Key::generate();
    QVERIFY(key.ok());
    m_key = key.value();
    m_kid = QStringLiteral("test-key-1");
}

QByteArray TestJose::craft(const QByteArray &header, const QByteArray &payload) const
{
    const QByteArray input = b64(header) + '.' + b64(payload);
    return input + '.' + b64(m_key.sign(input).value());
}

QByteArray TestJose::goodHeader() const
{
    return R"({"alg":"EdDSA","kid":")" + m_kid.toLatin1() + R"(","typ":"at+jwt"})";
}

QByteArray TestJose::claims(qint64 expOffset) const
{
    return json::writeCompact(QJsonObject{{QStringLiteral("iss"), kIssuer},
                                          {QStringLiteral("aud"), kAudience},
                                          {QStringLiteral("sub"), QStringLiteral("user:alice")},
                                          {QStringLiteral("iat"), kNow},
                                          {QStringLiteral("nbf"), kNow},
                                          {QStringLiteral("exp"), kNow + expOffset}});
}

TokenVerifier TestJose::makeVerifier(const Clock &clock, qint64 skew) const
{
    Jwks keys;
    keys.add(Jwk::fromEd25519(m_key, m_kid));
    ClaimsPolicy claimsPolicy;
    claimsPolicy.issuer = kIssuer;
    claimsPolicy.audience = kAudience;
    claimsPolicy.clockSkewSecs = skew;
    return TokenVerifier(JwsPolicy::accessTokens(), claimsPolicy, keys, clock);
}

void TestJose::rfc8037KnownAnswer()
{
    // RFC 8037 appendix A.1 (key) and A.4 (JWS of "Example of Ed25519 signing").
    auto key = Ed25519Key::fromSeed(unb64("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
    QVERIFY(key.ok());
    QCOMPARE(b64(key->publicKey()), QByteArray("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("EdDSA")}};
    auto jws = CompactJws::sign(header, "Example of Ed25519 signing", key.value());
    QVERIFY(jws.ok());
    QCOMPARE(jws.value(), QByteArray("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                                     "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"));

    // And it verifies through the public JWK of A.2 under the ID-token policy (no kid there).
    auto keys = Jwks::parse(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
    QVERIFY(keys.ok());
    auto verified = JwsVerifier(JwsPolicy::idTokens(), keys.value()).verify(jws.value());
    QVERIFY2(verified.ok(), verified.ok() ? "" : qPrintable(verified.error().message));
    QCOMPARE(verified->payload, QByteArray("Example of Ed25519 signing"));
    QCOMPARE(verified->alg, QStringLiteral("EdDSA"));
}

void TestJose::rfc8037Thumbprint()
{
    // RFC 8037 appendix A.3.
    auto jwk = Jwk::parse(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})");
    QVERIFY(jwk.ok());
    QCOMPARE(jwk->thumbprint(), QStringLiteral("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"));
}

void TestJose::jwkRoundTrip()
{
    const Jwk jwk = Jwk::fromEd25519(m_key, m_kid);
    const QJsonObject exported = jwk.toJson();
    QVERIFY(!exported.contains(QStringLiteral("d"))); // never the private key
    QCOMPARE(exported.value(QStringLiteral("kty")).toString(), QStringLiteral("OKP"));
    QCOMPARE(exported.value(QStringLiteral("crv")).toString(), QStringLiteral("Ed25519"));
    QCOMPARE(exported.value(QStringLiteral("kid")).toString(), m_kid);
    auto back = Jwk::fromJson(exported);
    QVERIFY(back.ok());
    QCOMPARE(back->toJson(), exported);

    // A private member in a verification set is refused, as are symmetric keys.
    QJsonObject withSecret = exported;
    withSecret.insert(QStringLiteral("d"), QString::fromLatin1(b64(m_key.seed().view())));
    QCOMPARE(Jwk::fromJson(withSecret).error().code, QStringLiteral("bad_key"));
    QCOMPARE(Jwk::parse(R"({"kty":"oct","k":"AAAA"})").error().code, QStringLiteral("bad_key"));
    // Duplicate kid makes a whole set ambiguous.
    const QByteArray one = json::writeCompact(exported);
    QCOMPARE(Jwks::parse(QByteArray("{\"keys\":[" + one + ',' + one + "]}")).error().code, QStringLiteral("bad_key"));
    // Duplicate JSON members are refused in JWKs too.
    QVERIFY(!Jwk::parse(R"({"kty":"OKP","kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})").ok());
}

void TestJose::rejections_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("code");

    const QByteArray header = goodHeader();
    const QByteArray payload = claims();
    const QByteArray good = craft(header, payload);
    const QList<QByteArray> parts = good.split('.');
    auto withHeader = [&](const char *h) { return craft(QByteArray(h).replace("KID", m_kid.toLatin1()), payload); };
    auto withClaims = [&](const QJsonObject &c) { return craft(header, json::writeCompact(c)); };
    QJsonObject base = json::parseObject(payload).value();

    QTest::addRow("valid") << good << QString();
    QByteArray sig = unb64(parts[2]);
    sig[10] = char(sig[10] ^ 0x01);
    QTest::addRow("bad signature") << parts[0] + '.' + parts[1] + '.' + b64(sig) << QStringLiteral("bad_signature");
    QTest::addRow("tampered claims") << parts[0] + '.' + b64(claims(3600)) + '.' + parts[2] << QStringLiteral("bad_signature");
    QTest::addRow("signature of other token") << parts[0] + '.' + parts[1] + '.' + craft(header, claims(10)).split('.')[2]
                                              << QStringLiteral("bad_signature");
    QTest::addRow("truncated signature") << parts[0] + '.' + parts[1] + '.' + b64(sig.left(63)) << QStringLiteral("bad_signature");
    QTest::addRow("alg none, no signature") << b64(R"({"alg":"none","typ":"at+jwt"})") + '.' + parts[1] + '.'
                                            << QStringLiteral("alg_none");
    QTest::addRow("alg none, signature") << withHeader(R"({"alg":"none","kid":"KID","typ":"at+jwt"})") << QStringLiteral("alg_none");
    QTest::addRow("alg NONE") << withHeader(R"({"alg":"NONE","kid":"KID","typ":"at+jwt"})") << QStringLiteral("alg_none");
    QTest::addRow("HS256 with the public key") << withHeader(R"({"alg":"HS256","kid":"KID","typ":"at+jwt"})")
                                               << QStringLiteral("alg_confusion");
    QTest::addRow("HS512") << withHeader(R"({"alg":"HS512","kid":"KID","typ":"at+jwt"})") << QStringLiteral("alg_confusion");
    QTest::addRow("hs256, lower case") << withHeader(R"({"alg":"hs256","kid":"KID","typ":"at+jwt"})") << QStringLiteral("alg_confusion");
    QTest::addRow("ES256 in our tokens") << withHeader(R"({"alg":"ES256","kid":"KID","typ":"at+jwt"})")
                                         << QStringLiteral("alg_not_allowed");
    QTest::addRow("RS256 in our tokens") << withHeader(R"({"alg":"RS256","kid":"KID","typ":"at+jwt"})")
                                         << QStringLiteral("alg_not_allowed");
    QTest::addRow("Ed25519 as alg") << withHeader(R"({"alg":"Ed25519","kid":"KID","typ":"at+jwt"})")
                                    << QStringLiteral("alg_not_allowed");
    QTest::addRow("alg missing") << withHeader(R"({"kid":"KID","typ":"at+jwt"})") << QStringLiteral("malformed_token");
    QTest::addRow("alg not a string") << withHeader(R"({"alg":1,"kid":"KID","typ":"at+jwt"})") << QStringLiteral("malformed_token");
    QTest::addRow("unknown kid") << withHeader(R"({"alg":"EdDSA","kid":"someone-else","typ":"at+jwt"})")
                                 << QStringLiteral("unknown_kid");
    QTest::addRow("missing kid") << withHeader(R"({"alg":"EdDSA","typ":"at+jwt"})") << QStringLiteral("missing_kid");
    QTest::addRow("kid not a string") << withHeader(R"({"alg":"EdDSA","kid":7,"typ":"at+jwt"})") << QStringLiteral("malformed_token");
    QTest::addRow("empty kid") << withHeader(R"({"alg":"EdDSA","kid":"","typ":"at+jwt"})") << QStringLiteral("missing_kid");
    QTest::addRow("embedded jwk") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","jwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}})")
                                  << QStringLiteral("embedded_key");
    QTest::addRow("jku") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","jku":"https://evil.example/jwks"})")
                         << QStringLiteral("embedded_key");
    QTest::addRow("x5u") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","x5u":"https://evil.example/cert"})")
                         << QStringLiteral("embedded_key");
    QTest::addRow("x5c") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","x5c":["MIIB"]})") << QStringLiteral("embedded_key");
    QTest::addRow("unknown crit") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","crit":["exp"],"exp":1})")
                                  << QStringLiteral("unknown_crit");
    QTest::addRow("crit b64") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","crit":["b64"],"b64":false})")
                              << QStringLiteral("unknown_crit");
    QTest::addRow("crit empty") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","crit":[]})") << QStringLiteral("malformed_token");
    QTest::addRow("typ JWT") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"JWT"})") << QStringLiteral("wrong_typ");
    QTest::addRow("typ missing") << withHeader(R"({"alg":"EdDSA","kid":"KID"})") << QStringLiteral("wrong_typ");
    QTest::addRow("typ application/at+jwt") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"application/at+jwt"})") << QString();

    // Encoding: a character appended, padding, the standard alphabet, non-zero unused bits.
    QByteArray sigText = parts[2];
    sigText.back() = sigText.back() == 'A' ? 'B' : char(sigText.back() + 1); // 64 bytes: last char has 4 unused bits
    QTest::addRow("non-canonical signature encoding") << parts[0] + '.' + parts[1] + '.' + sigText << QStringLiteral("bad_base64url");
    QTest::addRow("padding") << parts[0] + "=." + parts[1] + '.' + parts[2] << QStringLiteral("bad_base64url");
    QTest::addRow("standard alphabet") << parts[0] + '.' + parts[1] + '.' + QByteArray(parts[2]).replace('-', '+').replace('_', '/')
                                       << (parts[2].contains('-') || parts[2].contains('_') ? QStringLiteral("bad_base64url")
                                                                                           : QString());
    QTest::addRow("space in payload") << parts[0] + ". " + parts[1] + '.' + parts[2] << QStringLiteral("bad_base64url");

    QTest::addRow("duplicate alg") << withHeader(R"({"alg":"EdDSA","alg":"none","kid":"KID","typ":"at+jwt"})")
                                   << QStringLiteral("duplicate_json_key");
    QTest::addRow("duplicate claim") << craft(header, QByteArray(payload).replace("{", R"({"sub":"user:mallory",)"))
                                     << QStringLiteral("duplicate_json_key");
    QTest::addRow("malformed header") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt")") << QStringLiteral("malformed_json");
    QTest::addRow("header not an object") << withHeader(R"(["EdDSA"])") << QStringLiteral("malformed_json");
    QTest::addRow("header with lone surrogate") << withHeader(R"({"alg":"EdDSA","kid":"KID","typ":"at+jwt","x":"\ud800"})")
                                                << QStringLiteral("malformed_json");
    QTest::addRow("claims not JSON") << craft(header, "not json") << QStringLiteral("malformed_json");
    QTest::addRow("claims an array") << craft(header, "[]") << QStringLiteral("malformed_json");
    QTest::addRow("claims trailing data") << craft(header, payload + "x") << QStringLiteral("malformed_json");
    QTest::addRow("oversized") << craft(header, QByteArray(payload).replace("}", QByteArray(",\"pad\":\"" + QByteArray(9000, 'a') + "\"}")))
                               << QStringLiteral("oversized_token");
    QTest::addRow("two parts") << parts[0] + '.' + parts[1] << QStringLiteral("malformed_token");
    QTest::addRow("four parts") << good + ".x" << QStringLiteral("malformed_token");
    QTest::addRow("empty") << QByteArray() << QStringLiteral("malformed_token");
    QTest::addRow("empty header") << '.' + parts[1] + '.' + parts[2] << QStringLiteral("malformed_token");

    QJsonObject c = base;
    c.insert(QStringLiteral("exp"), kNow - 3600);
    QTest::addRow("expired") << withClaims(c) << QStringLiteral("expired");
    c = base;
    c.insert(QStringLiteral("nbf"), kNow + 3600);
    QTest::addRow("not yet valid") << withClaims(c) << QStringLiteral("not_yet_valid");
    c = base;
    c.insert(QStringLiteral("iat"), kNow + 3600);
    QTest::addRow("issued in the future") << withClaims(c) << QStringLiteral("not_yet_valid");
    c = base;
    c.insert(QStringLiteral("iss"), QStringLiteral("https://evil.example"));
    QTest::addRow("wrong issuer") << withClaims(c) << QStringLiteral("wrong_issuer");
    c = base;
    c.insert(QStringLiteral("aud"), QStringLiteral("another-service"));
    QTest::addRow("wrong audience") << withClaims(c) << QStringLiteral("wrong_audience");
    c = base;
    c.insert(QStringLiteral("aud"), QJsonArray{QStringLiteral("x"), kAudience});
    QTest::addRow("audience in array") << withClaims(c) << QString();
    c = base;
    c.insert(QStringLiteral("aud"), QJsonArray{QStringLiteral("x"), QStringLiteral("y")});
    QTest::addRow("audience not in array") << withClaims(c) << QStringLiteral("wrong_audience");
    c = base;
    c.remove(QStringLiteral("exp"));
    QTest::addRow("no exp") << withClaims(c) << QStringLiteral("missing_claim");
    c = base;
    c.remove(QStringLiteral("iss"));
    QTest::addRow("no iss") << withClaims(c) << QStringLiteral("missing_claim");
    c = base;
    c.insert(QStringLiteral("exp"), QString::number(kNow + 300));
    QTest::addRow("exp as string") << withClaims(c) << QStringLiteral("invalid_claim");
}

void TestJose::rejections()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, code);
    const TokenVerifier verifier = makeVerifier(m_clock);
    const auto result = verifier.verify(token);
    if (code.isEmpty()) {
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().code + QStringLiteral(": ") + result.error().message));
        QCOMPARE(result->kid, m_kid);
        return;
    }
    QVERIFY2(!result.ok(), "token was accepted");
    QCOMPARE(result.error().code, code);
    QVERIFY(!result.error().message.isEmpty());
}

void TestJose::clockSkew_data()
{
    QTest::addColumn<qint64>("skew");
    QTest::addColumn<qint64>("advance");
    QTest::addColumn<QString>("code");
    // The token: nbf = iat = kNow, exp = kNow + 300.
    QTest::addRow("at issue") << qint64(60) << qint64(0) << QString();
    QTest::addRow("just before exp") << qint64(0) << qint64(299) << QString();
    QTest::addRow("at exp, no skew") << qint64(0) << qint64(300) << QStringLiteral("expired");
    QTest::addRow("after exp within skew") << qint64(60) << qint64(359) << QString();
    QTest::addRow("after exp at skew edge") << qint64(60) << qint64(360) << QStringLiteral("expired");
    QTest::addRow("before nbf within skew") << qint64(60) << qint64(-60) << QString();
    QTest::addRow("before nbf beyond skew") << qint64(60) << qint64(-61) << QStringLiteral("not_yet_valid");
    QTest::addRow("before nbf, no skew") << qint64(0) << qint64(-1) << QStringLiteral("not_yet_valid");
}

void TestJose::clockSkew()
{
    QFETCH(qint64, skew);
    QFETCH(qint64, advance);
    QFETCH(QString, code);
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kNow, Qt::UTC));
    clock.advanceSecs(advance);
    const auto result = makeVerifier(clock, skew).verify(craft(goodHeader(), claims(300)));
    if (code.isEmpty())
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
    else
        QCOMPARE(result.ok() ? QString() : result.error().code, code);
}

void TestJose::skewIsBounded()
{
    // A configured skew of a day is clamped: a token an hour past exp stays expired.
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kNow + 3600, Qt::UTC));
    const auto result = makeVerifier(clock, 86'400).verify(craft(goodHeader(), claims(300)));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("expired"));
    ClaimsPolicy policy;
    policy.clockSkewSecs = 86'400;
    ClaimsValidator validator(policy, clock);
    QCOMPARE(validator.policy().clockSkewSecs, ClaimsPolicy::kMaxClockSkewSecs);
}

void TestJose::cacheExpiresWithToken()
{
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kNow, Qt::UTC));
    const TokenVerifier verifier = makeVerifier(clock, 0);
    const QByteArray token = craft(goodHeader(), claims(300));
    QVERIFY(verifier.verify(token).ok());
    QCOMPARE(verifier.cacheSize(), size_t(1));
    auto again = verifier.verify(token);
    QVERIFY(again.ok());
    QCOMPARE(again->claims.value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
    QCOMPARE(again->acceptedUntil, kNow + 300);

    // A rejected token is never cached; nor does a cached one outlive its exp.
    QVERIFY(!verifier.verify(QByteArray(token + "x")).ok());
    QCOMPARE(verifier.cacheSize(), size_t(1));
    clock.advanceSecs(300);
    const auto expired = verifier.verify(token);
    QVERIFY(!expired.ok());
    QCOMPARE(expired.error().code, QStringLiteral("expired"));
    QCOMPARE(verifier.cacheSize(), size_t(0));
}

void TestJose::cacheIsClearedOnKeyChange()
{
    TokenVerifier verifier = makeVerifier(m_clock);
    const QByteArray token = craft(goodHeader(), claims());
    QVERIFY(verifier.verify(token).ok());
    verifier.setKeys(Jwks());
    QCOMPARE(verifier.cacheSize(), size_t(0));
    const auto result = verifier.verify(token);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("unknown_kid"));

    // Bounded: a tiny cache never grows past its capacity.
    Jwks keys;
    keys.add(Jwk::fromEd25519(m_key, m_kid));
    TokenVerifier small(JwsPolicy::accessTokens(), ClaimsPolicy{}, keys, m_clock, 4);
    for (int i = 0; i < 10; ++i)
        QVERIFY(small.verify(craft(goodHeader(), claims(100 + i))).ok());
    QCOMPARE(small.cacheSize(), size_t(4));
}

void TestJose::cacheMatchesOnlyTheExactToken()
{
    // Tokens that end like a cached one (its signature), or differ from it anywhere else, must
    // miss the cache and be verified in full.
    const TokenVerifier verifier = makeVerifier(m_clock);
    const QByteArray token = craft(goodHeader(), claims());
    QVERIFY(verifier.verify(token).ok());
    QCOMPARE(verifier.cacheSize(), size_t(1));
    const QByteArray signature = token.sliced(token.lastIndexOf('.'));

    QByteArray sameLength = claims();
    sameLength.replace("user:alice", "user:bobby");
    QByteArray longer = claims();
    longer.replace("user:alice", "user:alice-admin");
    for (const QByteArray &payload : {sameLength, longer}) {
        const QByteArray forged = b64(goodHeader()) + '.' + b64(payload) + signature;
        const auto result = verifier.verify(forged);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("bad_signature"));
    }
    // One byte changed anywhere.
    for (qsizetype i = 0; i < token.size(); ++i) {
        QByteArray altered = token;
        altered[i] = altered[i] == 'A' ? 'B' : 'A';
        QVERIFY2(!verifier.verify(altered).ok(), qPrintable(QStringLiteral("byte %1").arg(i)));
    }
    QVERIFY(!verifier.verify(QByteArray('A' + token)).ok());
    QCOMPARE(verifier.cacheSize(), size_t(1));
    // The same bytes from another buffer are the same token.
    const QByteArray copy(token.constData(), token.size());
    const auto again = verifier.verify(copy);
    QVERIFY(again.ok());
    QCOMPARE(again->claims.value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
}

void TestJose::hashedTokenSharesTheCache()
{
    // A token hashed by its caller (TrustedIssuers) is the same token to the verifier: same
    // answers, same cache entry, and the same size limit before anything else.
    const TokenVerifier verifier = makeVerifier(m_clock);
    const QByteArray token = craft(goodHeader(), claims());
    const HashedToken hashed(token);
    QCOMPARE(hashed.bytes(), QByteArrayView(token));
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(hashed.digest().data()), Sha256::kSize), Sha256::hash(token));
    const auto first = verifier.verify(hashed);
    QVERIFY(first.ok());
    QCOMPARE(verifier.cacheSize(), size_t(1));
    const auto again = verifier.verify(token);
    QVERIFY(again.ok());
    QCOMPARE(again->claims.toObject(), first->claims.toObject());
    QCOMPARE(verifier.cacheSize(), size_t(1));

    QByteArray altered = token;
    altered[altered.indexOf('.') + 5] ^= 1;
    const auto refused = verifier.verify(HashedToken(altered));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, verifier.verify(altered).error().code);
    const QByteArray huge(JwsPolicy::accessTokens().maxTokenBytes + 1, 'A');
    QCOMPARE(verifier.verify(HashedToken(huge)).error().code, QStringLiteral("oversized_token"));
    QCOMPARE(verifier.cacheSize(), size_t(1));
}

void TestJose::handleIsReadOnceAndRequired()
{
    // The broker looks up the execution a token names on every call: read once, with the token
    // cached, and a token without one is refused, not cached.
    Jwks keys;
    keys.add(Jwk::fromEd25519(m_key, m_kid));
    ClaimsPolicy claimsPolicy;
    int reads = 0;
    claimsPolicy.handleOf = [&reads](const json::ObjectText &claims) -> Result<QString> {
        ++reads;
        QString sub = claims.string(QLatin1String("sub"));
        if (sub.startsWith(QLatin1String("user:")))
            return sub;
        return joseError(JoseError::InvalidClaim, QStringLiteral("no user"));
    };
    const TokenVerifier verifier(JwsPolicy::accessTokens(), claimsPolicy, keys, m_clock);
    const QByteArray token = craft(goodHeader(), claims());
    for (int i = 0; i < 3; ++i) {
        const auto verified = verifier.verify(token);
        QVERIFY(verified.ok());
        QCOMPARE(verified->handle, QStringLiteral("user:alice"));
    }
    QCOMPARE(reads, 1);

    QByteArray noUser = claims();
    noUser.replace("user:alice", "team:alice");
    const auto refused = verifier.verify(craft(goodHeader(), noUser));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, QStringLiteral("invalid_claim"));
    QCOMPARE(verifier.cacheSize(), size_t(1));
    QCOMPARE(reads, 2);
}

void TestJose::keyRotationDuringVerification()
{
    // Verifier threads run while another thread keeps swapping the key set between {A}, {B}
    // and {A, B}: every answer must be a valid token or unknown_kid, never a crash or another
    // error, and once the rotation stops at {A} no token of B may still pass from a cache.
    auto other = Ed25519Key::generate();
    QVERIFY(other.ok());
    const QString otherKid = QStringLiteral("test-key-2");
    const auto signWith = [](const Ed25519Key &key, const QString &kid, const QByteArray &payload) -> QByteArray {
        const QByteArray header = R"({"alg":"EdDSA","kid":")" + kid.toLatin1() + R"(","typ":"at+jwt"})";
        const QByteArray input = b64(header) + '.' + b64(payload);
        return input + '.' + b64(key.sign(input).value());
    };
    std::vector<QByteArray> tokensA, tokensB;
    for (int i = 0; i < 40; ++i) {
        tokensA.push_back(signWith(m_key, m_kid, claims(100 + i)));
        tokensB.push_back(signWith(other.value(), otherKid, claims(100 + i)));
    }
    Jwks onlyA, onlyB, both;
    onlyA.add(Jwk::fromEd25519(m_key, m_kid));
    onlyB.add(Jwk::fromEd25519(other.value(), otherKid));
    both.add(Jwk::fromEd25519(m_key, m_kid));
    both.add(Jwk::fromEd25519(other.value(), otherKid));
    ClaimsPolicy claimsPolicy;
    claimsPolicy.issuer = kIssuer;
    claimsPolicy.audience = kAudience;
    TokenVerifier verifier(JwsPolicy::accessTokens(), claimsPolicy, both, m_clock, 16);

    std::atomic<bool> rotating{true};
    std::atomic<int> valid{0}, unknownKid{0};
    std::mutex failureMutex;
    QStringList failures;
    // Each thread goes on through all its tokens once more after the rotation has stopped at
    // {A}: the threads may run entirely inside the rotation or entirely after it (a loaded
    // machine), and only these last rounds have a known key set.
    const auto verifyLoop = [&](const std::vector<QByteArray> &tokens) {
        size_t afterRotation = 0;
        for (size_t i = 0; afterRotation < tokens.size(); ++i) {
            if (!rotating.load())
                ++afterRotation;
            const auto result = verifier.verify(tokens[i % tokens.size()]);
            if (result.ok() && result->claims.value(QStringLiteral("sub")).toString() == QLatin1String("user:alice")) {
                ++valid;
            } else if (!result.ok() && result.error().code == QLatin1String("unknown_kid")) {
                ++unknownKid;
            } else {
                std::lock_guard lock(failureMutex);
                failures.append(result.ok() ? QStringLiteral("valid but wrong claims") : result.error().code);
            }
        }
    };
    std::vector<std::thread> threads;
    threads.emplace_back(verifyLoop, std::cref(tokensA));
    threads.emplace_back(verifyLoop, std::cref(tokensB));
    threads.emplace_back(verifyLoop, std::cref(tokensB));
    const Jwks *sets[] = {&onlyA, &onlyB, &both};
    for (int round = 0; round < 300; ++round)
        verifier.setKeys(*sets[round % 3]);
    verifier.setKeys(onlyA);
    rotating = false;
    for (std::thread &t : threads)
        t.join();

    QVERIFY2(failures.isEmpty(), qPrintable(failures.mid(0, 5).join(QStringLiteral(", "))));
    QVERIFY(valid.load() >= int(tokensA.size()));        // at least A's last round
    QVERIFY(unknownKid.load() >= 2 * int(tokensB.size())); // at least B's last rounds
    for (const QByteArray &token : tokensB)
        QCOMPARE(verifier.verify(token).error().code, QStringLiteral("unknown_kid"));
    for (const QByteArray &token : tokensA)
        QVERIFY(verifier.verify(token).ok());
    QCOMPARE(verifier.keys().entries().size(), 1);
}

void TestJose::idTokenPolicyAcceptsWithoutKid()
{
    Jwks keys;
    keys.add(Jwk::fromEd25519(m_key, m_kid));
    const JwsVerifier verifier(JwsPolicy::idTokens(), keys);
    QVERIFY(verifier.verify(craft(R"({"alg":"EdDSA","typ":"JWT"})", "{}")).ok());
    // An empty kid is read as none: the one key that fits verifies it...
    QVERIFY(verifier.verify(craft(R"({"alg":"EdDSA","typ":"JWT","kid":""})", "{}")).ok());
    // ...and with two keys without a kid, it names neither (it once picked the first).
    QJsonObject ours = Jwk::fromEd25519(m_key, m_kid).toJson();
    ours.remove(QStringLiteral("kid"));
    QJsonObject other = Jwk::fromEd25519(Ed25519Key::generate().value(), QStringLiteral("x")).toJson();
    other.remove(QStringLiteral("kid"));
    const auto kidless = Jwks::fromJson(QJsonObject{{QStringLiteral("keys"), QJsonArray{other, ours}}});
    QVERIFY2(kidless, qPrintable(kidless ? QString() : kidless.error().message));
    const JwsVerifier several(JwsPolicy::idTokens(), kidless.value());
    QCOMPARE(several.verify(craft(R"({"alg":"EdDSA","typ":"JWT","kid":""})", "{}")).error().code, QStringLiteral("missing_kid"));
    // Our own tokens require the kid.
    const auto strict = JwsVerifier(JwsPolicy::accessTokens(), keys).verify(craft(R"({"alg":"EdDSA","typ":"at+jwt"})", "{}"));
    QCOMPARE(strict.error().code, QStringLiteral("missing_kid"));
}

QTEST_GUILESS_MAIN(TestJose)
#include "tst_jose.moc"
