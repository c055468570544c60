// SPDX-License-Identifier: Apache-2.0
// Rotating the broker's signing key on a running gateway (issue #4), over real HTTP: the new key
// signs from then on and is published next to the old one, tokens the old key signed keep
// working through the overlap and stop once it passes, a zero overlap (key compromise) ends
// them at once, bad requests are refused with a reason, only admins may rotate, and each
// rotation is an admin_change record with the key ring before and after.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;

namespace {

QString kidOf(const QByteArray &token)
{
    const QByteArray header = QByteArray::fromBase64(token.split('.').value(0), QByteArray::Base64UrlEncoding);
    return QJsonDocument::fromJson(header).object().value(QStringLiteral("kid")).toString();
}

QStringList publishedKids(const QJsonObject &jwks)
{
    QStringList kids;
    for (const QJsonValue key : jwks.value(QStringLiteral("keys")).toArray())
        kids << key.toObject().value(QStringLiteral("kid")).toString();
    return kids;
}

} // namespace

class tst_KeyRotation final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void listsTheRing();
    void badRequestsAreRefused_data();
    void badRequestsAreRefused();
    void onlyAdminsRotate();
    void rotationKeepsOldTokensThroughTheOverlap();
    void zeroOverlapEndsOldTokensAtOnce();
    void mandatectlListsAndRotates();
    void rotationsAreAdminChanges();
    void chainVerifies();

private:
    int authorizeStatus(const QByteArray &token);
    HttpResult rotate(const QByteArray &body, const QByteArray &key);
    QByteArray token()
    {
        DemoExchange exchange;
        exchange.clockAdvancedSecs = m_advancedSecs;
        return exchangeDemoToken(*m_gateway, *m_http, exchange);
    }

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QStringList m_rotatedTo;  ///< the kids rotations made current, in order
    qint64 m_advancedSecs = 0;  ///< how far the gateway's test clock was moved
};

void tst_KeyRotation::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH), QStringList{QStringLiteral("--test-clock")});
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
}

void tst_KeyRotation::cleanupTestCase()
{
    if (m_gateway && m_gateway->process().state() != QProcess::NotRunning)
        QCOMPARE(m_gateway->stop(), 0);
}

int tst_KeyRotation::authorizeStatus(const QByteArray &token)
{
    return m_http->postJson(QStringLiteral("/v1/authorize"),
                            R"({"action":"ticket:read","resource":{"type":"Tool","id":"ticket"}})", token).status;
}

HttpResult tst_KeyRotation::rotate(const QByteArray &body, const QByteArray &key)
{
    return m_http->postJson(QStringLiteral("/v1/keys/rotate"), body, key);
}

void tst_KeyRotation::listsTheRing()
{
    const HttpResult listed = m_http->get(QStringLiteral("/v1/keys"), m_gateway->key(QStringLiteral("auditor")));
    QCOMPARE(listed.status, 200);
    const QJsonObject ring = listed.json();
    const QJsonArray keys = ring.value(QStringLiteral("keys")).toArray();
    QCOMPARE(keys.size(), 1);
    QCOMPARE(keys.first().toObject().value(QStringLiteral("kid")).toString(), ring.value(QStringLiteral("current")).toString());
    QVERIFY(keys.first().toObject().value(QStringLiteral("current")).toBool());
    // What signs is what is listed as current.
    QCOMPARE(kidOf(token()), ring.value(QStringLiteral("current")).toString());
}

void tst_KeyRotation::badRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("negative") << QByteArray(R"({"overlap_seconds":-1})") << QStringLiteral("overlap_seconds");
    QTest::addRow("fraction") << QByteArray(R"({"overlap_seconds":1.5})") << QStringLiteral("whole number");
    QTest::addRow("over a year") << QByteArray(R"({"overlap_seconds":40000000})") << QStringLiteral("31622400");
    QTest::addRow("string") << QByteArray(R"({"overlap_seconds":"60"})") << QStringLiteral("overlap_seconds");
    QTest::addRow("unknown field") << QByteArray(R"({"overlap":60})") << QStringLiteral("unknown field \"overlap\"");
    QTest::addRow("not an object") << QByteArray("[60]") << QString();
    QTest::addRow("malformed") << QByteArray("{") << QString();
}

void tst_KeyRotation::badRequestsAreRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    const QString before = m_http->get(QStringLiteral("/v1/keys"), m_admin).json().value(QStringLiteral("current")).toString();
    const HttpResult refused = rotate(body, m_admin);
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));
    QVERIFY2(refused.json().value(QStringLiteral("detail")).toString().contains(mentions), refused.body.constData());
    QCOMPARE(m_http->get(QStringLiteral("/v1/keys"), m_admin).json().value(QStringLiteral("current")).toString(), before);
}

void tst_KeyRotation::onlyAdminsRotate()
{
    for (const char *role : {"auditor", "analyst"})
        QCOMPARE(rotate("{}", m_gateway->key(QLatin1String(role))).status, 403);
    QCOMPARE(rotate("{}", token()).status, 401);  // an execution token never reaches the admin API
    QCOMPARE(m_http->get(QStringLiteral("/v1/keys"), m_admin).json().value(QStringLiteral("keys")).toArray().size(), 1);
}

