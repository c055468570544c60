// SPDX-License-Identifier: Apache-2.0
// Admin API keys on a production (non-demo) gateway, over real HTTP (issue #5): the first start
// makes one admin key in DATA/admin.key (0600) and records it; admins create, list and revoke
// keys, each change an admin_change record that holds no secret; a revoked key stops at once
// and its event streams close; the last admin key cannot go; bad requests are refused with a
// reason; restarts keep the key, and a key file older than its database is replaced.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QWebSocket>

#include <algorithm>

#include <csignal>

#include <sys/stat.h>
#include <unistd.h>

using namespace mandate;
using namespace mandate::testing;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

Headers jsonHeaders(const QByteArray &bearer)
{
    return {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + bearer}};
}

/// The secret part of `mdk_<16 hex digits>_<secret>`; base64url secrets may contain '_' too.
QByteArray secretOf(const QByteArray &key)
{
    return key.mid(4 + 16 + 1);
}

/// Every byte of the data directory's database files, to prove a secret is not among them.
QByteArray databaseBytes(const QString &dataDir)
{
    QByteArray all;
    for (const QString &name : QDir(dataDir).entryList({QStringLiteral("mandate.db*")}, QDir::Files)) {
        QFile file(QDir(dataDir).filePath(name));
        if (file.open(QIODevice::ReadOnly))
            all += file.readAll();
    }
    return all;
}

/// A /v1/events subscriber that keeps what it hears.
struct Subscriber
{
    QWebSocket socket;
    QList<QJsonObject> events;
    bool closed = false;

    Subscriber(const QUrl &gateway, const QByteArray &key)
    {
        QUrl url = gateway;
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/v1/events"));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + key);
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &text) { events << QJsonDocument::fromJson(text.toUtf8()).object(); });
        QObject::connect(&socket, &QWebSocket::disconnected, &socket, [this]() { closed = true; });
        socket.open(request);
    }
    bool heard(const QString &type, const QString &operation, const QString &keyId) const
    {
        for (const QJsonObject &event : events) {
            if (event.value(QStringLiteral("type")).toString() == type && event.value(QStringLiteral("operation")).toString() == operation
                && event.value(QStringLiteral("key")).toObject().value(QStringLiteral("id")).toString() == keyId)
                return true;
        }
        return false;
    }
};

} // namespace

class tst_ApiKeys final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void firstStartWritesAPrivateAdminKey();
    void createdKeysWorkWithTheirRole();
    void badRequestsAreRefused_data();
    void badRequestsAreRefused();
    void revokedKeyStopsAtOnce();
    void revokedKeysEventStreamCloses();
    void revocationThroughAnotherGatewayClosesStreams();
    void lastAdminKeyCannotBeRevoked();
    void restartKeepsTheKey();
    void keyFileOlderThanItsDatabaseIsReplaced();
    void ctlCreatesAKeyOnlyWhereItCanBeKept();

private:
    HttpResult create(const QByteArray &body, const QByteArray &bearer);
    QByteArray createKey(const QString &name, const QString &role, QString *id = nullptr);
    QJsonObject auditRecordFor(const QString &target, const QString &operation);

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QString m_adminId;
};

HttpResult tst_ApiKeys::create(const QByteArray &body, const QByteArray &bearer)
{
    return m_http->send("POST", QStringLiteral("/v1/api-keys"), body, jsonHeaders(bearer));
}

QByteArray tst_ApiKeys::createKey(const QString &name, const QString &role, QString *id)
{
    const QJsonObject wanted{{QStringLiteral("name"), name}, {QStringLiteral("role"), role}};
    const HttpResult made = create(QJsonDocument(wanted).toJson(QJsonDocument::Compact), m_admin);
    if (made.status != 201)
        return {};
    if (id)
        *id = made.json().value(QStringLiteral("id")).toString();
    return made.json().value(QStringLiteral("key")).toString().toLatin1();
}

QJsonObject tst_ApiKeys::auditRecordFor(const QString &target, const QString &operation)
{
    const HttpResult records = m_http->get(QStringLiteral("/v1/audit?event=admin_change&limit=500"), m_admin);
    for (const QJsonValue value : records.json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject record = value.toObject();
        if (record.value(QStringLiteral("mandate.admin.target")).toString() == target
            && record.value(QStringLiteral("mandate.details")).toObject().value(QStringLiteral("operation")).toString() == operation)
            return record;
    }
    return {};
}

