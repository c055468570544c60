// SPDX-License-Identifier: Apache-2.0
// What the upstream of a tool call receives is exactly what the policy authorised: the path is
// rebuilt from the values the route matched (each percent-encoded whole), arguments that
// contradict the path and repeated query parameters are refused, a query string is refused with
// a body, and the forwarded query carries the authorised items only. Requests are written to
// the gateway as raw bytes, and the upstream records the request line it gets. The upstream is
// called with the tool's credential, never with the agent's token.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QScopeGuard>
#include <QTest>

#include <memory>
#include <optional>

using namespace mandate;
using namespace mandate::testing;

namespace {

/// The status and body of a raw HTTP/1.1 exchange on one connection.
struct RawAnswer
{
    int status = 0;
    QByteArray body;
};

/// One upstream: answers every request with {"ok":true}, and records its request line and body.
class RecordingUpstream : public QObject
{
public:
    RecordingUpstream()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }
    QByteArrayList targets;  ///< "GET /base/tickets/T-1"
    QByteArrayList heads;    ///< the header lines, lower-cased names
    QByteArrayList bodies;

private:
    void read(QTcpSocket *socket)
    {
        QByteArray request = socket->property("request").toByteArray() + socket->readAll();
        socket->setProperty("request", request);
        const qsizetype size = completeHttpMessageSize(request);
        if (size < 0)
            return;
        const qsizetype headEnd = request.indexOf("\r\n\r\n");
        const QByteArray requestLine = request.left(request.indexOf("\r\n"));
        targets << requestLine.left(requestLine.lastIndexOf(' '));
        heads << request.left(headEnd);
        bodies << request.mid(headEnd + 4, size - headEnd - 4);
        // A target ending in /echo is answered with the request's head, as debug endpoints do.
        const QByteArray body = targets.last().endsWith("/echo")
                                    ? QJsonDocument(QJsonObject{{QStringLiteral("head"), QString::fromLatin1(heads.last())}}).toJson(QJsonDocument::Compact)
                                    : QByteArray(R"({"ok":true})");
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                      + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
};

} // namespace

class tst_ToolRequestPath final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void pathValuesReachTheUpstreamAsTheyWereAuthorised_data();
    void pathValuesReachTheUpstreamAsTheyWereAuthorised();
    void refusedRequests_data();
    void refusedRequests();
    void forwardedQueryIsTheAuthorisedItems();
    void traceContextIsPassedOn();
    void toolsThatMustBeInspectedAreNotCalled();
    void pathsAndQueriesMustBeUtf8();
    void upstreamGetsTheToolsCredentialNotTheAgents();

private:
    RawAnswer raw(const QByteArray &method, const QByteArray &target, const QByteArray &body = {}, const QByteArray &extraHeaders = {});

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    RecordingUpstream m_upstream;
    QByteArray m_token;
};

void tst_ToolRequestPath::initTestCase()
{
    QVERIFY(m_upstream.listen());
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH));
    QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    // The ticket tool, on the recording upstream under a base path.
    const QByteArray admin = m_gateway->key(QStringLiteral("admin"));
    QCOMPARE(m_http->pointToolAt(admin, QStringLiteral("ticket"), QStringLiteral("http://127.0.0.1:%1/base").arg(m_upstream.port())), 200);
    DemoExchange exchange;
    exchange.scope = QStringLiteral("ticket:read ticket:update");
    // Room for the many refusals below, each of which adds to the execution's risk score.
    exchange.authorizationDetails = {{QStringLiteral("type"), QStringLiteral("agent_execution")},
                                     {QStringLiteral("purpose"), QStringLiteral("request path checks")},
                                     {QStringLiteral("risk_ceiling"), 100}};
    m_token = exchangeDemoToken(*m_gateway, *m_http, exchange);
    QVERIFY(!m_token.isEmpty());
}