void tst_KeyRotation::rotationKeepsOldTokensThroughTheOverlap()
{
    const QByteArray old = token();
    const QString oldKid = kidOf(old);
    QCOMPARE(authorizeStatus(old), 200);

    const HttpResult rotated = rotate(R"({"overlap_seconds":600})", m_admin);
    QVERIFY2(rotated.status == 200, rotated.body.constData());
    const QString newKid = rotated.json().value(QStringLiteral("current")).toString();
    QVERIFY(!newKid.isEmpty() && newKid != oldKid);
    m_rotatedTo << newKid;

    // Both keys are published; the new one signs; tokens of either key verify.
    const QStringList published = publishedKids(m_http->get(QStringLiteral("/.well-known/jwks.json")).json());
    QVERIFY2(published.contains(oldKid) && published.contains(newKid), qPrintable(published.join(u',')));
    const QByteArray fresh = token();
    QCOMPARE(kidOf(fresh), newKid);
    QCOMPARE(authorizeStatus(fresh), 200);
    QCOMPARE(authorizeStatus(old), 200);

    // Past the overlap (the old token's own 15 minutes are not over yet) the old key is gone.
    QCOMPARE(m_http->postJson(QStringLiteral("/v1/dev/clock"), R"({"advance":601})", m_admin).status, 200);
    m_advancedSecs += 601;
    QVERIFY(!publishedKids(m_http->get(QStringLiteral("/.well-known/jwks.json")).json()).contains(oldKid));
    QCOMPARE(authorizeStatus(old), 401);
    QCOMPARE(authorizeStatus(token()), 200);
}

void tst_KeyRotation::zeroOverlapEndsOldTokensAtOnce()
{
    const QByteArray old = token();
    QCOMPARE(authorizeStatus(old), 200);
    const HttpResult rotated = rotate(R"({"overlap_seconds":0})", m_admin);
    QVERIFY2(rotated.status == 200, rotated.body.constData());
    m_rotatedTo << rotated.json().value(QStringLiteral("current")).toString();
    QCOMPARE(authorizeStatus(old), 401);
    QCOMPARE(authorizeStatus(token()), 200);
    // Retired keys are pruned: only the current key is left.
    const QJsonArray keys = m_http->get(QStringLiteral("/v1/keys"), m_admin).json().value(QStringLiteral("keys")).toArray();
    QCOMPARE(keys.size(), 1);
}

void tst_KeyRotation::mandatectlListsAndRotates()
{
    const auto ctl = [this](const QStringList &args, const QByteArray &key, QByteArray *out = nullptr) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MANDATE_API_KEY"), QString::fromLatin1(key));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(MANDATECTL_PATH), QStringList{QStringLiteral("keys")} + args
                                                           + QStringList{QStringLiteral("--gateway"), m_gateway->url().toString()});
        if (!process.waitForFinished(30'000))
            return -1;
        if (out)
            *out = process.readAllStandardOutput() + process.readAllStandardError();
        return process.exitCode();
    };
    const QString before = m_http->get(QStringLiteral("/v1/keys"), m_admin).json().value(QStringLiteral("current")).toString();
    QByteArray text;
    QCOMPARE(ctl({QStringLiteral("list")}, m_gateway->key(QStringLiteral("auditor")), &text), 0);
    QVERIFY2(text.contains(QByteArray(before.toUtf8() + "  created ")) && text.contains("current (signs)"), text.constData());

    QCOMPARE(ctl({QStringLiteral("rotate")}, m_gateway->key(QStringLiteral("auditor")), &text), 1);
    QVERIFY2(text.contains("403"), text.constData());
    QCOMPARE(ctl({QStringLiteral("rotate"), QStringLiteral("--overlap"), QStringLiteral("soon")}, m_admin, &text), 2);
    QCOMPARE(ctl({QStringLiteral("spin")}, m_admin, &text), 2);

    QCOMPARE(ctl({QStringLiteral("rotate"), QStringLiteral("--overlap"), QStringLiteral("120"), QStringLiteral("--json")}, m_admin, &text), 0);
    const QJsonObject ring = QJsonDocument::fromJson(text).object();
    const QString current = ring.value(QStringLiteral("current")).toString();
    QVERIFY2(!current.isEmpty() && current != before, text.constData());
    QCOMPARE(ring.value(QStringLiteral("overlapSeconds")).toInt(), 120);
    m_rotatedTo << current;
    QCOMPARE(ring.value(QStringLiteral("keys")).toArray().size(), 2);  // the new key, and the old one retiring
}

void tst_KeyRotation::rotationsAreAdminChanges()
{
    const HttpResult page = m_http->get(QStringLiteral("/v1/audit?event=admin_change&limit=100"), m_admin);
    QCOMPARE(page.status, 200);
    QStringList targets;
    for (const QJsonValue value : page.json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject record = value.toObject();
        const QString target = record.value(QStringLiteral("mandate.admin.target")).toString();
        if (!target.startsWith(QLatin1String("key:")))
            continue;
        targets << target;
        QCOMPARE(record.value(QStringLiteral("mandate.admin.after")).toObject().value(QStringLiteral("current")).toString(),
                 target.mid(4));
        QVERIFY(record.value(QStringLiteral("mandate.admin.before")).toObject().contains(QStringLiteral("keys")));
        QVERIFY(!record.value(QStringLiteral("mandate.admin.actor")).toString().isEmpty());
    }
    QStringList expected;
    for (const QString &kid : std::as_const(m_rotatedTo))
        expected << QStringLiteral("key:") + kid;
    targets.sort();
    expected.sort();
    QCOMPARE(targets, expected);  // refused requests left no record
}

void tst_KeyRotation::chainVerifies()
{
    const HttpResult verified = m_http->postJson(QStringLiteral("/v1/audit/verify"), "{}", m_admin);
    QCOMPARE(verified.status, 200);
    QVERIFY2(verified.json().value(QStringLiteral("intact")).toBool(), verified.body.constData());
}

QTEST_GUILESS_MAIN(tst_KeyRotation)
#include "tst_key_rotation.moc"