void tst_ApiKeys::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH));
    m_gateway->setDemo(false);
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QVERIFY(m_admin.startsWith("mdk_"));
}

void tst_ApiKeys::cleanupTestCase()
{
    if (!m_gateway)
        return;
    const HttpResult verified = m_http->postJson(QStringLiteral("/v1/audit/verify"), "{}", m_admin);
    QCOMPARE(verified.status, 200);
    QVERIFY(verified.json().value(QStringLiteral("intact")).toBool());
    QCOMPARE(m_gateway->stop(), 0);
}

void tst_ApiKeys::firstStartWritesAPrivateAdminKey()
{
    const QString path = QDir(m_gateway->dataDir()).filePath(QStringLiteral("admin.key"));
    struct stat info {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    QVERIFY(m_gateway->output().contains("First start: the admin API key is in"));
    // A production gateway writes no other key or demo file.
    for (const char *demoFile : {"auditor.key", "analyst.key", "demo-clients.json"})
        QVERIFY(!QFile::exists(QDir(m_gateway->dataDir()).filePath(QLatin1String(demoFile))));

    const HttpResult me = m_http->get(QStringLiteral("/v1/whoami"), m_admin);
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
    m_adminId = me.json().value(QStringLiteral("keyId")).toString();
    const QJsonArray keys = m_http->get(QStringLiteral("/v1/api-keys"), m_admin).json().value(QStringLiteral("items")).toArray();
    QCOMPARE(keys.size(), 1);
    QCOMPARE(keys.first().toObject().value(QStringLiteral("id")).toString(), m_adminId);

    const QJsonObject record = auditRecordFor(QStringLiteral("api-key:") + m_adminId, QStringLiteral("create"));
    QVERIFY2(!record.isEmpty(), "the first admin key has no admin_change record");
    QCOMPARE(record.value(QStringLiteral("mandate.admin.actor")).toString(), QStringLiteral("mandated"));
    QCOMPARE(record.value(QStringLiteral("mandate.admin.after")).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
    QCOMPARE(record.value(QStringLiteral("mandate.details")).toObject().value(QStringLiteral("file")).toString(), QDir(path).absolutePath());
    const QByteArray secret = secretOf(m_admin);
    QCOMPARE(secret.size(), 43);  // 256 bits, base64url
    QVERIFY(!QJsonDocument(record).toJson().contains(secret));
    QVERIFY(!databaseBytes(m_gateway->dataDir()).contains(secret));
}

void tst_ApiKeys::createdKeysWorkWithTheirRole()
{
    const HttpResult made = create(R"({"name":"Ann, audit team","role":"auditor"})", m_admin);
    QCOMPARE(made.status, 201);
    const QJsonObject body = made.json();
    const QString id = body.value(QStringLiteral("id")).toString();
    const QByteArray key = body.value(QStringLiteral("key")).toString().toLatin1();
    QCOMPARE(body.value(QStringLiteral("role")).toString(), QStringLiteral("auditor"));
    QCOMPARE(body.value(QStringLiteral("name")).toString(), QStringLiteral("Ann, audit team"));
    QVERIFY(key.startsWith(QByteArray("mdk_" + id.toLatin1() + '_')));
    QCOMPARE(made.header("Location"), "/v1/api-keys/" + id.toLatin1());
    QCOMPARE(made.header("Cache-Control"), QByteArray("no-store"));

    // The key works at once, with its role's rights and no more.
    QCOMPARE(m_http->get(QStringLiteral("/v1/agents"), key).status, 200);
    QCOMPARE(m_http->get(QStringLiteral("/v1/whoami"), key).json().value(QStringLiteral("keyId")).toString(), id);
    QCOMPARE(create(R"({"name":"escalation","role":"admin"})", key).status, 403);
    QCOMPARE(m_http->get(QStringLiteral("/v1/api-keys"), key).status, 403);

    // Listed and shown without any secret; its record names who made it, by name and key id.
    const HttpResult shown = m_http->get(QStringLiteral("/v1/api-keys/") + id, m_admin);
    QCOMPARE(shown.status, 200);
    QVERIFY(!shown.json().contains(QStringLiteral("key")));
    const HttpResult listed = m_http->get(QStringLiteral("/v1/api-keys"), m_admin);
    QVERIFY(listed.body.contains(id.toLatin1()));
    const QByteArray secret = secretOf(key);
    QVERIFY(!listed.body.contains(secret));
    const QJsonObject record = auditRecordFor(QStringLiteral("api-key:") + id, QStringLiteral("create"));
    QVERIFY(!record.isEmpty());
    QCOMPARE(record.value(QStringLiteral("mandate.admin.actor")).toString(), QStringLiteral("first-admin"));
    QCOMPARE(record.value(QStringLiteral("mandate.details")).toObject().value(QStringLiteral("actor_key")).toString(), m_adminId);
    QVERIFY(!QJsonDocument(record).toJson().contains(secret));
    QVERIFY(!databaseBytes(m_gateway->dataDir()).contains(secret));
}

void tst_ApiKeys::badRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("says");
    const QByteArray json = "application/json";
    QTest::newRow("unknown role") << QByteArray(R"({"name":"x","role":"root"})") << json << 422 << QStringLiteral("role");
    QTest::newRow("no role") << QByteArray(R"({"name":"x"})") << json << 422 << QStringLiteral("role");
    QTest::newRow("no name") << QByteArray(R"({"role":"admin"})") << json << 422 << QStringLiteral("name");
    QTest::newRow("empty name") << QByteArray(R"({"name":"","role":"admin"})") << json << 422 << QStringLiteral("1 to 64");
    QTest::newRow("name too long") << (R"({"role":"admin","name":")" + QByteArray(65, 'n') + "\"}") << json << 422 << QStringLiteral("1 to 64");
    QTest::newRow("control character") << QByteArray(R"({"name":"a\u0007b","role":"admin"})") << json << 422 << QStringLiteral("printable");
    QTest::newRow("name not a string") << QByteArray(R"({"name":7,"role":"admin"})") << json << 422 << QStringLiteral("string");
    QTest::newRow("unknown field") << QByteArray(R"({"name":"x","role":"admin","secret":"mine"})") << json << 400 << QStringLiteral("secret");
    QTest::newRow("malformed JSON") << QByteArray(R"({"name":"x",)") << json << 400 << QString();
    QTest::newRow("not JSON") << QByteArray("name=x&role=admin") << QByteArray("application/x-www-form-urlencoded") << 400
                              << QStringLiteral("Content-Type");
}

