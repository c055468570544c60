// SPDX-License-Identifier: Apache-2.0
// The worked example of the design, end to end over real HTTP: Alice's ID token, the Support
// Agent's token exchange, calls through the tool firewall to a real upstream started here,
// denials by capability, by policy and by budget, sub-delegation that can only narrow,
// revocation down the tree, expiry on the gateway's test clock, and bad input of every kind.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>
#include <QSignalSpy>
#include <QWebSocket>
#include <QtConcurrent/QtConcurrentRun>

using namespace mandate;
using namespace mandate::testing;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

/// What the upstream saw of one forwarded call.
struct Seen
{
    QByteArray method;
    QString path;
    QByteArray body;
    QByteArray authorization;
    QByteArray traceparent;
    QByteArray execution;
};

} // namespace

class tst_WorkedExample final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void aliceDelegatesToTheSupportAgent();
    void allowedCallsReachTheUpstream();
    void accountDeleteIsNotInTheToken();
    void refundOverTheLimitIsDeniedByPolicy();
    void authorizeDecidesWithoutForwarding();
    void spentBudgetDenies();
    void subDelegationCanOnlyNarrow();
    void revocationReachesDescendants();
    void badTokens_data();
    void badTokens();
    void upstreamDownOrSlow();
    void halfRequestDoesNotBlockOthers();
    void decisionsAreAudited();
    void eventStreamCarriesDecisions();
    void expiryOnTheTestClock();  // last: it moves the gateway's clock ahead of this process's

private:
    QByteArray exchange(const QString &client, const QByteArray &subject, bool subjectIsIdToken, const QString &scope,
                        const QJsonObject &budget, int ttl, int *status = nullptr, QJsonObject *error = nullptr);
    QByteArray rootToken(const QString &scope, const QJsonObject &budget, int ttl = 900);
    HttpResult tool(const QByteArray &token, const QByteArray &method, const QString &path, const QJsonObject &body = {});
    void pointToolsAt(const QString &base);
    QString executionOf(const QByteArray &token);

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QJsonObject m_clients;
    QHttpServer m_upstream;
    QString m_upstreamBase;
    QList<Seen> m_seen;
    QByteArray m_supportToken;
};

void tst_WorkedExample::initTestCase()
{
    // The upstream business API: a real HTTP server in this process.
    const auto record = [this](const QHttpServerRequest &request) {
        m_seen.append(Seen{request.method() == QHttpServerRequest::Method::Get ? QByteArray("GET")
                           : request.method() == QHttpServerRequest::Method::Post ? QByteArray("POST")
                                                                                   : QByteArray("OTHER"),
                           request.url().path(), request.body(), request.value("Authorization"),
                           request.value("traceparent"), request.value("X-Mandate-Execution")});
    };
    m_upstream.route(QStringLiteral("/tickets/<arg>"), [record](const QString &id, const QHttpServerRequest &request) {
        record(request);
        return QHttpServerResponse(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("status"), QStringLiteral("open")}});
    });
    m_upstream.route(QStringLiteral("/refunds"), [record](const QHttpServerRequest &request) {
        record(request);
        QJsonObject refund = QJsonDocument::fromJson(request.body()).object();
        refund.insert(QStringLiteral("id"), QStringLiteral("R-1"));
        return QHttpServerResponse(refund, QHttpServerResponse::StatusCode::Created);
    });
    m_upstream.route(QStringLiteral("/accounts/<arg>"), [record](const QString &, const QHttpServerRequest &request) {
        record(request);
        return QHttpServerResponse(QJsonObject{{QStringLiteral("deleted"), true}});
    });
    m_upstream.route(QStringLiteral("/slow/tickets/<arg>"), [](const QString &, const QHttpServerRequest &) {
        return QtConcurrent::run([]() {
            QThread::msleep(3000);
            return QHttpServerResponse(QJsonObject{{QStringLiteral("late"), true}});
        });
    });
    const quint16 port = m_upstream.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    m_upstreamBase = QStringLiteral("http://127.0.0.1:%1").arg(port);

    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH),
                                                 QStringList{QStringLiteral("--test-clock"), QStringLiteral("--upstream-timeout-ms"),
                                                             QStringLiteral("1000"), QStringLiteral("--idle-timeout-ms"),
                                                             QStringLiteral("1500")});
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QFile clients(QDir(m_gateway->dataDir()).filePath(QStringLiteral("demo-clients.json")));
    QVERIFY(clients.open(QIODevice::ReadOnly));
    m_clients = QJsonDocument::fromJson(clients.readAll()).object();
    QCOMPARE(m_clients.keys(), (QStringList{QStringLiteral("finance-agent"), QStringLiteral("refund-subagent"), QStringLiteral("support-agent")}));
    pointToolsAt(m_upstreamBase);
}