RawAnswer tst_ToolRequestPath::raw(const QByteArray &method, const QByteArray &target, const QByteArray &body, const QByteArray &extraHeaders)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_gateway->url().port()));
    if (!socket.waitForConnected(5000))
        return {};
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nAuthorization: Bearer " + m_token
                         + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extraHeaders;
    if (!body.isEmpty())
        request += "Content-Type: application/json\r\n";
    socket.write(request + "\r\n" + body);
    QByteArray response;
    // The upstream runs on this thread's event loop: wait by processing events, until the whole
    // answer is in (the gateway keeps the connection open).
    if (!QTest::qWaitFor([&] { response += socket.readAll(); return completeHttpMessageSize(response) >= 0; }, 10000))
        return {};
    RawAnswer answer;
    answer.status = response.mid(9, 3).toInt();
    answer.body = response.mid(response.indexOf("\r\n\r\n") + 4);
    return answer;
}

void tst_ToolRequestPath::pathValuesReachTheUpstreamAsTheyWereAuthorised_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("upstream");

    QTest::addRow("plain") << QByteArray("/v1/tools/ticket/tickets/T-1") << QByteArray("GET /base/tickets/T-1");
    // The policy sees "%41": the upstream must decode the same, not "A".
    QTest::addRow("percent sign") << QByteArray("/v1/tools/ticket/tickets/%2541") << QByteArray("GET /base/tickets/%2541");
    QTest::addRow("number sign stays in the id") << QByteArray("/v1/tools/ticket/tickets/T-1%23frag") << QByteArray("GET /base/tickets/T-1%23frag");
    QTest::addRow("question mark stays in the id") << QByteArray("/v1/tools/ticket/tickets/T-1%3Fadmin=1")
                                                   << QByteArray("GET /base/tickets/T-1%3Fadmin%3D1");
    QTest::addRow("encoded slashes stay in the id") << QByteArray("/v1/tools/ticket/tickets/%252e%252e%252fadmin")
                                                    << QByteArray("GET /base/tickets/%252e%252e%252fadmin");
    QTest::addRow("space and plus") << QByteArray("/v1/tools/ticket/tickets/T%201+2") << QByteArray("GET /base/tickets/T%201%2B2");
}

void tst_ToolRequestPath::pathValuesReachTheUpstreamAsTheyWereAuthorised()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, upstream);
    m_upstream.targets.clear();
    const RawAnswer answer = raw("GET", target);
    QVERIFY2(answer.status == 200, answer.body.constData());
    QCOMPARE(m_upstream.targets, QByteArrayList{upstream});
}