void tst_ApiKeys::badRequestsAreRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, says);
    const int before = m_http->get(QStringLiteral("/v1/api-keys"), m_admin).json().value(QStringLiteral("items")).toArray().size();
    const HttpResult refused = m_http->send("POST", QStringLiteral("/v1/api-keys"), body,
                                            {{"Content-Type", contentType}, {"Authorization", "Bearer " + m_admin}});
    QVERIFY2(refused.status == status, refused.body.constData());
    QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));
    QVERIFY2(QString::fromUtf8(refused.body).contains(says), refused.body.constData());
    QCOMPARE(m_http->get(QStringLiteral("/v1/api-keys"), m_admin).json().value(QStringLiteral("items")).toArray().size(), before);
}

void tst_ApiKeys::revokedKeyStopsAtOnce()
{
    QString id;
    const QByteArray key = createKey(QStringLiteral("short-lived"), QStringLiteral("analyst"), &id);
    QVERIFY(!key.isEmpty());
    QCOMPARE(m_http->get(QStringLiteral("/v1/agents"), key).status, 200);
    const HttpResult revoked = m_http->send("DELETE", QStringLiteral("/v1/api-keys/") + id, {}, jsonHeaders(m_admin));
    QCOMPARE(revoked.status, 200);
    QVERIFY(revoked.json().value(QStringLiteral("revoked")).toBool());
    QCOMPARE(revoked.json().value(QStringLiteral("role")).toString(), QStringLiteral("analyst"));
    QCOMPARE(m_http->get(QStringLiteral("/v1/agents"), key).status, 401);
    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/api-keys/") + id, {}, jsonHeaders(m_admin)).status, 404);
    QCOMPARE(m_http->get(QStringLiteral("/v1/api-keys/") + id, m_admin).status, 404);
    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/api-keys/0123456789abcdef"), {}, jsonHeaders(m_admin)).status, 404);

    const QJsonObject record = auditRecordFor(QStringLiteral("api-key:") + id, QStringLiteral("revoke"));
    QVERIFY(!record.isEmpty());
    QCOMPARE(record.value(QStringLiteral("mandate.admin.before")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("short-lived"));
    QVERIFY(record.value(QStringLiteral("mandate.admin.after")).isNull() || record.value(QStringLiteral("mandate.admin.after")).isUndefined());
}

void tst_ApiKeys::revokedKeysEventStreamCloses()
{
    QString id;
    const QByteArray doomed = createKey(QStringLiteral("monitor"), QStringLiteral("auditor"), &id);
    QVERIFY(!doomed.isEmpty());
    const QByteArray bystanderKey = createKey(QStringLiteral("bystander"), QStringLiteral("analyst"));
    QVERIFY(!bystanderKey.isEmpty());
    Subscriber watched(m_gateway->url(), doomed);
    Subscriber admin(m_gateway->url(), m_admin);
    Subscriber bystander(m_gateway->url(), bystanderKey);
    QTRY_VERIFY_WITH_TIMEOUT(!watched.events.isEmpty() && !admin.events.isEmpty() && !bystander.events.isEmpty(), 10000);  // hello

    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/api-keys/") + id, {}, jsonHeaders(m_admin)).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(watched.closed, 10000);
    QCOMPARE(watched.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(watched.socket.closeReason(), QStringLiteral("API key revoked"));
    QVERIFY(watched.heard(QStringLiteral("api_key"), QStringLiteral("revoked"), id));  // its last message says why
    // Other subscribers hear of the revocation and stay connected.
    QTRY_VERIFY_WITH_TIMEOUT(admin.heard(QStringLiteral("api_key"), QStringLiteral("revoked"), id), 10000);
    QVERIFY(!admin.closed);
    QCOMPARE(admin.socket.state(), QAbstractSocket::ConnectedState);
    // Only admins may list keys, so only they hear of other keys. A registry change made after
    // the key changes reaches every subscriber, in order: once the bystander has it, it would
    // have had the key events too.
    QString lateId;
    QVERIFY(!createKey(QStringLiteral("late"), QStringLiteral("auditor"), &lateId).isEmpty());
    const QByteArray human = R"({"id":"zed","displayName":"Zed","issuer":"https://idp.example","subject":"zed"})";
    QCOMPARE(m_http->send("POST", QStringLiteral("/v1/humans"), human, jsonHeaders(m_admin)).status, 201);
    const auto heardRegistry = [](const Subscriber &subscriber) {
        return std::any_of(subscriber.events.begin(), subscriber.events.end(),
                           [](const QJsonObject &event) { return event.value(QStringLiteral("type")).toString() == QLatin1String("registry"); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(heardRegistry(bystander) && heardRegistry(admin), 10000);
    QVERIFY(admin.heard(QStringLiteral("api_key"), QStringLiteral("created"), lateId));
    QVERIFY(!bystander.heard(QStringLiteral("api_key"), QStringLiteral("revoked"), id));
    QVERIFY(!bystander.heard(QStringLiteral("api_key"), QStringLiteral("created"), lateId));
    QVERIFY(!bystander.closed);

    // The key cannot subscribe again.
    Subscriber again(m_gateway->url(), doomed);
    QTRY_VERIFY_WITH_TIMEOUT(again.closed, 10000);
    QCOMPARE(again.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    admin.socket.close();
}

void tst_ApiKeys::revocationThroughAnotherGatewayClosesStreams()
{
    // A second gateway on the same database (its own id, so its own audit chain) holds a stream
    // of a key that the first one revokes: no event crosses, the second finds out at a ping.
    GatewayProcess second(QStringLiteral(MANDATED_PATH),
                          {QStringLiteral("--data-dir"), m_gateway->dataDir(), QStringLiteral("--id"), QStringLiteral("second-gateway"),
                           QStringLiteral("--idle-timeout-ms"), QStringLiteral("1500")});
    second.setDemo(false);
    QVERIFY2(second.start(), qPrintable(second.error()));
    QString id;
    const QByteArray key = createKey(QStringLiteral("wall monitor"), QStringLiteral("auditor"), &id);
    QVERIFY(!key.isEmpty());
    Subscriber watched(second.url(), key);
    QTRY_VERIFY_WITH_TIMEOUT(!watched.events.isEmpty(), 10000);
    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/api-keys/") + id, {}, jsonHeaders(m_admin)).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(watched.closed, 10000);
    QCOMPARE(watched.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(watched.socket.closeReason(), QStringLiteral("API key revoked"));
    QCOMPARE(second.stop(), 0);
}

void tst_ApiKeys::lastAdminKeyCannotBeRevoked()
{
    const HttpResult refused = m_http->send("DELETE", QStringLiteral("/v1/api-keys/") + m_adminId, {}, jsonHeaders(m_admin));
    QCOMPARE(refused.status, 409);
    QVERIFY2(refused.body.contains("last admin key"), refused.body.constData());
    QCOMPARE(m_http->get(QStringLiteral("/v1/whoami"), m_admin).status, 200);
    QVERIFY(auditRecordFor(QStringLiteral("api-key:") + m_adminId, QStringLiteral("revoke")).isEmpty());  // a refusal leaves no record

    // With a second admin key, the first can go, and the second becomes the last.
    QString secondId;
    const QByteArray second = createKey(QStringLiteral("second-admin"), QStringLiteral("admin"), &secondId);
    QVERIFY(!second.isEmpty());
    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/api-keys/") + m_adminId, {}, jsonHeaders(second)).status, 200);
    QCOMPARE(m_http->get(QStringLiteral("/v1/whoami"), m_admin).status, 401);
    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/api-keys/") + secondId, {}, jsonHeaders(second)).status, 409);
    // Auditor and analyst keys are never "the last" of anything.
    m_admin = second;
    m_adminId = secondId;
}

void tst_ApiKeys::restartKeepsTheKey()
{
    const QByteArray file = m_gateway->key(QStringLiteral("admin"));
    const int keysBefore = m_http->get(QStringLiteral("/v1/api-keys"), m_admin).json().value(QStringLiteral("items")).toArray().size();
    {
        // Subscribers still connected when the gateway stops are let go cleanly (exit code 0).
        Subscriber first(m_gateway->url(), m_admin);
        Subscriber second(m_gateway->url(), m_admin);
        QTRY_VERIFY_WITH_TIMEOUT(!first.events.isEmpty() && !second.events.isEmpty(), 10000);
        QVERIFY2(m_gateway->stop() == 0, m_gateway->output().right(2000).constData());
        QTRY_VERIFY_WITH_TIMEOUT(first.closed && second.closed, 10000);
    }
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    QVERIFY(!m_gateway->output().contains("First start"));
    QCOMPARE(m_gateway->key(QStringLiteral("admin")), file);  // untouched, though its key was revoked above
    QCOMPARE(m_http->get(QStringLiteral("/v1/api-keys"), m_admin).json().value(QStringLiteral("items")).toArray().size(), keysBefore);
}

void tst_ApiKeys::keyFileOlderThanItsDatabaseIsReplaced()
{
    QCOMPARE(m_gateway->stop(), 0);
    for (const QString &name : QDir(m_gateway->dataDir()).entryList({QStringLiteral("mandate.db*")}, QDir::Files))
        QVERIFY(QFile::remove(QDir(m_gateway->dataDir()).filePath(name)));
    const QByteArray stale = m_gateway->key(QStringLiteral("admin"));
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    QVERIFY(m_gateway->output().contains("First start"));
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QVERIFY(m_admin != stale);
    QCOMPARE(m_http->get(QStringLiteral("/v1/whoami"), m_admin).status, 200);
    QCOMPARE(m_http->get(QStringLiteral("/v1/whoami"), stale).status, 401);
    QVERIFY(!QFile::exists(QDir(m_gateway->dataDir()).filePath(QStringLiteral("admin.key.new"))));
}

QTEST_GUILESS_MAIN(tst_ApiKeys)
void tst_ApiKeys::ctlCreatesAKeyOnlyWhereItCanBeKept()
{
    // mandatectl api-keys create: a key nobody could keep must not be made, and one that was
    // made but not delivered is named, so that it can be revoked.
    QTemporaryDir dir;
    const QString adminKey = dir.filePath(QStringLiteral("admin.key"));
    QFile keyFile(adminKey);
    QVERIFY(keyFile.open(QIODevice::WriteOnly) && keyFile.write(m_admin) == m_admin.size());
    keyFile.close();
    const auto keyCount = [this] { return m_http->get(QStringLiteral("/v1/api-keys"), m_admin).json().value(QStringLiteral("items")).toArray().size(); };
    struct Run { int code; QByteArray out, err; };
    const auto ctl = [&](const QStringList &extra, bool closedStdout = false) {
        QProcess p;
        if (closedStdout) {
            p.setChildProcessModifier([] {
                ::signal(SIGPIPE, SIG_IGN);
                int fds[2];
                if (::pipe(fds) == 0) {
                    ::close(fds[0]);  // nobody reads: every write fails
                    ::dup2(fds[1], STDOUT_FILENO);
                }
            });
        }
        p.start(QStringLiteral(MANDATECTL), QStringList{QStringLiteral("api-keys"), QStringLiteral("create"), QStringLiteral("--gateway"),
                                                        m_gateway->url().toString(), QStringLiteral("--api-key-file"), adminKey,
                                                        QStringLiteral("--name"), QStringLiteral("from the cli"), QStringLiteral("--role"),
                                                        QStringLiteral("auditor")} + extra);
        p.waitForFinished(30'000);
        return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    };
    const qsizetype before = keyCount();

    // --out names a file that exists: refused before any key is made.
    const QString taken = dir.filePath(QStringLiteral("taken.key"));
    QFile existing(taken);
    QVERIFY(existing.open(QIODevice::WriteOnly) && existing.write("keep me\n") == 8);
    existing.close();
    Run refused = ctl({QStringLiteral("--out"), taken});
    QCOMPARE(refused.code, 2);
    QVERIFY2(refused.err.contains("exists already"), refused.err.constData());
    QCOMPARE(keyCount(), before);
    QFile kept(taken);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), QByteArray("keep me\n"));
    // ...and so does a directory that is not there.
    QCOMPARE(ctl({QStringLiteral("--out"), dir.filePath(QStringLiteral("missing/new.key"))}).code, 2);
    QCOMPARE(keyCount(), before);
    // The next option is no file name: `--out --json` is refused, nothing made.
    refused = ctl({QStringLiteral("--out"), QStringLiteral("--json")});
    QCOMPARE(refused.code, 2);
    QVERIFY(!QFile::exists(QStringLiteral("--json")));
    QCOMPARE(keyCount(), before);

    // A new file: the key is in it, owner-only, and works.
    const QString fresh = dir.filePath(QStringLiteral("fresh.key"));
    const Run made = ctl({QStringLiteral("--out"), fresh});
    QVERIFY2(made.code == 0, made.err.constData());
    QCOMPARE(keyCount(), before + 1);
    QFile freshFile(fresh);
    QVERIFY(freshFile.open(QIODevice::ReadOnly));
    const QByteArray freshKey = freshFile.readAll().trimmed();
    QVERIFY(!made.out.contains(freshKey));
    QCOMPARE(m_http->get(QStringLiteral("/v1/whoami"), freshKey).status, 200);
    struct stat info{};
    QCOMPARE(::stat(QFile::encodeName(fresh).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));

    // Printed to an output nobody reads: a failure that names the key to revoke.
    const Run lost = ctl({}, true);
    QCOMPARE(lost.code, 1);
    QVERIFY2(lost.err.contains("was created but could not be printed; revoke it"), lost.err.constData());
    QCOMPARE(keyCount(), before + 2);

    // Credentials in the gateway's URL are refused, never sent or printed.
    QUrl withPassword = m_gateway->url();
    withPassword.setUserInfo(QStringLiteral("admin:hunter2"));
    QProcess p;
    p.start(QStringLiteral(MANDATECTL), {QStringLiteral("api-keys"), QStringLiteral("list"), QStringLiteral("--gateway"),
                                         withPassword.toString(), QStringLiteral("--api-key-file"), adminKey});
    QVERIFY(p.waitForFinished(30'000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(!p.readAllStandardError().contains("hunter2"));
}

#include "tst_api_keys.moc"
