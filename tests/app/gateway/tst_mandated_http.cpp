// SPDX-License-Identifier: Apache-2.0
// The real mandated over real HTTP on loopback: public endpoints, the registry admin API,
// the role matrix, strict input handling and clean shutdown.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cstdio>

using namespace mandate::testing;

class tst_MandatedHttp final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void healthz();
    void demoRegistryIsLoaded();
    void roleMatrix_data();
    void roleMatrix();
    void createUpdateDeleteWithVersions();
    void invalidRecordListsEveryError();
    void importIsAllOrNothing();
    void badInput_data();
    void badInput();
    void keyFilesArePrivate();
    void restartKeepsDataAndKeys();

private:
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
};

void tst_MandatedHttp::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH));
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QVERIFY(m_admin.startsWith("mdk_"));
}

void tst_MandatedHttp::cleanupTestCase()
{
    if (m_gateway)
        QCOMPARE(m_gateway->stop(), 0);  // SIGTERM is a clean shutdown
}

void tst_MandatedHttp::healthz()
{
    const HttpResult result = m_http->get(QStringLiteral("/healthz"));
    QCOMPARE(result.status, 200);
    QCOMPARE(result.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(result.json().value(QStringLiteral("store")).toString(), QStringLiteral("ok"));
}

void tst_MandatedHttp::demoRegistryIsLoaded()
{
    const HttpResult agents = m_http->get(QStringLiteral("/v1/agents"), m_admin);
    QCOMPARE(agents.status, 200);
    QStringList ids;
    for (const QJsonValue &agent : agents.json().value(QStringLiteral("items")).toArray())
        ids << agent.toObject().value(QStringLiteral("id")).toString();
    QCOMPARE(ids, (QStringList{QStringLiteral("finance-agent"), QStringLiteral("refund-subagent"), QStringLiteral("support-agent")}));

    const QJsonObject support = m_http->get(QStringLiteral("/v1/agents/support-agent"), m_admin).json();
    QCOMPARE(support.value(QStringLiteral("owner")).toString(), QStringLiteral("carol"));
    QCOMPARE(support.value(QStringLiteral("maxDelegationDepth")).toInt(), 2);
    QCOMPARE(support.value(QStringLiteral("defaultTtl")).toInt(), 900);
    QCOMPARE(support.value(QStringLiteral("maxTtl")).toInt(), 3600);
    const QJsonObject budget = support.value(QStringLiteral("maxBudget")).toObject();
    QCOMPARE(budget.value(QStringLiteral("calls")).toInt(), 100);
    QCOMPARE(budget.value(QStringLiteral("tokens")).toInteger(), 1000000);
    QCOMPARE(budget.value(QStringLiteral("amount")).toString(), QStringLiteral("1000.00"));

    const QJsonObject sub = m_http->get(QStringLiteral("/v1/agents/refund-subagent"), m_admin).json();
    QCOMPARE(sub.value(QStringLiteral("delegators")).toArray(), QJsonArray{QStringLiteral("support-agent")});
    QCOMPARE(sub.value(QStringLiteral("maxBudget")).toObject().value(QStringLiteral("amount")).toString(), QStringLiteral("200.00"));

    const HttpResult tools = m_http->get(QStringLiteral("/v1/tools/account"), m_admin);
    QCOMPARE(tools.status, 200);
    QCOMPARE(tools.json().value(QStringLiteral("actions")).toArray().size(), 2);
    // The demo tools point at the demo business API of this very gateway.
    const QString upstream = tools.json().value(QStringLiteral("upstream")).toString();
    QVERIFY2(upstream.startsWith(m_gateway->url().toString()), qPrintable(upstream));
    QCOMPARE(tools.json().value(QStringLiteral("upstreamCredential")).toString(), QStringLiteral("demo-api"));
    // It answers the firewall only, which calls it with the demo credential: not a caller
    // without it, nor one with any other credential of this gateway.
    QFile file(QDir(m_gateway->dataDir()).filePath(QStringLiteral("upstream-credentials/demo-api")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray credential = file.readAll().trimmed().mid(qsizetype(sizeof "Authorization: Bearer") );
    const HttpResult direct = m_http->get(QStringLiteral("/demo-api/ticket/tickets/T-1001"));
    QCOMPARE(direct.status, 401);
    QVERIFY(direct.header("WWW-Authenticate").startsWith("Bearer"));
    QVERIFY2(direct.body.contains("/v1/tools/"), direct.body.constData());
    for (const QByteArray &other : {m_admin, QByteArray("garbage"), credential.left(credential.size() - 1), QByteArray()})
        QCOMPARE(m_http->get(QStringLiteral("/demo-api/ticket/tickets/T-1001"), other).status, 401);
    QCOMPARE(m_http->postJson(QStringLiteral("/demo-api/refund/refunds"), R"({"amount":"1.00"})").status, 401);
    QCOMPARE(m_http->get(QStringLiteral("/demo-api/ticket/tickets/T-1001"), credential).status, 200);

    // Rotated (a new file renamed over the old): the old token is refused from the next request.
    const QString path = file.fileName();
    QFile rotated(path + QStringLiteral(".new"));
    QVERIFY(rotated.open(QIODevice::WriteOnly));
    rotated.write("Authorization: Bearer rotated-demo-token-0123456789\n");
    rotated.close();
    QVERIFY(rotated.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QVERIFY(::rename(QFile::encodeName(rotated.fileName()).constData(), QFile::encodeName(path).constData()) == 0);
    QCOMPARE(m_http->get(QStringLiteral("/demo-api/ticket/tickets/T-1001"), credential).status, 401);
    QCOMPARE(m_http->get(QStringLiteral("/demo-api/ticket/tickets/T-1001"), "rotated-demo-token-0123456789").status, 200);
}

void tst_MandatedHttp::roleMatrix_data()
{
    QTest::addColumn<QString>("credential");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("expected");

    const QString agentBody;
    struct Row { const char *name; const char *credential; const char *method; const char *path; int expected; };
    const Row rows[] = {
        {"admin reads agents", "admin", "GET", "/v1/agents", 200},
        {"auditor reads agents", "auditor", "GET", "/v1/agents", 200},
        {"analyst reads agents", "analyst", "GET", "/v1/agents", 200},
        {"no key reads agents", "", "GET", "/v1/agents", 401},
        {"garbage key", "garbage", "GET", "/v1/agents", 401},
        {"forged key", "forged", "GET", "/v1/agents", 401},
        {"execution token", "jwt", "GET", "/v1/agents", 401},
        {"auditor exports", "auditor", "GET", "/v1/registry", 200},
        {"auditor creates", "auditor", "POST", "/v1/tools", 403},
        {"analyst creates", "analyst", "POST", "/v1/tools", 403},
        {"auditor deletes", "auditor", "DELETE", "/v1/agents/finance-agent", 403},
        {"analyst retires", "analyst", "POST", "/v1/agents/finance-agent/retire", 403},
        {"auditor imports", "auditor", "POST", "/v1/registry/import", 403},
        {"analyst validates", "analyst", "POST", "/v1/registry/validate", 200},
        {"admin whoami", "admin", "GET", "/v1/whoami", 200},
        {"no key whoami", "", "GET", "/v1/whoami", 401},
        {"healthz needs no key", "", "GET", "/healthz", 200},
    };
    for (const Row &row : rows)
        QTest::addRow("%s", row.name) << QString::fromLatin1(row.credential) << QByteArray(row.method) << QString::fromLatin1(row.path) << row.expected;
}

void tst_MandatedHttp::roleMatrix()
{
    QFETCH(QString, credential);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, expected);

    QByteArray bearer;
    if (credential == QLatin1String("garbage"))
        bearer = "not-a-key";
    else if (credential == QLatin1String("forged"))
        bearer = "mdk_0123456789abcdef_" + QByteArray(43, 'A');
    else if (credential == QLatin1String("jwt"))
        bearer = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    else if (!credential.isEmpty())
        bearer = m_gateway->key(credential);
    QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/json"}, {"If-Match", "\"1\""}};
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer});
    const QByteArray body = path.startsWith(QLatin1String("/v1/registry")) ? QByteArray("{\"humans\":[]}") : QByteArray("{}");
    const HttpResult result = m_http->send(method, path, method == "GET" ? QByteArray() : body, headers);
    QCOMPARE(result.status, expected);
    if (expected >= 400)
        QCOMPARE(result.header("Content-Type"), QByteArray("application/problem+json"));
    if (expected == 401)
        QVERIFY(!result.header("WWW-Authenticate").isEmpty());
}