void tst_ToolRequestPath::refusedRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("detail");

    // Dot segments would move the upstream's path: no route matches them.
    QTest::addRow("dot-dot") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/..") << QByteArray() << 404 << QStringLiteral("has no action");
    QTest::addRow("encoded dot-dot") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/%2e%2e") << QByteArray() << 404
                                     << QStringLiteral("has no action");
    QTest::addRow("dot") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/%2E") << QByteArray() << 404 << QStringLiteral("has no action");
    QTest::addRow("control character") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/T%0A1") << QByteArray() << 404
                                       << QStringLiteral("has no action");
    // What some upstreams read as a dot segment: a backslash, full-width dots, trailing dots and blanks.
    QTest::addRow("backslash") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/..%5Cadmin") << QByteArray() << 404
                               << QStringLiteral("has no action");
    QTest::addRow("full-width dots") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/%EF%BC%8E%EF%BC%8E") << QByteArray()
                                     << 404 << QStringLiteral("has no action");
    QTest::addRow("dots and a blank") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/..%20") << QByteArray() << 404
                                      << QStringLiteral("has no action");
    QTest::addRow("three dots") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/...") << QByteArray() << 404
                                << QStringLiteral("has no action");
    // The policy would see one id and the upstream act on another.
    QTest::addRow("query contradicts the path") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/T-9?id=T-1") << QByteArray()
                                                << 400 << QStringLiteral("disagrees with the path");
    QTest::addRow("body contradicts the path") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-9")
                                               << QByteArray(R"({"id":"T-1","status":"open"})") << 400 << QStringLiteral("disagrees with the path");
    QTest::addRow("repeated query parameter") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/T-1?note=a&note=b") << QByteArray()
                                              << 400 << QStringLiteral("more than once");
    // Many servers match names without regard to case and keep the last: the policy would check
    // one value and the upstream use another.
    QTest::addRow("query names differing in case") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/T-1?note=a&NOTE=b")
                                                   << QByteArray() << 400 << QStringLiteral("more than once");
    QTest::addRow("query parameter without a name") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/T-1?=x") << QByteArray()
                                                    << 400 << QStringLiteral("has no name");
    QTest::addRow("body names differing in case") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                                  << QByteArray(R"({"status":"open","STATUS":"deleted"})") << 400
                                                  << QStringLiteral("differ only in case");
    QTest::addRow("body names equal under case folding") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                                         << QByteArray("{\"status\":\"open\",\"\xC5\xBFtatus\":\"deleted\"}") << 400
                                                         << QStringLiteral("differ only in case");
    QTest::addRow("nested names differing in case") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                                    << QByteArray(R"({"status":"open","note":[{"a":1,"A":2}]})") << 400
                                                    << QStringLiteral("differ only in case");
    QTest::addRow("path parameter spelled otherwise") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                                      << QByteArray(R"({"status":"open","ID":"T-2"})") << 400
                                                      << QStringLiteral("spelled otherwise");
    // The arguments are plain data: what Cedar would read as typed, or C as ended, is refused.
    QTest::addRow("entity escape in the body") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                               << QByteArray(R"({"status":{"__entity":{"type":"User","id":"alice"}}})") << 400
                                               << QStringLiteral("\"status.__entity\" is Cedar's escape");
    QTest::addRow("NUL in a body value") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                         << QByteArray(R"({"status":"open\u0000closed"})") << 400 << QStringLiteral("contains U+0000");
    QTest::addRow("NUL in a query value") << QByteArray("GET") << QByteArray("/v1/tools/ticket/tickets/T-1?note=a%00b") << QByteArray()
                                          << 400 << QStringLiteral("contains U+0000");
    // A body that is not a JSON object is a refused call too: audited, with a decision id.
    QTest::addRow("malformed JSON body") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                         << QByteArray(R"({"status":)") << 400 << QStringLiteral("request body:");
    QTest::addRow("body not an object") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1")
                                        << QByteArray("[1]") << 400 << QStringLiteral("must be a JSON object");
    QTest::addRow("authorize: malformed JSON") << QByteArray("POST") << QByteArray("/v1/authorize") << QByteArray(R"({"action":)")
                                               << 400 << QStringLiteral("request body:");
    QTest::addRow("authorize: no action") << QByteArray("POST") << QByteArray("/v1/authorize") << QByteArray(R"({"args":{}})")
                                          << 400 << QStringLiteral("expected {");
    QTest::addRow("authorize: not a tool") << QByteArray("POST") << QByteArray("/v1/authorize")
                                           << QByteArray(R"({"action":"ticket:read","resource":{"type":"User","id":"x"}})") << 400
                                           << QStringLiteral("must be a Tool");
    QTest::addRow("authorize: escape in the arguments") << QByteArray("POST") << QByteArray("/v1/authorize")
                                                        << QByteArray(R"({"action":"ticket:read","args":{"id":{"__entity":{"type":"User","id":"x"}}}})")
                                                        << 400 << QStringLiteral("Cedar's escape");
    // Not authorised, and frameworks that merge query and body would act on it.
    QTest::addRow("query with a body") << QByteArray("PUT") << QByteArray("/v1/tools/ticket/tickets/T-1?status=deleted")
                                       << QByteArray(R"({"status":"open"})") << 400 << QStringLiteral("query string is not accepted");
}

void tst_ToolRequestPath::refusedRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, detail);
    m_upstream.targets.clear();
    const RawAnswer answer = raw(method, target, body);
    QVERIFY2(answer.status == status, answer.body.constData());
    const QJsonObject problem = QJsonDocument::fromJson(answer.body).object();
    QCOMPARE(problem.value(QStringLiteral("decision")).toString(), QStringLiteral("deny"));
    QVERIFY2(problem.value(QStringLiteral("detail")).toString().contains(detail), answer.body.constData());
    QVERIFY(!problem.value(QStringLiteral("decision_id")).toString().isEmpty());  // audited like any denial
    QVERIFY(m_upstream.targets.isEmpty());
}