void tst_WorkedExample::cleanupTestCase()
{
    if (m_gateway)
        QCOMPARE(m_gateway->stop(), 0);
}

void tst_WorkedExample::pointToolsAt(const QString &base)
{
    for (const char *id : {"ticket", "refund", "account"})
        QCOMPARE(m_http->pointToolAt(m_admin, QLatin1String(id), base), 200);
}

QByteArray tst_WorkedExample::exchange(const QString &client, const QByteArray &subject, bool subjectIsIdToken, const QString &scope,
                                       const QJsonObject &budget, int ttl, int *status, QJsonObject *error)
{
    const QJsonObject credentials = m_clients.value(client).toObject();
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange"));
    form.addQueryItem(QStringLiteral("subject_token"), QString::fromLatin1(subject));
    form.addQueryItem(QStringLiteral("subject_token_type"), subjectIsIdToken ? QStringLiteral("urn:ietf:params:oauth:token-type:id_token")
                                                                             : QStringLiteral("urn:ietf:params:oauth:token-type:access_token"));
    form.addQueryItem(QStringLiteral("scope"), scope);
    const QJsonObject details{{QStringLiteral("type"), QStringLiteral("agent_execution")},
                              {QStringLiteral("purpose"), QStringLiteral("refund for ticket T-1001")},
                              {QStringLiteral("budget"), budget},
                              {QStringLiteral("risk_ceiling"), 90},
                              {QStringLiteral("ttl"), ttl}};
    form.addQueryItem(QStringLiteral("authorization_details"), QString::fromUtf8(QJsonDocument(QJsonArray{details}).toJson(QJsonDocument::Compact)));
    const QByteArray basic = (credentials.value(QStringLiteral("client_id")).toString() + u':'
                              + credentials.value(QStringLiteral("client_secret")).toString()).toUtf8().toBase64();
    const HttpResult result = m_http->send("POST", QStringLiteral("/v1/token"), form.toString(QUrl::FullyEncoded).toUtf8(),
                                           {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Basic " + basic}});
    if (status)
        *status = result.status;
    if (error)
        *error = result.json();
    return result.status == 200 ? result.json().value(QStringLiteral("access_token")).toString().toLatin1() : QByteArray();
}

QByteArray tst_WorkedExample::rootToken(const QString &scope, const QJsonObject &budget, int ttl)
{
    const SystemClock clock;
    broker::DevIdentityProvider idp(m_gateway->dataDir(), clock);
    if (!idp.open(broker::DevIdentityProvider::Mode::OpenExisting))
        return {};
    auto idToken = idp.issueIdToken(QStringLiteral("alice"));
    return idToken ? exchange(QStringLiteral("support-agent"), idToken.value(), true, scope, budget, ttl) : QByteArray();
}

HttpResult tst_WorkedExample::tool(const QByteArray &token, const QByteArray &method, const QString &path, const QJsonObject &body)
{
    Headers headers{{"Authorization", "Bearer " + token},
                    {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                    {"X-Mandate-Reason", "customer asked"}};
    if (!body.isEmpty())
        headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    return m_http->send(method, path, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(), headers);
}

QString tst_WorkedExample::executionOf(const QByteArray &token)
{
    const QByteArray payload = QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding);
    const QJsonArray details = QJsonDocument::fromJson(payload).object().value(QStringLiteral("authorization_details")).toArray();
    return details.first().toObject().value(QStringLiteral("execution")).toString();
}

void tst_WorkedExample::aliceDelegatesToTheSupportAgent()
{
    m_supportToken = rootToken(QStringLiteral("refund:create ticket:read"),
                               {{QStringLiteral("calls"), 6}, {QStringLiteral("tokens"), 10000}, {QStringLiteral("amount"), QStringLiteral("300.00")}});
    QVERIFY(!m_supportToken.isEmpty());
    const QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(m_supportToken.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
    QCOMPARE(claims.value(QStringLiteral("client_id")).toString(), QStringLiteral("support-agent"));
    QCOMPARE(claims.value(QStringLiteral("act")).toObject().value(QStringLiteral("sub")).toString(), QStringLiteral("agent:support-agent"));
    QCOMPARE(claims.value(QStringLiteral("exp")).toInteger() - claims.value(QStringLiteral("iat")).toInteger(), 900);
    QStringList scope = claims.value(QStringLiteral("scope")).toString().split(u' ');
    scope.sort();
    QCOMPARE(scope, (QStringList{QStringLiteral("refund:create"), QStringLiteral("ticket:read")}));
}

void tst_WorkedExample::allowedCallsReachTheUpstream()
{
    m_seen.clear();
    const HttpResult read = tool(m_supportToken, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1001"));
    QCOMPARE(read.status, 200);
    QCOMPARE(read.json().value(QStringLiteral("id")).toString(), QStringLiteral("T-1001"));
    QVERIFY(!read.header("X-Mandate-Decision-Id").isEmpty());
    const HttpResult refund = tool(m_supportToken, "POST", QStringLiteral("/v1/tools/refund/refunds"), {{QStringLiteral("amount"), QStringLiteral("42.00")}});
    QCOMPARE(refund.status, 201);
    QCOMPARE(refund.json().value(QStringLiteral("amount")).toString(), QStringLiteral("42.00"));
    QCOMPARE(m_seen.size(), 2);
    // The upstream is called with the demo tools' credential, which only the gateway holds;
    // the execution token never reaches it.
    QFile credential(m_gateway->dataDir() + QStringLiteral("/upstream-credentials/demo-api"));
    QVERIFY(credential.open(QIODevice::ReadOnly));
    const QByteArray expected = credential.readAll().trimmed().mid(qsizetype(sizeof "Authorization:")).trimmed();
    QVERIFY(expected.startsWith("Bearer ") && !expected.contains(m_supportToken));
    for (const Seen &seen : std::as_const(m_seen)) {
        QCOMPARE(seen.authorization, expected);
        QVERIFY(seen.traceparent.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        QCOMPARE(QString::fromLatin1(seen.execution), executionOf(m_supportToken));
    }
}

void tst_WorkedExample::accountDeleteIsNotInTheToken()
{
    m_seen.clear();
    const HttpResult result = tool(m_supportToken, "DELETE", QStringLiteral("/v1/tools/account/accounts/C-501"));
    QCOMPARE(result.status, 403);
    QCOMPARE(result.json().value(QStringLiteral("step")).toString(), QStringLiteral("capability"));
    QCOMPARE(result.json().value(QStringLiteral("decision")).toString(), QStringLiteral("deny"));
    QVERIFY(!result.json().value(QStringLiteral("decision_id")).toString().isEmpty());
    QVERIFY(m_seen.isEmpty());
}

void tst_WorkedExample::refundOverTheLimitIsDeniedByPolicy()
{
    m_seen.clear();
    const HttpResult result = tool(m_supportToken, "POST", QStringLiteral("/v1/tools/refund/refunds"), {{QStringLiteral("amount"), QStringLiteral("120.00")}});
    QCOMPARE(result.status, 403);
    QCOMPARE(result.json().value(QStringLiteral("step")).toString(), QStringLiteral("policy"));
    QVERIFY(result.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("no permit")));
    QVERIFY(m_seen.isEmpty());
}

void tst_WorkedExample::authorizeDecidesWithoutForwarding()
{
    m_seen.clear();
    const QByteArray body = R"({"action":"refund:create","resource":{"type":"Tool","id":"refund"},"args":{"amount":"42.00"}})";
    const HttpResult result = m_http->postJson(QStringLiteral("/v1/authorize"), body, m_supportToken);
    QCOMPARE(result.status, 200);
    const QJsonObject decision = result.json();
    QCOMPARE(decision.value(QStringLiteral("decision")).toString(), QStringLiteral("allow"));
    QCOMPARE(decision.value(QStringLiteral("reasons")).toArray(), QJsonArray{QStringLiteral("support-agent-refunds-up-to-100")});
    QCOMPARE(decision.value(QStringLiteral("execution")).toString(), executionOf(m_supportToken));
    QVERIFY(decision.contains(QStringLiteral("budget")));
    QVERIFY(decision.contains(QStringLiteral("risk")));
    QVERIFY(m_seen.isEmpty());
    const HttpResult denied = m_http->postJson(QStringLiteral("/v1/authorize"),
        R"({"action":"refund:create","resource":{"type":"Tool","id":"refund"},"args":{"amount":"142.00"}})", m_supportToken);
    QCOMPARE(denied.status, 200);
    QCOMPARE(denied.json().value(QStringLiteral("decision")).toString(), QStringLiteral("deny"));
}

void tst_WorkedExample::spentBudgetDenies()
{
    // 6 calls granted, 2 spent above (denials cost nothing): four more pass, the fifth does not.
    for (int i = 0; i < 4; ++i)
        QCOMPARE(tool(m_supportToken, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1002")).status, 200);
    const HttpResult spent = tool(m_supportToken, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1002"));
    QCOMPARE(spent.status, 403);
    QCOMPARE(spent.json().value(QStringLiteral("step")).toString(), QStringLiteral("budget"));
}

void tst_WorkedExample::subDelegationCanOnlyNarrow()
{
    const QJsonObject budget{{QStringLiteral("calls"), 5}, {QStringLiteral("tokens"), 1000}, {QStringLiteral("amount"), QStringLiteral("150.00")}};
    const QByteArray parent = rootToken(QStringLiteral("refund:create ticket:read"), budget);
    QVERIFY(!parent.isEmpty());
    const QJsonObject narrower{{QStringLiteral("calls"), 2}, {QStringLiteral("tokens"), 100}, {QStringLiteral("amount"), QStringLiteral("80.00")}};
    const QByteArray child = exchange(QStringLiteral("refund-subagent"), parent, false, QStringLiteral("refund:create"), narrower, 300);
    QVERIFY(!child.isEmpty());
    const QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(child.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
    QCOMPARE(claims.value(QStringLiteral("act")).toObject().value(QStringLiteral("sub")).toString(), QStringLiteral("agent:refund-subagent"));
    QCOMPARE(claims.value(QStringLiteral("act")).toObject().value(QStringLiteral("act")).toObject().value(QStringLiteral("sub")).toString(),
             QStringLiteral("agent:support-agent"));
    // The sub-agent's refund passes the support agent's policy through the parent execution.
    QCOMPARE(tool(child, "POST", QStringLiteral("/v1/tools/refund/refunds"), {{QStringLiteral("amount"), QStringLiteral("35.00")}}).status, 201);

    int status = 0;
    QJsonObject error;
    exchange(QStringLiteral("refund-subagent"), parent, false, QStringLiteral("refund:create ticket:read"), narrower, 300, &status, &error);
    QCOMPARE(status, 400);
    QCOMPARE(error.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_scope"));
    const QJsonObject wider{{QStringLiteral("calls"), 50}, {QStringLiteral("tokens"), 100}, {QStringLiteral("amount"), QStringLiteral("80.00")}};
    exchange(QStringLiteral("refund-subagent"), parent, false, QStringLiteral("refund:create"), wider, 300, &status, &error);
    QCOMPARE(status, 400);
    QVERIFY2(error.value(QStringLiteral("error_description")).toString().contains(QLatin1String("calls")),
             qPrintable(error.value(QStringLiteral("error_description")).toString()));
    // finance-agent is not allowed to be delegated to by the support agent.
    exchange(QStringLiteral("finance-agent"), parent, false, QStringLiteral("refund:create"), narrower, 300, &status, &error);
    QCOMPARE(status, 400);
}

void tst_WorkedExample::revocationReachesDescendants()
{
    const QJsonObject budget{{QStringLiteral("calls"), 5}, {QStringLiteral("tokens"), 1000}, {QStringLiteral("amount"), QStringLiteral("150.00")}};
    const QByteArray parent = rootToken(QStringLiteral("refund:create ticket:read"), budget);
    const QByteArray child = exchange(QStringLiteral("refund-subagent"), parent, false, QStringLiteral("refund:create"),
                                      {{QStringLiteral("calls"), 1}, {QStringLiteral("tokens"), 10}, {QStringLiteral("amount"), QStringLiteral("10.00")}}, 300);
    QVERIFY(!child.isEmpty());
    const HttpResult revoked = m_http->send("POST", QStringLiteral("/v1/executions/") + executionOf(parent) + QStringLiteral("/revoke"), {},
                                            {{"Authorization", "Bearer " + m_admin}});
    QCOMPARE(revoked.status, 200);
    for (const QByteArray &token : {parent, child}) {
        const HttpResult result = tool(token, "POST", QStringLiteral("/v1/tools/refund/refunds"), {{QStringLiteral("amount"), QStringLiteral("5.00")}});
        QCOMPARE(result.status, 401);
        QCOMPARE(result.json().value(QStringLiteral("step")).toString(), QStringLiteral("token"));
    }
}

void tst_WorkedExample::expiryOnTheTestClock()
{
    const QByteArray token = rootToken(QStringLiteral("ticket:read"),
                                       {{QStringLiteral("calls"), 5}, {QStringLiteral("tokens"), 10}, {QStringLiteral("amount"), QStringLiteral("0")}}, 120);
    QVERIFY(!token.isEmpty());
    QCOMPARE(tool(token, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1003")).status, 200);
    QCOMPARE(m_http->postJson(QStringLiteral("/v1/dev/clock"), R"({"advance":600})", m_admin).status, 200);
    const HttpResult expired = tool(token, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1003"));
    QCOMPARE(expired.status, 401);
    QVERIFY2(expired.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("expired")),
             qPrintable(expired.json().value(QStringLiteral("detail")).toString()));
}

void tst_WorkedExample::badTokens_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addRow("missing") << QByteArray();
    QTest::addRow("garbage") << QByteArray("garbage");
    QTest::addRow("alg none") << QByteArray("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ1c2VyOmFsaWNlIn0.");
    QTest::addRow("admin key") << QByteArray("mdk_0123456789abcdef_xyz");
    QTest::addRow("oversized") << QByteArray(20000, 'a');
}

void tst_WorkedExample::badTokens()
{
    QFETCH(QByteArray, token);
    const HttpResult result = tool(token, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1001"));
    QCOMPARE(result.status, 401);
    QCOMPARE(result.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(result.json().value(QStringLiteral("step")).toString(), QStringLiteral("token"));
    QVERIFY(!result.json().value(QStringLiteral("detail")).toString().isEmpty());
}

void tst_WorkedExample::upstreamDownOrSlow()
{
    const QByteArray token = rootToken(QStringLiteral("ticket:read"),
                                       {{QStringLiteral("calls"), 10}, {QStringLiteral("tokens"), 10}, {QStringLiteral("amount"), QStringLiteral("0")}});
    // Slow: the gateway gives up after its upstream timeout (1 s here) with 504.
    pointToolsAt(m_upstreamBase + QStringLiteral("/slow"));
    const HttpResult slow = tool(token, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1001"));
    QCOMPARE(slow.status, 504);
    // Down: nothing listens on the port.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const QString deadBase = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
    closed.close();
    pointToolsAt(deadBase);
    const QString execution = executionOf(token);
    const auto usedCalls = [&] {
        return m_http->get(QStringLiteral("/v1/executions/") + execution, m_admin).json()
            .value(QStringLiteral("used")).toObject().value(QStringLiteral("calls")).toInteger(-1);
    };
    QCOMPARE(usedCalls(), 1);  // the slow call may have reached its upstream: it stays charged
    const HttpResult down = tool(token, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1001"));
    QCOMPARE(down.status, 502);
    QCOMPARE(down.header("Content-Type"), QByteArray("application/problem+json"));
    // Nothing listened, so nothing of the call left: its charge is given back, and the forward's
    // record says so.
    QCOMPARE(usedCalls(), 1);
    const QByteArray decisionId = down.json().value(QStringLiteral("decision_id")).toString().toLatin1();
    QVERIFY(!decisionId.isEmpty());
    bool refunded = false;
    const HttpResult records = m_http->get(QStringLiteral("/v1/audit?event=forward&execution=") + execution, m_gateway->key(QStringLiteral("auditor")));
    for (const QJsonValue &record : records.json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject r = record.toObject();
        if (r.value(QStringLiteral("mandate.decision.id")).toString().toLatin1() == decisionId)
            refunded = r.value(QStringLiteral("mandate.details")).toObject().value(QStringLiteral("mandate.budget.refunded"))
                           .toObject().value(QStringLiteral("calls")).toInteger() == 1;
    }
    QVERIFY2(refunded, records.body.left(400).constData());
    // ... and so does the call's node in the lineage.
    bool drawn = false;
    const HttpResult lineage = m_http->get(QStringLiteral("/v1/lineage?execution=") + execution, m_gateway->key(QStringLiteral("auditor")));
    for (const QJsonValue &node : lineage.json().value(QStringLiteral("nodes")).toArray()) {
        const QJsonObject attributes = node.toObject().value(QStringLiteral("attributes")).toObject();
        drawn = drawn || (attributes.value(QStringLiteral("upstream_error")).toString().contains(QStringLiteral("unreachable"))
                          && attributes.value(QStringLiteral("refunded")).toObject().value(QStringLiteral("calls")).toInteger() == 1);
    }
    QVERIFY2(drawn, lineage.body.left(400).constData());
    pointToolsAt(m_upstreamBase);
    QCOMPARE(tool(token, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1001")).status, 200);
    QCOMPARE(usedCalls(), 2);
}

void tst_WorkedExample::halfRequestDoesNotBlockOthers()
{
    QTcpSocket staller;
    staller.connectToHost(m_gateway->url().host(), static_cast<quint16>(m_gateway->url().port()));
    QVERIFY(staller.waitForConnected(3000));
    staller.write("POST /v1/authorize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"act");
    QVERIFY(staller.waitForBytesWritten(3000));
    QCOMPARE(m_http->get(QStringLiteral("/healthz")).status, 200);  // others are served meanwhile
    // ... and the staller is dropped once idle for the configured 1.5 s.
    QTRY_VERIFY_WITH_TIMEOUT(staller.state() == QAbstractSocket::UnconnectedState || !staller.waitForReadyRead(100), 6000);
    QTRY_COMPARE_WITH_TIMEOUT(staller.state(), QAbstractSocket::UnconnectedState, 6000);
}

void tst_WorkedExample::decisionsAreAudited()
{
    const HttpResult audit = m_http->get(QStringLiteral("/v1/audit?execution=") + executionOf(m_supportToken), m_gateway->key(QStringLiteral("auditor")));
    QCOMPARE(audit.status, 200);
    const QJsonArray records = audit.json().value(QStringLiteral("items")).toArray();
    int decisions = 0;
    int forwards = 0;
    for (const QJsonValue &record : records) {
        const QString type = record.toObject().value(QStringLiteral("mandate.event.type")).toString();
        decisions += type == QLatin1String("decision");
        forwards += type == QLatin1String("forward");
    }
    QVERIFY2(decisions >= 10, qPrintable(QString::number(decisions)));
    QCOMPARE(forwards, 6);
    const HttpResult verify = m_http->send("POST", QStringLiteral("/v1/audit/verify"), {}, {{"Authorization", "Bearer " + m_admin}});
    QCOMPARE(verify.status, 200);
}

void tst_WorkedExample::eventStreamCarriesDecisions()
{
    QWebSocket unauthenticated;
    QSignalSpy closed(&unauthenticated, &QWebSocket::disconnected);
    QUrl url = m_gateway->url();
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QStringLiteral("/v1/events"));
    unauthenticated.open(url);
    QVERIFY(closed.wait(5000));  // no key: closed by the gateway

    QWebSocket socket;
    QStringList messages;
    connect(&socket, &QWebSocket::textMessageReceived, this, [&messages](const QString &message) { messages << message; });
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_gateway->key(QStringLiteral("auditor")));
    socket.open(request);
    QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), 5000);
    QCOMPARE(QJsonDocument::fromJson(messages.first().toUtf8()).object().value(QStringLiteral("type")).toString(), QStringLiteral("hello"));

    const QByteArray token = rootToken(QStringLiteral("ticket:read"),
                                       {{QStringLiteral("calls"), 3}, {QStringLiteral("tokens"), 10}, {QStringLiteral("amount"), QStringLiteral("0")}});
    QVERIFY(!token.isEmpty());
    QCOMPARE(tool(token, "GET", QStringLiteral("/v1/tools/ticket/tickets/T-1004")).status, 200);
    const auto sawDecision = [&messages, this, &token]() {
        for (const QString &message : std::as_const(messages)) {
            const QJsonObject event = QJsonDocument::fromJson(message.toUtf8()).object();
            if (event.value(QStringLiteral("type")) == QLatin1String("decision")
                && event.value(QStringLiteral("execution")).toString() == executionOf(token))
                return event.value(QStringLiteral("decision")).toString() == QLatin1String("allow");
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(sawDecision(), 5000);
    socket.close();
}

QTEST_GUILESS_MAIN(tst_WorkedExample)
#include "tst_worked_example.moc"