void tst_MandatedHttp::createUpdateDeleteWithVersions()
{
    const QByteArray agent = R"({"id":"triage-agent","displayName":"Triage","owner":"alice",
        "allowedActions":["ticket:read"],"maxBudget":{"calls":20,"tokens":1000,"amount":"0"}})";
    const HttpResult created = m_http->postJson(QStringLiteral("/v1/agents"), agent, m_admin);
    QCOMPARE(created.status, 201);
    QCOMPARE(created.header("ETag"), QByteArray("\"1\""));
    QCOMPARE(created.header("Location"), QByteArray("/v1/agents/triage-agent"));
    QCOMPARE(m_http->postJson(QStringLiteral("/v1/agents"), agent, m_admin).status, 409);

    const auto put = [&](const QByteArray &ifMatch, const QByteArray &body) {
        QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + m_admin}};
        if (!ifMatch.isEmpty())
            headers.append({"If-Match", ifMatch});
        return m_http->send("PUT", QStringLiteral("/v1/agents/triage-agent"), body, headers);
    };
    QByteArray edited = agent;
    edited.replace("\"Triage\"", "\"Ticket triage\"");
    QCOMPARE(put({}, edited).status, 428);
    const HttpResult updated = put("\"1\"", edited);
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.header("ETag"), QByteArray("\"2\""));
    QCOMPARE(updated.json().value(QStringLiteral("displayName")).toString(), QStringLiteral("Ticket triage"));

    // A second editor still holding version 1 is refused and shown what is there now.
    const HttpResult stale = put("\"1\"", agent);
    QCOMPARE(stale.status, 412);
    QCOMPARE(stale.json().value(QStringLiteral("currentVersion")).toInt(), 2);
    QCOMPARE(stale.json().value(QStringLiteral("current")).toObject().value(QStringLiteral("displayName")).toString(), QStringLiteral("Ticket triage"));
    QVERIFY(stale.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("version 1")));

    const QList<QPair<QByteArray, QByteArray>> auth{{"Authorization", "Bearer " + m_admin}};
    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/agents/triage-agent"), {}, auth + QList<QPair<QByteArray, QByteArray>>{{"If-Match", "\"1\""}}).status, 412);
    QCOMPARE(m_http->send("DELETE", QStringLiteral("/v1/agents/triage-agent"), {}, auth + QList<QPair<QByteArray, QByteArray>>{{"If-Match", "\"2\""}}).status, 204);
    QCOMPARE(m_http->get(QStringLiteral("/v1/agents/triage-agent"), m_admin).status, 404);
    // A human who still owns agents cannot be deleted.
    const HttpResult inUse = m_http->send("DELETE", QStringLiteral("/v1/humans/carol"), {}, auth + QList<QPair<QByteArray, QByteArray>>{{"If-Match", "\"1\""}});
    QCOMPARE(inUse.status, 409);
    QVERIFY(inUse.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("support-agent")));
}

