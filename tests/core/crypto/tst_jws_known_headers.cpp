// SPDX-License-Identifier: Apache-2.0
// JwsVerifier's table of known header parts: a token whose header bytes verified before skips
// re-checking them, and must still get exactly the answers a fresh verifier gives (signature,
// payload and signature encoding, kid-less keys), with only verified headers admitted and the
// table bounded.
#include "crypto/Base64Url.h"
#include "crypto/CompactJws.h"
#include "crypto/JwsVerifier.h"

#include <QTest>

using namespace mandate;
using namespace mandate::crypto;

class tst_JwsKnownHeaders final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void knownHeaderGivesTheSameAnswers_data();
    void knownHeaderGivesTheSameAnswers();
    void onlyVerifiedHeadersAreRemembered();
    void kidlessKeyIsFoundAgain();
    void tableIsBounded();
    void parseWithKnownHeaderMatchesParse();
    void partsWithKnownHeaderMatchParse_data();
    void partsWithKnownHeaderMatchParse();

private:
    QByteArray craft(const QByteArray &header, const QByteArray &payload, const Ed25519Key &key) const;
    Jwks keys() const;

    Ed25519Key m_key;
    Ed25519Key m_other;
};

namespace {

QByteArray b64(QByteArrayView bytes)
{
    return Base64Url::encode(bytes);
}

const QByteArray kHeader = R"({"alg":"EdDSA","kid":"k1","typ":"at+jwt"})";

} // namespace

void tst_JwsKnownHeaders::initTestCase()
{
    m_key = Ed25519Key::generate().value();
    m_other = Ed25519Key::generate().value();
}

QByteArray tst_JwsKnownHeaders::craft(const QByteArray &header, const QByteArray &payload, const Ed25519Key &key) const
{
    const QByteArray input = b64(header) + '.' + b64(payload);
    return input + '.' + b64(key.sign(input).value());
}

Jwks tst_JwsKnownHeaders::keys() const
{
    Jwks keys;
    keys.add(Jwk::fromEd25519(m_key, QStringLiteral("k1")));
    return keys;
}

void tst_JwsKnownHeaders::knownHeaderGivesTheSameAnswers_data()
{
    QTest::addColumn<QByteArray>("token");
    const QByteArray good = craft(kHeader, R"({"n":1})", m_key);
    const QByteArray prefix = good.left(good.lastIndexOf('.'));
    QTest::addRow("valid") << craft(kHeader, R"({"n":2})", m_key);
    QTest::addRow("signed by another key") << craft(kHeader, R"({"n":3})", m_other);
    QTest::addRow("payload changed") << QByteArray(b64(kHeader) + '.' + b64(R"({"n":4})") + good.mid(good.lastIndexOf('.')));
    QTest::addRow("signature cut short") << QByteArray(prefix + '.' + b64(QByteArray(63, 'x')));
    QTest::addRow("empty signature") << QByteArray(prefix + '.');
    QTest::addRow("bad payload base64") << QByteArray(b64(kHeader) + ".e30=." + good.mid(good.lastIndexOf('.') + 1));
    QTest::addRow("bad signature base64") << QByteArray(prefix + ".!!!");
    QTest::addRow("four parts") << QByteArray(good + ".x");
    QTest::addRow("oversized") << QByteArray(b64(kHeader) + '.' + QByteArray(9000, 'A') + ".AA");
}

void tst_JwsKnownHeaders::knownHeaderGivesTheSameAnswers()
{
    QFETCH(QByteArray, token);
    const JwsVerifier fresh(JwsPolicy::accessTokens(), keys());
    const JwsVerifier warm(JwsPolicy::accessTokens(), keys());
    QVERIFY(warm.verify(craft(kHeader, R"({"n":0})", m_key)));  // the header is known from now on
    const auto expected = fresh.verify(token);
    const auto actual = warm.verify(token);
    QCOMPARE(actual.ok(), expected.ok());
    if (expected.ok()) {
        QCOMPARE(actual->header, expected->header);
        QCOMPARE(actual->payload, expected->payload);
        QCOMPARE(actual->alg, expected->alg);
        QCOMPARE(actual->kid, expected->kid);
    } else {
        QCOMPARE(actual.error().code, expected.error().code);
        QCOMPARE(actual.error().message, expected.error().message);
    }
}

