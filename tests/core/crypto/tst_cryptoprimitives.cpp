// SPDX-License-Identifier: Apache-2.0
// The OpenSSL wrappers: base64url strictness, SHA-256, constant-time compare, random bytes,
// Ed25519 / P-256 / RSA key handling, the scrypt secret hasher and the start-up self-test.
#include "crypto/Base64Url.h"
#include "crypto/ConstantTime.h"
#include "crypto/EcP256PublicKey.h"
#include "crypto/Ed25519Key.h"
#include "crypto/Random.h"
#include "crypto/RsaPublicKey.h"
#include "crypto/SecretBytes.h"
#include "crypto/SecretHasher.h"
#include "crypto/SelfTest.h"
#include "crypto/Sha256.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace mandate;
using namespace mandate::crypto;

class TestCryptoPrimitives : public QObject
{
    Q_OBJECT

private slots:
    void selfTest();
    void base64urlEncode_data();
    void base64urlEncode();
    void base64urlRejects_data();
    void base64urlRejects();
    void base64urlRoundTrip();
    void base64urlRejectsEveryPosition();
    void sha256_data();
    void sha256();
    void sha256FromManyThreads();
    void constantTime();
    void random();
    void secretBytes();
    void ed25519SignVerify();
    void ed25519Import_data();
    void ed25519Import();
    void ecKeyRejectsOffCurve();
    void ecSignatureLengths_data();
    void ecSignatureLengths();
    void rsaKeyChecks_data();
    void rsaKeyChecks();
    void secretHasher();
    void secretHasherRejectsMalformed_data();
    void secretHasherRejectsMalformed();
};

void TestCryptoPrimitives::selfTest()
{
    const Status status = SelfTest::run();
    QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message));
}

void TestCryptoPrimitives::base64urlEncode_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("text");
    // RFC 4648 §10 vectors, unpadded, plus the two URL-safe characters.
    QTest::addRow("empty") << QByteArray() << QByteArray();
    QTest::addRow("f") << QByteArray("f") << QByteArray("Zg");
    QTest::addRow("fo") << QByteArray("fo") << QByteArray("Zm8");
    QTest::addRow("foo") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::addRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg");
    QTest::addRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE");
    QTest::addRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
    QTest::addRow("url-safe") << QByteArray::fromHex("fbff") << QByteArray("-_8");
    QTest::addRow("rfc7515 header") << QByteArray("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}")
                                    << QByteArray("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
}

void TestCryptoPrimitives::base64urlEncode()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, text);
    QCOMPARE(Base64Url::encode(bytes), text);
    auto decoded = Base64Url::decode(text);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded.value(), bytes);
}

void TestCryptoPrimitives::base64urlRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("offset");
    QTest::addRow("padding") << QByteArray("Zg==") << QStringLiteral("2");
    QTest::addRow("single padding") << QByteArray("Zm8=") << QStringLiteral("3");
    QTest::addRow("plus") << QByteArray("+_8") << QStringLiteral("0");
    QTest::addRow("slash") << QByteArray("-/8") << QStringLiteral("1");
    QTest::addRow("space") << QByteArray("Zm 9vYg") << QStringLiteral("2");
    QTest::addRow("newline") << QByteArray("Zm9v\n") << QStringLiteral("4");
    QTest::addRow("lone char") << QByteArray("Zm9vY") << QStringLiteral("4");
    QTest::addRow("non-zero bits, 1 byte") << QByteArray("Zh") << QStringLiteral("1");
    QTest::addRow("non-zero bits, 2 bytes") << QByteArray("Zm9") << QStringLiteral("2");
    QTest::addRow("nul byte") << QByteArray("Zm\0v", 4) << QStringLiteral("2");
    QTest::addRow("high byte") << QByteArray("Zm\xc3\xa9") << QStringLiteral("2");
}

void TestCryptoPrimitives::base64urlRejects()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, offset);
    auto decoded = Base64Url::decode(text);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().code, QStringLiteral("bad_base64url"));
    QCOMPARE(decoded.error().path, offset);
}

void TestCryptoPrimitives::base64urlRoundTrip()
{
    for (int length = 0; length < 100; ++length) {
        const QByteArray bytes = Random::bytes(length).value();
        const QByteArray text = Base64Url::encode(bytes);
        QCOMPARE(Base64Url::decode(text).value(), bytes);
        QCOMPARE(text, bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    }
}

void TestCryptoPrimitives::base64urlRejectsEveryPosition()
{
    // The decoder takes four characters at a time: a bad one anywhere in a group, or in the
    // 2-3 character tail, is reported at its own offset, and the first of two bad ones wins.
    for (int length = 2; length < 40; ++length) {
        if (length % 4 == 1)
            continue;
        const QByteArray valid = Base64Url::encode(QByteArray(length * 3 / 4, '\0'));
        QCOMPARE(valid.size(), length);
        for (int i = 0; i < length; ++i) {
            for (const char bad : {'=', '+', '/', ' ', '.', '\0', '\x80', '\xff'}) {
                QByteArray text = valid;
                text[i] = bad;
                if (i + 2 < length)
                    text[i + 2] = '=';
                const auto decoded = Base64Url::decode(text);
                QVERIFY(!decoded.ok());
                QCOMPARE(decoded.error().code, QStringLiteral("bad_base64url"));
                QCOMPARE(decoded.error().path, QString::number(i));
            }
        }
    }
}

void TestCryptoPrimitives::sha256_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("digest");
    // FIPS 180-4 examples.
    QTest::addRow("empty") << QByteArray() << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    QTest::addRow("abc") << QByteArray("abc") << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    QTest::addRow("two blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

void TestCryptoPrimitives::sha256()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, digest);
    QCOMPARE(Sha256::hash(input).toHex(), digest);
}