void tst_MandatedHttp::invalidRecordListsEveryError()
{
    const QByteArray agent = R"({"id":"Bad_Id","owner":"mallory","allowedActions":["acount:delete","ticket:read"],
        "trustLevel":9,"maxBudget":{"calls":0}})";
    const HttpResult result = m_http->postJson(QStringLiteral("/v1/agents"), agent, m_admin);
    QCOMPARE(result.status, 422);
    QStringList paths;
    for (const QJsonValue &error : result.json().value(QStringLiteral("errors")).toArray())
        paths << error.toObject().value(QStringLiteral("path")).toString();
    for (const char *expected : {"id", "owner", "allowedActions[0]", "trustLevel", "maxBudget.calls"})
        QVERIFY2(paths.contains(QLatin1String(expected)), qPrintable(paths.join(u',')));
}

void tst_MandatedHttp::importIsAllOrNothing()
{
    const QByteArray document = R"({"humans":[{"id":"dave","issuer":"urn:mandate:dev-idp"}],
        "agents":[{"id":"ok-agent","owner":"dave","allowedActions":["ticket:read"],"maxBudget":{"calls":1}},
                  {"id":"broken-agent","owner":"dave","allowedActions":["ticket:read","acount:delete"],"maxBudget":{"calls":1}}]})";
    const HttpResult result = m_http->postJson(QStringLiteral("/v1/registry/import"), document, m_admin);
    QCOMPARE(result.status, 422);
    const QJsonArray errors = result.json().value(QStringLiteral("errors")).toArray();
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors[0].toObject().value(QStringLiteral("path")).toString(), QStringLiteral("agents[1].allowedActions[1]"));
    QCOMPARE(errors[0].toObject().value(QStringLiteral("message")).toString(), QStringLiteral("unknown action \"acount:delete\""));
    QCOMPARE(m_http->get(QStringLiteral("/v1/humans/dave"), m_admin).status, 404);
    QCOMPARE(m_http->get(QStringLiteral("/v1/agents/ok-agent"), m_admin).status, 404);
}

