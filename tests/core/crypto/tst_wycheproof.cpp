// SPDX-License-Identifier: Apache-2.0
// Wycheproof vectors (../shared/jose): every Ed25519 and ECDSA P-256 (P1363) signature case, and
// every JWS / JWK case that applies to Mandate. Each vector is one data row, named by its tcId.
#include "crypto/EcP256PublicKey.h"
#include "crypto/Ed25519Key.h"
#include "crypto/JwsVerifier.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace mandate;
using namespace mandate::crypto;

namespace {

QString vectorPath(const char *file)
{
    return QDir(QStringLiteral(MANDATE_SHARED_DIR "/jose")).filePath(QLatin1String(file));
}

/// Loads a vector file with Mandate's own strict reader (a useful test of it on its own).
QJsonObject loadVectors(const char *file)
{
    QFile f(vectorPath(file));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    json::Limits limits;
    limits.maxBytes = 16 << 20;
    auto parsed = json::parseObject(f.readAll(), limits);
    return parsed ? parsed.value() : QJsonObject();
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QByteArray hex(const QJsonObject &o, const char *key)
{
    return QByteArray::fromHex(str(o, key).toLatin1());
}

/// Big-endian integer as exactly 32 bytes (Wycheproof adds a sign byte or drops leading zeros).
QByteArray coordinate(QByteArray bytes)
{
    while (bytes.size() > 32 && bytes.front() == '\0')
        bytes.remove(0, 1);
    while (bytes.size() < 32)
        bytes.prepend('\0');
    return bytes;
}

bool skipIfMissing(const char *file)
{
    return !QFile::exists(vectorPath(file));
}

const QStringList &acceptedAlgorithms()
{
    static const QStringList algs{QStringLiteral("EdDSA"), QStringLiteral("ES256"), QStringLiteral("RS256")};
    return algs;
}

} // namespace

class TestWycheproof : public QObject
{
    Q_OBJECT

private slots:
    void ed25519_data();
    void ed25519();
    void ecdsaP256_data();
    void ecdsaP256();
    void jws_data();
    void jws();
    void jwk_data();
    void jwk();

private:
    void addJoseRows(const char *file);
    void runJoseRow();
};

void TestWycheproof::ed25519_data()
{
    QTest::addColumn<QByteArray>("publicKey");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<bool>("valid");
    if (skipIfMissing("ed25519_test.json")) {
        QTest::addRow("vectors missing") << QByteArray() << QByteArray() << QByteArray() << false;
        return;
    }
    const QJsonObject root = loadVectors("ed25519_test.json");
    int rows = 0;
    for (const QJsonValue &g : root.value(QStringLiteral("testGroups")).toArray()) {
        const QJsonObject group = g.toObject();
        const QByteArray pk = hex(group.value(QStringLiteral("publicKey")).toObject(), "pk");
        for (const QJsonValue &t : group.value(QStringLiteral("tests")).toArray()) {
            const QJsonObject test = t.toObject();
            QTest::addRow("tc%d %s", test.value(QStringLiteral("tcId")).toInt(), qPrintable(str(test, "comment")))
                << pk << hex(test, "msg") << hex(test, "sig") << (str(test, "result") == QLatin1String("valid"));
            ++rows;
        }
    }
    QCOMPARE(rows, root.value(QStringLiteral("numberOfTests")).toInt());
}

void TestWycheproof::ed25519()
{
    if (skipIfMissing("ed25519_test.json"))
        QSKIP("Wycheproof vectors not found under MANDATE_SHARED_DIR/jose");
    QFETCH(QByteArray, publicKey);
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, signature);
    QFETCH(bool, valid);
    auto key = Ed25519Key::fromPublicKey(publicKey);
    QVERIFY2(key.ok(), key.ok() ? "" : qPrintable(key.error().message));
    const Status status = key->verify(message, signature);
    QCOMPARE(status.ok(), valid);
    if (!valid)
        QCOMPARE(status.error().code, QStringLiteral("bad_signature"));
}

void TestWycheproof::ecdsaP256_data()
{
    QTest::addColumn<QByteArray>("x");
    QTest::addColumn<QByteArray>("y");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<bool>("valid");
    const char *file = "ecdsa_secp256r1_sha256_p1363_test.json";
    if (skipIfMissing(file)) {
        QTest::addRow("vectors missing") << QByteArray() << QByteArray() << QByteArray() << QByteArray() << false;
        return;
    }
    const QJsonObject root = loadVectors(file);
    int rows = 0;
    for (const QJsonValue &g : root.value(QStringLiteral("testGroups")).toArray()) {
        const QJsonObject group = g.toObject();
        QCOMPARE(str(group, "sha"), QStringLiteral("SHA-256"));
        const QJsonObject key = group.value(QStringLiteral("publicKey")).toObject();
        const QByteArray x = coordinate(hex(key, "wx"));
        const QByteArray y = coordinate(hex(key, "wy"));
        for (const QJsonValue &t : group.value(QStringLiteral("tests")).toArray()) {
            const QJsonObject test = t.toObject();
            QTest::addRow("tc%d %s", test.value(QStringLiteral("tcId")).toInt(), qPrintable(str(test, "comment")))
                << x << y << hex(test, "msg") << hex(test, "sig") << (str(test, "result") == QLatin1String("valid"));
            ++rows;
        }
    }
    QCOMPARE(rows, root.value(QStringLiteral("numberOfTests")).toInt());
}

