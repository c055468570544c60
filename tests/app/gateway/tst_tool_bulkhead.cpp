// SPDX-License-Identifier: Apache-2.0
// One tool's stalled upstream must not stop the calls to the other tools: a gateway admits at
// most --tool-calls-in-flight calls to one tool at once and answers more with 503 at once,
// without charging or recording them, while the other tools are served.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace mandate;
using namespace mandate::testing;

namespace {

/// An upstream that holds every request under /stall until release(), and answers the others
/// (and, once released, all) at once.
class StallingUpstream : public QObject
{
public:
    StallingUpstream()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QString base(const char *path) const { return QStringLiteral("http://127.0.0.1:%1/%2").arg(m_server.serverPort()).arg(QLatin1String(path)); }
    int held() const { return int(m_held.size()); }
    void release()
    {
        m_released = true;
        for (QTcpSocket *socket : std::as_const(m_held))
            answer(socket);
        m_held.clear();
    }

private:
    void read(QTcpSocket *socket)
    {
        const QByteArray request = socket->property("request").toByteArray() + socket->readAll();
        socket->setProperty("request", request);
        if (completeHttpMessageSize(request) < 0)
            return;
        if (request.contains(" /stall/") && !m_released)
            m_held.append(socket);
        else
            answer(socket);
    }
    static void answer(QTcpSocket *socket)
    {
        const QByteArray body = R"({"ok":true})";
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                      + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<QTcpSocket *> m_held;
    bool m_released = false;
};

} // namespace

class tst_ToolBulkhead final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void stalledToolDoesNotStopTheOthers();

private:
    qint64 usedCalls();
    QByteArray rawToolCall(QTcpSocket &socket, const QByteArray &target);

    StallingUpstream m_upstream;
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QByteArray m_token;
    QString m_execution;
};

void tst_ToolBulkhead::initTestCase()
{
    QVERIFY(m_upstream.listen());
    m_gateway = std::make_unique<GatewayProcess>(
        QStringLiteral(MANDATED_PATH), QStringList{QStringLiteral("--tool-calls-in-flight"), QStringLiteral("2"), QStringLiteral("--tool-workers"),
                                                   QStringLiteral("4"), QStringLiteral("--upstream-timeout-ms"), QStringLiteral("30000")});
    QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QCOMPARE(m_http->pointToolAt(m_admin, QStringLiteral("ticket"), m_upstream.base("stall")), 200);
    QCOMPARE(m_http->pointToolAt(m_admin, QStringLiteral("refund"), m_upstream.base("fast")), 200);
    DemoExchange exchange;
    exchange.scope = QStringLiteral("ticket:read refund:create");
    m_token = exchangeDemoToken(*m_gateway, *m_http, exchange);
    QVERIFY(!m_token.isEmpty());
    const QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(m_token.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
    m_execution = claims.value(QStringLiteral("authorization_details")).toArray().first().toObject().value(QStringLiteral("execution")).toString();
    QVERIFY(!m_execution.isEmpty());
}

qint64 tst_ToolBulkhead::usedCalls()
{
    return m_http->get(QStringLiteral("/v1/executions/") + m_execution, m_admin).json().value(QStringLiteral("used")).toObject()
        .value(QStringLiteral("calls")).toInteger(-1);
}

QByteArray tst_ToolBulkhead::rawToolCall(QTcpSocket &socket, const QByteArray &target)
{
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_gateway->url().port()));
    if (!socket.waitForConnected(5000))
        return "not connected";
    socket.write("GET " + target + " HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nAuthorization: Bearer " + m_token + "\r\n\r\n");
    socket.flush();
    return {};
}

void tst_ToolBulkhead::stalledToolDoesNotStopTheOthers()
{
    // Two calls to the ticket tool reach its upstream, which does not answer: the tool's bound.
    QTcpSocket first;
    QTcpSocket second;
    QCOMPARE(rawToolCall(first, "/v1/tools/ticket/tickets/T-1"), QByteArray());
    QCOMPARE(rawToolCall(second, "/v1/tools/ticket/tickets/T-2"), QByteArray());
    QVERIFY(QTest::qWaitFor([this] { return m_upstream.held() == 2; }, 10000));
    QCOMPARE(usedCalls(), 2);

    // A third is refused at once: not charged, not forwarded.
    const HttpResult busy = m_http->get(QStringLiteral("/v1/tools/ticket/tickets/T-3"), m_token);
    QCOMPARE(busy.status, 503);
    QCOMPARE(busy.header("Content-Type"), QByteArray("application/problem+json"));
    QCOMPARE(busy.header("Retry-After"), QByteArray("1"));
    QVERIFY2(busy.json().value(QStringLiteral("detail")).toString().contains(QLatin1String("\"ticket\"")), busy.body.constData());
    QCOMPARE(usedCalls(), 2);
    QCOMPARE(m_upstream.held(), 2);

    // Another tool is served meanwhile, on the workers the stalled tool could not take.
    for (int i = 0; i < 3; ++i) {
        const HttpResult refund = m_http->postJson(QStringLiteral("/v1/tools/refund/refunds"), R"({"amount":"10.00"})", m_token);
        QCOMPARE(refund.status, 200);
        QCOMPARE(refund.json().value(QStringLiteral("ok")).toBool(), true);
    }
    QCOMPARE(usedCalls(), 5);
    QVERIFY(m_http->get(QStringLiteral("/metrics")).body.contains("\nmandate_tool_calls_shed_total 1\n"));

    // Once its upstream answers, the stalled calls complete and the tool is admitted again.
    m_upstream.release();
    for (QTcpSocket *socket : {&first, &second}) {
        QVERIFY(QTest::qWaitFor([socket] { return socket->bytesAvailable() > 0 && socket->peek(12).startsWith("HTTP/1.1 200"); }, 10000));
    }
    const HttpResult again = m_http->get(QStringLiteral("/v1/tools/ticket/tickets/T-4"), m_token);
    QCOMPARE(again.status, 200);
    QCOMPARE(usedCalls(), 6);
}

QTEST_MAIN(tst_ToolBulkhead)
#include "tst_tool_bulkhead.moc"