void tst_MandatedHttp::badInput_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("problemType");

    QTest::addRow("malformed JSON") << QByteArray("POST") << QStringLiteral("/v1/tools") << QByteArray("application/json") << QByteArray("{\"id\":") << 400 << QStringLiteral("json");
    QTest::addRow("duplicate keys") << QByteArray("POST") << QStringLiteral("/v1/tools") << QByteArray("application/json") << QByteArray("{\"id\":\"a\",\"id\":\"b\"}") << 400 << QStringLiteral("json");
    QTest::addRow("not an object") << QByteArray("POST") << QStringLiteral("/v1/tools") << QByteArray("application/json") << QByteArray("[1,2]") << 400 << QStringLiteral("bad-request");
    QTest::addRow("wrong content type") << QByteArray("POST") << QStringLiteral("/v1/tools") << QByteArray("text/plain") << QByteArray("{}") << 400 << QStringLiteral("bad-request");
    QTest::addRow("deep nesting") << QByteArray("POST") << QStringLiteral("/v1/tools") << QByteArray("application/json") << (QByteArray(5000, '[') + QByteArray(5000, ']')) << 400 << QStringLiteral("json");
    QTest::addRow("body over the limit") << QByteArray("POST") << QStringLiteral("/v1/tools") << QByteArray("application/json") << QByteArray(2 << 20, ' ') << 413 << QStringLiteral("payload-too-large");
    QTest::addRow("unknown route") << QByteArray("GET") << QStringLiteral("/v1/nothing-here") << QByteArray() << QByteArray() << 404 << QStringLiteral("not-found");
    QTest::addRow("wrong method") << QByteArray("PATCH") << QStringLiteral("/v1/agents") << QByteArray("application/json") << QByteArray("{}") << 405 << QStringLiteral("method-not-allowed");
    // Query and path numbers are read strictly: refused, never guessed at or ignored.
    const auto get = [](const char *row, const char *path, int status, const char *type) {
        QTest::addRow("%s", row) << QByteArray("GET") << QString::fromLatin1(path) << QByteArray() << QByteArray() << status << QString::fromLatin1(type);
    };
    get("executions: limit not a number", "/v1/executions?limit=abc", 400, "bad-request");
    get("executions: limit 0", "/v1/executions?limit=0", 400, "bad-request");
    get("executions: limit signed", "/v1/executions?limit=%2B5", 400, "bad-request");
    get("executions: limit too large", "/v1/executions?limit=5001", 400, "bad-request");
    get("executions: a filter twice", "/v1/executions?agent=a&agent=b", 400, "bad-request");
    get("executions: unknown filter", "/v1/executions?colour=red", 400, "bad-request");
    get("executions: unknown status", "/v1/executions?status=asleep", 400, "bad-request");
    get("policy version not a number", "/v1/policies/versions/abc", 400, "bad-request");
    get("policy version signed", "/v1/policies/versions/%2B1", 400, "bad-request");
    get("policy version 0", "/v1/policies/versions/0", 400, "bad-request");
    get("policy version unknown", "/v1/policies/versions/99999", 404, "not-found");
    get("audit: a filter twice", "/v1/audit?agent=a&agent=b", 422, "invalid");
    get("audit: limit signed", "/v1/audit?limit=%2B5", 422, "invalid");
    // A verification asked for with a head that does not read would not look for truncation.
    const auto verify = [](const char *row, const QByteArray &body) {
        QTest::addRow("%s", row) << QByteArray("POST") << QStringLiteral("/v1/audit/verify") << QByteArray("application/json") << body
                                 << 400 << QStringLiteral("bad-request");
    };
    verify("verify: head not an object", R"({"head":"0123abcd"})");
    verify("verify: gateway not a string", R"({"gateway":5})");
    verify("verify: an unknown member", R"({"heads":{}})");
    get("audit: descendants neither true nor false", "/v1/audit?execution=e1&descendants=no", 422, "invalid");
}