void tst_ToolRequestPath::forwardedQueryIsTheAuthorisedItems()
{
    // The query is forwarded as the items the policy saw, each encoded: a "+" stays a plus for
    // an upstream that decodes form-style, and a path id agreeing with the query is accepted.
    m_upstream.targets.clear();
    const RawAnswer answer = raw("GET", "/v1/tools/ticket/tickets/T-1?id=T-1&note=a+b%20c");
    QVERIFY2(answer.status == 200, answer.body.constData());
    QCOMPARE(m_upstream.targets, QByteArrayList{"GET /base/tickets/T-1?id=T-1&note=a%2Bb%20c"});

    // A PUT's body reaches the upstream as the agent wrote it: not re-encoded (large integers
    // would lose digits), and without the path's parameters mixed in.
    m_upstream.targets.clear();
    m_upstream.bodies.clear();
    const QByteArray body = R"({ "status": "open", "note": "9007199254740993" })";
    const RawAnswer put = raw("PUT", "/v1/tools/ticket/tickets/T-1", body);
    QVERIFY2(put.status == 200, put.body.constData());
    QCOMPARE(m_upstream.targets, QByteArrayList{"PUT /base/tickets/T-1"});
    QCOMPARE(m_upstream.bodies.value(0), body);
}

void tst_ToolRequestPath::traceContextIsPassedOn()
{
    // The caller's trace id and sampling decision, and its vendors' trace state, go upstream;
    // the span id is the gateway's own.
    m_upstream.heads.clear();
    const RawAnswer answer = raw("GET", "/v1/tools/ticket/tickets/T-1", {},
                                 "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00\r\ntracestate: vendor=abc,other=1\r\n");
    QVERIFY2(answer.status == 200, answer.body.constData());
    QCOMPARE(m_upstream.heads.size(), 1);
    QByteArray traceparent;
    QByteArray tracestate;
    for (const QByteArray &line : m_upstream.heads.first().split('\n')) {
        const QByteArray lower = line.trimmed().toLower();
        if (lower.startsWith("traceparent:"))
            traceparent = line.trimmed().mid(12).trimmed();
        if (lower.startsWith("tracestate:"))
            tracestate = line.trimmed().mid(11).trimmed();
    }
    QVERIFY2(traceparent.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"), traceparent.constData());
    QVERIFY(!traceparent.contains("00f067aa0ba902b7"));
    QVERIFY2(traceparent.endsWith("-00"), traceparent.constData());  // not sampled, as the caller said
    QCOMPARE(tracestate, QByteArray("vendor=abc,other=1"));

    // With the caller's traceparent invalid, or the list malformed, no tracestate goes on.
    for (const QByteArray &headers : {QByteArray("traceparent: garbage\r\ntracestate: vendor=abc\r\n"),
                                      QByteArray("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
                                                 "tracestate: Vendor=abc\r\n")}) {
        m_upstream.heads.clear();
        QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-1", {}, headers).status, 200);
        QCOMPARE(m_upstream.heads.size(), 1);
        QVERIFY2(!m_upstream.heads.first().toLower().contains("tracestate"), m_upstream.heads.first().constData());
    }
}

void tst_ToolRequestPath::toolsThatMustBeInspectedAreNotCalled()
{
    // A tool whose flagged responses are withheld (block) or redacted, and this gateway has no
    // response inspector: the call is refused instead of forwarded unexamined.
    const QByteArray admin = m_gateway->key(QStringLiteral("admin"));
    const auto setInspection = [&](const QString &mode) {
        const HttpResult current = m_http->get(QStringLiteral("/v1/tools/ticket"), admin);
        QJsonObject tool = current.json();
        tool.insert(QStringLiteral("inspection"), mode);
        return m_http->send("PUT", QStringLiteral("/v1/tools/ticket"), QJsonDocument(tool).toJson(),
                            {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}, {"If-Match", current.header("ETag")}})
            .status;
    };
    std::optional<QJsonObject> first;
    for (const QString &mode : {QStringLiteral("block"), QStringLiteral("redact")}) {
        QCOMPARE(setInspection(mode), 200);
        m_upstream.targets.clear();
        const RawAnswer answer = raw("GET", "/v1/tools/ticket/tickets/T-1");
        QVERIFY2(answer.status == 503, answer.body.constData());
        QVERIFY2(answer.body.contains("requires response inspection"), answer.body.constData());
        QVERIFY(m_upstream.targets.isEmpty());
        const QJsonObject problem = QJsonDocument::fromJson(answer.body).object();
        QVERIFY(!problem.value(QStringLiteral("decision_id")).toString().isEmpty());  // audited
        QCOMPARE(problem.value(QStringLiteral("step")).toString(), QStringLiteral("request"));
        QVERIFY2(problem.value(QStringLiteral("budget")).isObject(), answer.body.constData());
        // Refused before the decision: the call costs the execution no budget, and the
        // gateway's shortcoming adds nothing to its risk score.
        if (first) {
            QCOMPARE(problem.value(QStringLiteral("budget")), first->value(QStringLiteral("budget")));
            QCOMPARE(problem.value(QStringLiteral("risk")), first->value(QStringLiteral("risk")));
        }
        first = problem;
    }
    // Flagging only records: the call goes through.
    QCOMPARE(setInspection(QStringLiteral("flag")), 200);
    QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-1").status, 200);
}