void TestCryptoPrimitives::sha256FromManyThreads()
{
    // Each thread reuses one context of its own: digests in a row, and on threads side by side,
    // never mix.
    const QList<QPair<QByteArray, QByteArray>> vectors{
        {QByteArray(), QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
        {QByteArray("abc"), QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")},
        {QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
         QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")}};
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                const auto &[input, digest] = vectors.at((t + i) % vectors.size());
                std::array<unsigned char, Sha256::kSize> out;
                Sha256::hash(input, out);
                if (QByteArray(reinterpret_cast<const char *>(out.data()), Sha256::kSize).toHex() != digest)
                    ++wrong;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(wrong.load(), 0);
}

void TestCryptoPrimitives::constantTime()
{
    QVERIFY(ConstantTime::equal("secret", "secret"));
    QVERIFY(!ConstantTime::equal("secret", "secreT"));
    QVERIFY(!ConstantTime::equal("secret", "secret2"));
    QVERIFY(ConstantTime::equal({}, {}));
}

void TestCryptoPrimitives::random()
{
    auto a = Random::bytes(32);
    auto b = Random::bytes(32);
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a->size(), 32);
    QVERIFY(a.value() != b.value());
    QVERIFY(!Random::bytes(-1).ok());
    auto token = Random::token(16);
    QVERIFY(token.ok());
    QCOMPARE(token->size(), 22);
}

void TestCryptoPrimitives::secretBytes()
{
    SecretBytes s(QByteArrayView("hunter2"));
    SecretBytes copy = s;
    QCOMPARE(copy.view(), QByteArrayView("hunter2"));
    QVERIFY(copy.data() != s.data()); // never shared, so wiping one cannot miss the other
    SecretBytes moved = std::move(copy);
    QCOMPARE(moved.size(), 7);
    QVERIFY(copy.isEmpty());
    moved.clear();
    QVERIFY(moved.isEmpty());
}

void TestCryptoPrimitives::ed25519SignVerify()
{
    auto key = Ed25519Key::generate();
    QVERIFY(key.ok());
    QVERIFY(key->hasPrivateKey());
    auto signature = key->sign("message");
    QVERIFY(signature.ok());
    QCOMPARE(signature->size(), 64);
    QVERIFY(key->verify("message", signature.value()).ok());
    QCOMPARE(key->verify("messagE", signature.value()).error().code, QStringLiteral("bad_signature"));

    // Export and re-import: the seed gives the same key; the public key only verifies.
    auto again = Ed25519Key::fromSeed(key->seed().view());
    QVERIFY(again.ok());
    QCOMPARE(again->publicKey(), key->publicKey());
    QCOMPARE(again->sign("message").value(), signature.value()); // Ed25519 is deterministic
    auto publicOnly = Ed25519Key::fromPublicKey(key->publicKey());
    QVERIFY(publicOnly.ok());
    QVERIFY(!publicOnly->hasPrivateKey());
    QVERIFY(publicOnly->seed().isEmpty());
    QVERIFY(publicOnly->verify("message", signature.value()).ok());
    QVERIFY(!publicOnly->sign("message").ok());
    // Pooled contexts: many verifications interleaving good and bad stay correct.
    for (int i = 0; i < 50; ++i)
        QCOMPARE(publicOnly->verify(i % 2 ? "message" : "other", signature.value()).ok(), i % 2 == 1);
}

void TestCryptoPrimitives::ed25519Import_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("asSeed");
    QTest::addRow("short seed") << QByteArray(31, 'a') << true;
    QTest::addRow("long seed") << QByteArray(33, 'a') << true;
    QTest::addRow("short public") << QByteArray(31, 'a') << false;
    QTest::addRow("empty public") << QByteArray() << false;
}

void TestCryptoPrimitives::ed25519Import()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, asSeed);
    const auto key = asSeed ? Ed25519Key::fromSeed(bytes) : Ed25519Key::fromPublicKey(bytes);
    QVERIFY(!key.ok());
    QCOMPARE(key.error().code, QStringLiteral("bad_key"));
}