void tst_MandatedHttp::badInput()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, expected);
    QFETCH(QString, problemType);

    QList<QPair<QByteArray, QByteArray>> headers{{"Authorization", "Bearer " + m_admin}};
    if (!contentType.isEmpty())
        headers.append({"Content-Type", contentType});
    const HttpResult result = m_http->send(method, path, body, headers);
    QCOMPARE(result.status, expected);
    QCOMPARE(result.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(result.json().value(QStringLiteral("type")).toString(), QStringLiteral("urn:mandate:problem:") + problemType);
    QCOMPARE(result.json().value(QStringLiteral("status")).toInt(), expected);
    // ... and the gateway keeps serving.
    QCOMPARE(m_http->get(QStringLiteral("/healthz")).status, 200);
}

void tst_MandatedHttp::keyFilesArePrivate()
{
    for (const char *role : {"admin", "auditor", "analyst"}) {
        const QFileInfo info(QDir(m_gateway->dataDir()).filePath(QLatin1String(role) + QStringLiteral(".key")));
        QVERIFY(info.exists());
        QCOMPARE(info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
    }
    // The demo tools' upstream credential too, in a directory of the gateway's user alone.
    const QFileInfo credentials(QDir(m_gateway->dataDir()).filePath(QStringLiteral("upstream-credentials")));
    QCOMPARE(credentials.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QFileInfo demo(credentials.filePath() + QStringLiteral("/demo-api"));
    QCOMPARE(demo.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    // Secrets never reach the log.
    QVERIFY(!m_gateway->output().contains(m_admin));
    QFile file(demo.filePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!m_gateway->output().contains(file.readAll().trimmed().mid(qsizetype(sizeof "Authorization: Bearer"))));
}

void tst_MandatedHttp::restartKeepsDataAndKeys()
{
    // Same data directory, new process: the registry and the keys survive, nothing is re-seeded.
    const QByteArray agent = R"({"id":"persisted-agent","owner":"bob","allowedActions":["account:read"],"maxBudget":{"calls":3}})";
    QCOMPARE(m_http->postJson(QStringLiteral("/v1/agents"), agent, m_admin).status, 201);
    // A demo tool as an older demo directory has it: no upstream credential.
    const HttpResult refund = m_http->get(QStringLiteral("/v1/tools/refund"), m_admin);
    QJsonObject withoutCredential = refund.json();
    withoutCredential.remove(QStringLiteral("upstreamCredential"));
    QCOMPARE(m_http->send("PUT", QStringLiteral("/v1/tools/refund"), QJsonDocument(withoutCredential).toJson(),
                          {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"}, {"If-Match", refund.header("ETag")}})
                 .status,
             200);
    QVERIFY(!m_http->get(QStringLiteral("/v1/tools/refund"), m_admin).json().contains(QStringLiteral("upstreamCredential")));
    QFile credential(QDir(m_gateway->dataDir()).filePath(QStringLiteral("upstream-credentials/demo-api")));
    QVERIFY(credential.open(QIODevice::ReadOnly));
    const QByteArray before = credential.readAll();
    credential.close();

    QCOMPARE(m_gateway->stop(), 0);
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    QCOMPARE(m_gateway->key(QStringLiteral("admin")), m_admin);
    QCOMPARE(m_http->get(QStringLiteral("/v1/agents/persisted-agent"), m_admin).status, 200);
    // The credential is kept, and the demo tool that lacked it is called with it again.
    QVERIFY(credential.open(QIODevice::ReadOnly));
    QCOMPARE(credential.readAll(), before);
    QCOMPARE(m_http->get(QStringLiteral("/v1/tools/refund"), m_admin).json().value(QStringLiteral("upstreamCredential")).toString(),
             QStringLiteral("demo-api"));
}

QTEST_GUILESS_MAIN(tst_MandatedHttp)
#include "tst_mandated_http.moc"