void tst_ToolRequestPath::pathsAndQueriesMustBeUtf8()
{
    // Decoded into U+FFFD, %FF and %FE would both name the same id: refused before anything else.
    for (const QByteArray &target : {QByteArray("/v1/tools/ticket/tickets/%FF"), QByteArray("/v1/tools/ticket/tickets/T-1?note=%FF%FE"),
                                     QByteArray("/v1/tools/ticket/tickets/%C3")}) {
        m_upstream.targets.clear();
        const RawAnswer answer = raw("GET", target);
        QVERIFY2(answer.status == 400, answer.body.constData());
        QVERIFY2(answer.body.contains("not UTF-8"), answer.body.constData());
        QVERIFY(m_upstream.targets.isEmpty());
    }
    QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-%C3%A9").status, 200);  // é, valid UTF-8
}

namespace {

/// The value of header `name` in a recorded head, or a null array.
QByteArray headerIn(const QByteArray &head, const QByteArray &name)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

} // namespace

void tst_ToolRequestPath::upstreamGetsTheToolsCredentialNotTheAgents()
{
    const QByteArray admin = m_gateway->key(QStringLiteral("admin"));
    const QDir credentials(QDir(m_gateway->dataDir()).filePath(QStringLiteral("upstream-credentials")));
    // The demo tools are called with the demo credential, which the demo writes at start.
    QFile demo(credentials.filePath(QStringLiteral("demo-api")));
    QVERIFY(demo.open(QIODevice::ReadOnly));
    const QByteArray demoLine = demo.readAll().trimmed();
    QCOMPARE(demo.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    QVERIFY2(demoLine.startsWith("Authorization: Bearer ") && demoLine.size() > 40, demoLine.constData());
    const QByteArray demoToken = demoLine.mid(qsizetype(sizeof "Authorization: Bearer") );
    qsizetype seen = m_upstream.heads.size();
    QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-1").status, 200);
    QCOMPARE(m_upstream.heads.size(), seen + 1);
    QCOMPARE(headerIn(m_upstream.heads.last(), "authorization"), "Bearer " + demoToken);
    QVERIFY(!m_upstream.heads.last().contains(m_token));

    // A credential of the tool's own: its header, and no Authorization at all.
    const QByteArray secret = "sk-live-51c0e7a2d94b";
    const QString file = credentials.filePath(QStringLiteral("ticket-key"));
    {
        QFile key(file);
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write("X-Api-Key: " + secret + '\n');
        key.close();
        QVERIFY(key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    }
    const QString upstream = QStringLiteral("http://127.0.0.1:%1/base").arg(m_upstream.port());
    // Whatever happens below, the tool goes back to the demo credential for any test after this one.
    auto restore = qScopeGuard([&] {
        m_http->pointToolAt(admin, QStringLiteral("ticket"), upstream, {{QStringLiteral("upstreamCredential"), QStringLiteral("demo-api")}});
    });
    QCOMPARE(m_http->pointToolAt(admin, QStringLiteral("ticket"), upstream, {{QStringLiteral("upstreamCredential"), QStringLiteral("ticket-key")}}), 200);
    seen = m_upstream.heads.size();
    // The agent's own X-Api-Key goes nowhere: the upstream sees the credential's, once.
    QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-2", {}, "X-Api-Key: agent-made-up\r\n").status, 200);
    QCOMPARE(m_upstream.heads.size(), seen + 1);
    QCOMPARE(headerIn(m_upstream.heads.last(), "x-api-key"), secret);
    QCOMPARE(m_upstream.heads.last().count("X-Api-Key:"), 1);
    QVERIFY(!m_upstream.heads.last().contains("agent-made-up"));
    QVERIFY(headerIn(m_upstream.heads.last(), "authorization").isNull());

    // An upstream that echoes its request does not hand the agent the secret.
    const RawAnswer echoed = raw("GET", "/v1/tools/ticket/tickets/echo");
    QCOMPARE(echoed.status, 200);
    QVERIFY2(m_upstream.heads.last().contains(secret), m_upstream.heads.last().constData());
    QVERIFY2(!echoed.body.contains(secret) && echoed.body.contains("[credential redacted by Mandate]"), echoed.body.constData());
    seen = m_upstream.heads.size();

    // Bound to another origin, it is not sent here (a tool pointed elsewhere cannot carry it away).
    {
        QFile key(file);
        QVERIFY(key.open(QIODevice::WriteOnly | QIODevice::Truncate));
        key.write("X-Api-Key: " + secret + "\nupstream https://billing.example\n");
    }
    const RawAnswer elsewhere = raw("GET", "/v1/tools/ticket/tickets/T-2");
    QCOMPARE(elsewhere.status, 503);
    QCOMPARE(m_upstream.heads.size(), seen);
    QVERIFY2(elsewhere.body.contains(R"("step":"request")"), elsewhere.body.constData());
    // Bound to this origin, it is.
    {
        QFile key(file);
        QVERIFY(key.open(QIODevice::WriteOnly | QIODevice::Truncate));
        key.write("X-Api-Key: " + secret + "\nupstream https://billing.example\nupstream " + upstream.left(upstream.lastIndexOf(u'/')).toUtf8() + '\n');
    }
    QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-2").status, 200);
    QCOMPARE(m_upstream.heads.size(), ++seen);

    // A credential the gateway may not use: refused before it is sent, and nothing told of it
    // but its name.
    QVERIFY(QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    const RawAnswer refused = raw("GET", "/v1/tools/ticket/tickets/T-3");
    QCOMPARE(refused.status, 503);
    QCOMPARE(m_upstream.heads.size(), seen);
    QVERIFY2(refused.body.contains(R"(\"ticket-key\")") && refused.body.contains("cannot present"), refused.body.constData());
    QVERIFY2(!refused.body.contains(m_gateway->dataDir().toUtf8()), refused.body.constData());
    QVERIFY(QFile::remove(file));
    QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-3").status, 503);
    QCOMPARE(m_upstream.heads.size(), seen);

    // The forward's record names the credential it was sent with, and no record holds a secret.
    const HttpResult records = m_http->get(QStringLiteral("/v1/audit?tool=ticket&event=forward&limit=500"), admin);
    QCOMPARE(records.status, 200);
    QVERIFY(!records.body.contains(secret));
    QVERIFY(!records.body.contains(demoToken));
    QVERIFY2(records.body.contains(R"("mandate.upstream.credential":"ticket-key")"), records.body.left(2000).constData());
    QVERIFY(records.body.contains(R"("mandate.upstream.credential_echoed":true)"));

    // Back to the demo credential.
    restore.dismiss();
    QCOMPARE(m_http->pointToolAt(admin, QStringLiteral("ticket"), upstream, {{QStringLiteral("upstreamCredential"), QStringLiteral("demo-api")}}), 200);
    QCOMPARE(raw("GET", "/v1/tools/ticket/tickets/T-4").status, 200);

    // The log said why the calls were refused, naming the file, never its contents.
    m_gateway->stop();
    const QByteArray log = m_gateway->output();
    QVERIFY2(log.contains("ticket-key") && log.contains("accessible by group or others") && log.contains("bound to https://billing.example:443"),
             log.right(3000).constData());
    QVERIFY(!log.contains(secret));
    QVERIFY(!log.contains(demoToken));
}

QTEST_GUILESS_MAIN(tst_ToolRequestPath)
#include "tst_tool_request_path.moc"