void TestCryptoPrimitives::ecKeyRejectsOffCurve()
{
    const QByteArray x = QByteArray::fromHex("c1cc5025791a7d0357604a47adff1f0a3dc4148072b23ca76cd65cab47dfbe21");
    QByteArray y = QByteArray::fromHex("34a92739e180a86aaba978147c439fcfdbbfc65c5b932727e9ae1c8ecd2475df");
    QVERIFY(EcP256PublicKey::fromCoordinates(x, y).ok());
    y[31] = char(y[31] ^ 1);
    QCOMPARE(EcP256PublicKey::fromCoordinates(x, y).error().code, QStringLiteral("bad_key"));
    QCOMPARE(EcP256PublicKey::fromCoordinates(x.left(31), y).error().code, QStringLiteral("bad_key"));
    QCOMPARE(EcP256PublicKey::fromCoordinates(QByteArray(32, '\0'), QByteArray(32, '\0')).error().code, QStringLiteral("bad_key"));
}

void TestCryptoPrimitives::ecSignatureLengths_data()
{
    QTest::addColumn<int>("length");
    QTest::addRow("DER-sized") << 70;
    QTest::addRow("63") << 63;
    QTest::addRow("65") << 65;
    QTest::addRow("empty") << 0;
    QTest::addRow("zeros") << 64;
}

void TestCryptoPrimitives::ecSignatureLengths()
{
    QFETCH(int, length);
    auto key = EcP256PublicKey::fromCoordinates(QByteArray::fromHex("c1cc5025791a7d0357604a47adff1f0a3dc4148072b23ca76cd65cab47dfbe21"),
                                                QByteArray::fromHex("34a92739e180a86aaba978147c439fcfdbbfc65c5b932727e9ae1c8ecd2475df"));
    QVERIFY(key.ok());
    const Status s = key->verify("mandate self-test", QByteArray(length, '\0'));
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, QStringLiteral("bad_signature"));
}

void TestCryptoPrimitives::rsaKeyChecks_data()
{
    QTest::addColumn<QByteArray>("n");
    QTest::addColumn<QByteArray>("e");
    QTest::addColumn<QString>("messagePart");
    QByteArray n2048(256, '\xff');
    n2048[255] = '\xfd';
    QTest::addRow("1024 bits") << QByteArray(128, '\xc3') << QByteArray::fromHex("010001") << QStringLiteral("1024 bits");
    QTest::addRow("leading zero") << QByteArray(1, '\0') + n2048 << QByteArray::fromHex("010001") << QStringLiteral("leading zero");
    QTest::addRow("exponent 1") << n2048 << QByteArray::fromHex("01") << QStringLiteral("exponent");
    QTest::addRow("even exponent") << n2048 << QByteArray::fromHex("010000") << QStringLiteral("exponent");
    QTest::addRow("huge exponent") << n2048 << QByteArray::fromHex("0100000001") << QStringLiteral("32 bits");
    QByteArray even = n2048;
    even[255] = '\xfe';
    QTest::addRow("even modulus") << even << QByteArray::fromHex("010001") << QStringLiteral("even");
}

void TestCryptoPrimitives::rsaKeyChecks()
{
    QFETCH(QByteArray, n);
    QFETCH(QByteArray, e);
    QFETCH(QString, messagePart);
    const auto key = RsaPublicKey::fromModulusExponent(n, e);
    QVERIFY(!key.ok());
    QCOMPARE(key.error().code, QStringLiteral("bad_key"));
    QVERIFY2(key.error().message.contains(messagePart), qPrintable(key.error().message));
}

void TestCryptoPrimitives::secretHasher()
{
    // Small parameters keep the test fast; the format carries them.
    const SecretHasher::Params fast{10, 8, 1};
    auto hash = SecretHasher::hash("correct horse", fast);
    QVERIFY(hash.ok());
    QVERIFY(hash->startsWith(QStringLiteral("$scrypt$ln=10,r=8,p=1$")));
    QVERIFY(SecretHasher::verify("correct horse", hash.value()).ok());
    QCOMPARE(SecretHasher::verify("correct horsE", hash.value()).error().code, QStringLiteral("secret_mismatch"));
    // Random salt: the same secret hashes differently each time.
    QVERIFY(SecretHasher::hash("correct horse", fast).value() != hash.value());
    // The default parameters (what the broker stores) work as well.
    auto slow = SecretHasher::hash("s3cret");
    QVERIFY(slow.ok());
    QVERIFY(slow->startsWith(QStringLiteral("$scrypt$ln=15,r=8,p=1$")));
    QVERIFY(SecretHasher::verify("s3cret", slow.value()).ok());
}

void TestCryptoPrimitives::secretHasherRejectsMalformed_data()
{
    QTest::addColumn<QString>("encoded");
    QTest::addRow("empty") << QString();
    QTest::addRow("other scheme") << QStringLiteral("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA");
    QTest::addRow("memory bomb") << QStringLiteral("$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    QTest::addRow("r too big") << QStringLiteral("$scrypt$ln=14,r=99,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    QTest::addRow("short salt") << QStringLiteral("$scrypt$ln=10,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    QTest::addRow("bad base64") << QStringLiteral("$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAB$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    QTest::addRow("trailing") << QStringLiteral("$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$");
}

void TestCryptoPrimitives::secretHasherRejectsMalformed()
{
    QFETCH(QString, encoded);
    const Status s = SecretHasher::verify("x", encoded);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, QStringLiteral("bad_hash"));
}

QTEST_GUILESS_MAIN(TestCryptoPrimitives)
#include "tst_cryptoprimitives.moc"