void TestWycheproof::ecdsaP256()
{
    if (skipIfMissing("ecdsa_secp256r1_sha256_p1363_test.json"))
        QSKIP("Wycheproof vectors not found under MANDATE_SHARED_DIR/jose");
    QFETCH(QByteArray, x);
    QFETCH(QByteArray, y);
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, signature);
    QFETCH(bool, valid);
    auto key = EcP256PublicKey::fromCoordinates(x, y);
    QVERIFY2(key.ok(), key.ok() ? "" : qPrintable(key.error().message));
    const Status status = key->verify(message, signature);
    QCOMPARE(status.ok(), valid);
    if (!valid)
        QCOMPARE(status.error().code, QStringLiteral("bad_signature"));
}

void TestWycheproof::addJoseRows(const char *file)
{
    QTest::addColumn<QByteArray>("keySet");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("notApplicable");
    if (skipIfMissing(file)) {
        QTest::addRow("vectors missing") << QByteArray() << QByteArray() << false << QString();
        return;
    }
    const QJsonObject root = loadVectors(file);
    int rows = 0;
    for (const QJsonValue &g : root.value(QStringLiteral("testGroups")).toArray()) {
        const QJsonObject group = g.toObject();
        // The verifier gets the public keys; groups made only of secret (HMAC) keys have none,
        // and their private set is what a confused verifier would be handed.
        QJsonObject keys = group.value(group.contains(QStringLiteral("public")) ? QStringLiteral("public")
                                                                                : QStringLiteral("private")).toObject();
        if (!keys.contains(QStringLiteral("keys")))
            keys = QJsonObject{{QStringLiteral("keys"), QJsonArray{keys}}};
        const QByteArray keySet = json::writeCompact(keys);
        for (const QJsonValue &t : group.value(QStringLiteral("tests")).toArray()) {
            const QJsonObject test = t.toObject();
            const bool valid = str(test, "result") == QLatin1String("valid");
            const QJsonValue jws = test.value(QStringLiteral("jws"));
            QString notApplicable;
            if (!jws.isString()) {
                notApplicable = QStringLiteral("JWS JSON serialisation: Mandate accepts the compact form only");
            } else if (valid) {
                // The alg a valid case is signed with, from its own header.
                const QByteArray token = jws.toString().toLatin1();
                const QByteArray header = QByteArray::fromBase64(token.left(token.indexOf('.')),
                                                                 QByteArray::Base64UrlEncoding);
                const QString alg = json::parseObject(header).ok()
                                        ? json::parseObject(header)->value(QStringLiteral("alg")).toString()
                                        : QString();
                if (!acceptedAlgorithms().contains(alg))
                    notApplicable = QStringLiteral("%1 is outside Mandate's accepted algorithms (EdDSA, ES256, RS256); "
                                                   "checked to be rejected instead").arg(alg);
            }
            QTest::addRow("tc%d %s", test.value(QStringLiteral("tcId")).toInt(), qPrintable(str(test, "comment")))
                << keySet << (jws.isString() ? jws.toString().toLatin1() : json::writeCompact(jws)) << valid
                << notApplicable;
            ++rows;
        }
    }
    QCOMPARE(rows, root.value(QStringLiteral("numberOfTests")).toInt());
}

void TestWycheproof::runJoseRow()
{
    QFETCH(QByteArray, keySet);
    QFETCH(QByteArray, token);
    QFETCH(bool, valid);
    QFETCH(QString, notApplicable);

    auto keys = Jwks::parse(keySet);
    Result<VerifiedJws> result = keys ? JwsVerifier(JwsPolicy::idTokens(), keys.value()).verify(token)
                                      : Result<VerifiedJws>(keys.error());
    if (!notApplicable.isEmpty()) {
        // Valid elsewhere, out of scope here: it must still be refused, for a stated reason.
        QVERIFY(!result.ok());
        QSKIP(qPrintable(notApplicable + QStringLiteral(" (rejected: ") + result.error().code + QLatin1Char(')')));
    }
    if (valid)
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().code + QStringLiteral(": ") + result.error().message));
    else
        QVERIFY2(!result.ok(), "an invalid token was accepted");
    if (!result.ok() && qEnvironmentVariableIsSet("MANDATE_TEST_VERBOSE"))
        qInfo("rejected: %s: %s", qPrintable(result.error().code), qPrintable(result.error().message));
}

void TestWycheproof::jws_data()
{
    addJoseRows("json_web_signature_test.json");
}

void TestWycheproof::jws()
{
    if (skipIfMissing("json_web_signature_test.json"))
        QSKIP("Wycheproof vectors not found under MANDATE_SHARED_DIR/jose");
    runJoseRow();
}

void TestWycheproof::jwk_data()
{
    addJoseRows("json_web_key_test.json");
}

void TestWycheproof::jwk()
{
    if (skipIfMissing("json_web_key_test.json"))
        QSKIP("Wycheproof vectors not found under MANDATE_SHARED_DIR/jose");
    runJoseRow();
}

QTEST_GUILESS_MAIN(TestWycheproof)
#include "tst_wycheproof.moc"