void tst_JwsKnownHeaders::onlyVerifiedHeadersAreRemembered()
{
    const JwsVerifier verifier(JwsPolicy::accessTokens(), keys());
    // A header that passes every check, on a token with a bad signature, is not remembered: the
    // next token with it is checked in full and still refused for what is wrong with it.
    const QByteArray forged = craft(kHeader, R"({"n":1})", m_other);
    QCOMPARE(verifier.verify(forged).error().code, QStringLiteral("bad_signature"));
    QCOMPARE(verifier.verify(forged).error().code, QStringLiteral("bad_signature"));
    const QByteArray noneHeader = R"({"alg":"none","kid":"k1","typ":"at+jwt"})";
    QCOMPARE(verifier.verify(craft(noneHeader, "{}", m_key)).error().code, QStringLiteral("alg_none"));
    QVERIFY(verifier.verify(craft(kHeader, "{}", m_key)));
    QCOMPARE(verifier.verify(craft(noneHeader, "{}", m_key)).error().code, QStringLiteral("alg_none"));
}

void tst_JwsKnownHeaders::kidlessKeyIsFoundAgain()
{
    const QByteArray jwks = QByteArray(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":")") + b64(m_key.publicKey()) + R"("}]})";
    auto parsed = Jwks::parse(jwks);
    QVERIFY(parsed);
    const JwsVerifier verifier(JwsPolicy::idTokens(), parsed.value());
    const QByteArray header = R"({"alg":"EdDSA"})";
    for (int i = 0; i < 3; ++i) {
        const auto verified = verifier.verify(craft(header, QByteArray::number(i), m_key));
        QVERIFY(verified);
        QVERIFY(verified->kid.isEmpty());
        QCOMPARE(verified->payload, QByteArray::number(i));
    }
    QCOMPARE(verifier.verify(craft(header, "3", m_other)).error().code, QStringLiteral("bad_signature"));
}

void tst_JwsKnownHeaders::tableIsBounded()
{
    // Many distinct verified headers (a signer varying an extra member) never stop verification.
    const JwsVerifier verifier(JwsPolicy::accessTokens(), keys());
    for (int i = 0; i < 3 * JwsVerifier::kMaxKnownHeaders; ++i) {
        const QByteArray header = R"({"alg":"EdDSA","kid":"k1","typ":"at+jwt","x":)" + QByteArray::number(i) + '}';
        QVERIFY(verifier.verify(craft(header, "{}", m_key)));
        QVERIFY(verifier.verify(craft(header, "{}", m_key)));
    }
}

void tst_JwsKnownHeaders::parseWithKnownHeaderMatchesParse()
{
    const QByteArray token = craft(kHeader, R"({"n":1})", m_key);
    const auto parsed = CompactJws::parse(token, 8192);
    QVERIFY(parsed);
    const auto known = CompactJws::parseWithKnownHeader(token, 8192, parsed->header());
    QVERIFY(known);
    QCOMPARE(known->header(), parsed->header());
    QCOMPARE(known->payload(), parsed->payload());
    QCOMPARE(known->signature(), parsed->signature());
    QCOMPARE(known->signingInput(), parsed->signingInput());
    const QByteArray fourParts = token + ".x";
    QCOMPARE(CompactJws::parseWithKnownHeader(fourParts, 8192, parsed->header()).error().code,
             CompactJws::parse(fourParts, 8192).error().code);
    QCOMPARE(CompactJws::parseWithKnownHeader(token, 10, parsed->header()).error().code, QStringLiteral("oversized_token"));
}

void tst_JwsKnownHeaders::partsWithKnownHeaderMatchParse_data()
{
    const QByteArray token = craft(kHeader, R"({"n":1})", m_key);
    const qsizetype dot = token.lastIndexOf('.');
    QTest::addColumn<QByteArray>("token");
    QTest::addRow("valid") << token;
    QTest::addRow("four parts") << token + ".x";
    QTest::addRow("two parts") << token.left(dot);
    QTest::addRow("payload not base64url") << QByteArray(b64(kHeader) + ".a+b." + token.mid(dot + 1));
    QTest::addRow("signature padded") << QByteArray(token + "=");
    QTest::addRow("empty signature") << token.left(dot + 1);
    QTest::addRow("empty header") << token.mid(token.indexOf('.'));
    QTest::addRow("oversized") << QByteArray(token + QByteArray(8192, 'A'));
}

void tst_JwsKnownHeaders::partsWithKnownHeaderMatchParse()
{
    // The parts a verifier checks on the caller's bytes are exactly parse()'s, with the same
    // error for every malformed token.
    QFETCH(QByteArray, token);
    const auto parsed = CompactJws::parse(token, 8192);
    const auto parts = CompactJws::partsWithKnownHeader(token, 8192);
    QCOMPARE(bool(parts), bool(parsed));
    if (!parsed) {
        QCOMPARE(parts.error().code, parsed.error().code);
        return;
    }
    QCOMPARE(parts->signingInput, parsed->signingInput());
    QCOMPARE(parts->signingInput.data(), token.constData());  // a view of the token, not a copy
    QCOMPARE(parts->payload, parsed->payload());
    QCOMPARE(parts->signature, parsed->signature());
}

QTEST_GUILESS_MAIN(tst_JwsKnownHeaders)
#include "tst_jws_known_headers.moc"
