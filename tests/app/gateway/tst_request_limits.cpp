// SPDX-License-Identifier: Apache-2.0
// Request framing and limits over raw sockets (issue #5): a body announced over the limit, or
// sent without a Content-Length, is refused before the gateway buffers it; oversized headers
// get 431, malformed framing 400, a request trickling in slower than the deadline 408; the
// gateway's memory stays flat while a client streams 300 MB at it; refusals come after the
// answers to earlier requests, and pipelined or keep-alive requests under the limits are
// served in order.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;

namespace {

constexpr qint64 kMaxBody = 1 << 20;  // the gateway's default
constexpr int kIdleTimeoutMs = 2000;

/// The gateway's peak resident memory so far, in kB (VmHWM).
qint64 peakMemoryKb(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

/// Reads until the peer closes or `timeoutMs` pass.
QByteArray readUntilClosed(QTcpSocket &socket, int timeoutMs = 10000)
{
    QByteArray received;
    QElapsedTimer elapsed;
    elapsed.start();
    while (socket.state() == QAbstractSocket::ConnectedState && elapsed.elapsed() < timeoutMs) {
        if (socket.waitForReadyRead(100))
            received += socket.readAll();
    }
    return received + socket.readAll();
}

/// The statuses of every response in `bytes`, in order.
QList<int> statuses(const QByteArray &bytes)
{
    QList<int> found;
    for (qsizetype at = bytes.indexOf("HTTP/1.1 "); at >= 0; at = bytes.indexOf("HTTP/1.1 ", at + 1))
        found.append(bytes.mid(at + 9, 3).toInt());
    return found;
}

QByteArray authorizeRequest(qsizetype bodyBytes)
{
    // Valid JSON of the given size; no token, so the gateway answers 401 once it has it all.
    QByteArray body = R"({"action":"ticket:read","pad":")";
    body += QByteArray(bodyBytes - body.size() - 2, 'x');
    body += "\"}";
    return "POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: "
           + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class tst_RequestLimits final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void announcedHugeBodyIsRefusedAtOnce();
    void streamedBodyIsCutOffWithoutBeingBuffered();
    void framingErrorsAreRefused_data();
    void framingErrorsAreRefused();
    void refusalComesAfterEarlierAnswers();
    void refusalBehindUntakenRequestsClosesWithoutAnswer();
    void slowRequestIsCutOff();
    void oversizedHeadersAreRefused();
    void pipelinedRequestsUnderTheLimitAreServed();
    void keepAliveRequestsEachHaveTheirAllowance();

private:
    bool connectRaw(QTcpSocket &socket);

    std::unique_ptr<GatewayProcess> m_gateway;
};

bool tst_RequestLimits::connectRaw(QTcpSocket &socket)
{
    socket.connectToHost(m_gateway->url().host(), quint16(m_gateway->url().port()));
    return socket.waitForConnected(5000);
}

void tst_RequestLimits::initTestCase()
{
    // Requests must arrive whole within two idle timeouts: 4 s here.
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH),
                                                 QStringList{QStringLiteral("--idle-timeout-ms"), QString::number(kIdleTimeoutMs)});
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
}

void tst_RequestLimits::cleanupTestCase()
{
    if (!m_gateway)
        return;
    HttpProbe http(m_gateway->url());
    QCOMPARE(http.get(QStringLiteral("/healthz")).status, 200);  // it went on serving throughout
    QCOMPARE(m_gateway->stop(), 0);
}

void tst_RequestLimits::announcedHugeBodyIsRefusedAtOnce()
{
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    socket.write("POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n");
    const QByteArray answer = readUntilClosed(socket);  // not one byte of the body was sent
    QCOMPARE(statuses(answer), QList<int>{413});
    const QJsonObject problem = QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
    QCOMPARE(problem.value(QStringLiteral("status")).toInt(), 413);
    QVERIFY(problem.value(QStringLiteral("detail")).toString().contains(QString::number(kMaxBody)));
    QVERIFY(answer.contains("Content-Type: application/problem+json"));
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void tst_RequestLimits::streamedBodyIsCutOffWithoutBeingBuffered()
{
    const qint64 before = peakMemoryKb(m_gateway->process().processId());
    QVERIFY(before > 0);
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    // A body without a Content-Length cannot be bounded before it is read: refused at its head.
    socket.write("POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    // 300 MB in 64 kB chunks, unless the gateway answers first.
    const QByteArray chunk = QByteArray::number(64 << 10, 16) + "\r\n" + QByteArray(64 << 10, ' ') + "\r\n";
    QByteArray answer;
    qint64 sent = 0;
    while (sent < 300LL << 20 && socket.state() == QAbstractSocket::ConnectedState && answer.isEmpty()) {
        socket.write(chunk);
        sent += chunk.size();
        if (socket.bytesToWrite() > 4 << 20)
            socket.waitForBytesWritten(1000);
        if (socket.bytesAvailable() > 0 || socket.waitForReadyRead(0))
            answer += socket.readAll();
    }
    answer += readUntilClosed(socket);
    QCOMPARE(statuses(answer), QList<int>{411});
    QVERIFY2(sent < 100LL << 20, qPrintable(QString::number(sent)));  // cut off long before the end
    const qint64 after = peakMemoryKb(m_gateway->process().processId());
    // Buffering the stream would have taken hundreds of MB; the limits allow about one.
    QVERIFY2(after - before < 64 * 1024, qPrintable(QStringLiteral("peak memory grew from %1 to %2 kB").arg(before).arg(after)));
}

void tst_RequestLimits::framingErrorsAreRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("empty lines, then a huge length") << QByteArray("\r\nPOST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Length: 2000000000\r\n\r\nx") << 413;
    QTest::newRow("length in hex") << QByteArray("POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Length: 0x10\r\n\r\n") << 400;
    QTest::newRow("two lengths") << QByteArray("POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}") << 400;
    QTest::newRow("length and chunked") << QByteArray("POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n") << 411;
    QTest::newRow("not a request line") << QByteArray("\x16\x03\x01 hello, TLS here\r\n\r\n") << 400;
    // Qt's parser would end this head at the bare LFs and reserve the announced 2 GiB.
    QTest::newRow("bare LFs and a huge length") << QByteArray("POST /v1/authorize HTTP/1.1\nHost: gw\nContent-Length: 2147483647\n\nx") << 400;
    QTest::newRow("folded length") << QByteArray("POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nX-A: b\r\n Content-Length: 100\r\n\r\n") << 400;
}

void tst_RequestLimits::framingErrorsAreRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    socket.write(request);
    const QByteArray answer = readUntilClosed(socket);
    QCOMPARE(statuses(answer), QList<int>{status});
    QVERIFY(answer.contains("application/problem+json"));
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void tst_RequestLimits::refusalComesAfterEarlierAnswers()
{
    // The first request's answer waits for its audit record; the refusal of the second, which
    // arrives meanwhile, must not overtake it.
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    socket.write(authorizeRequest(2 << 10));
    QVERIFY(socket.waitForBytesWritten(3000));
    QTest::qWait(50);  // taken by the front end before the next one arrives
    socket.write("POST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Length: 5000000000\r\n\r\n");
    const QByteArray answer = readUntilClosed(socket);
    QCOMPARE(statuses(answer), (QList<int>{401, 413}));
}

void tst_RequestLimits::refusalBehindUntakenRequestsClosesWithoutAnswer()
{
    // Both requests in one write: the guard refuses the second before the front end has taken
    // the first. An answer now would be taken for the first request's, so the connection is
    // closed instead, and the client knows neither was answered.
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    socket.write("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\nPOST /v1/authorize HTTP/1.1\r\nHost: gw\r\nContent-Length: 5000000000\r\n\r\n");
    const QByteArray answer = readUntilClosed(socket);
    QVERIFY2(statuses(answer).isEmpty() || statuses(answer) == QList<int>{200}, answer.left(300).constData());
    QVERIFY(!answer.contains("413"));
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void tst_RequestLimits::slowRequestIsCutOff()
{
    // One byte every 300 ms keeps the connection from ever being idle, but not forever.
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    const QByteArray head = "GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Slow: " + QByteArray(100, 's');
    QElapsedTimer elapsed;
    elapsed.start();
    QByteArray answer;
    for (qsizetype i = 0; i < head.size() && socket.state() == QAbstractSocket::ConnectedState && answer.isEmpty(); ++i) {
        socket.write(head.mid(i, 1));
        socket.waitForBytesWritten(1000);
        if (socket.waitForReadyRead(300))
            answer += socket.readAll();
    }
    answer += readUntilClosed(socket);
    QCOMPARE(statuses(answer), QList<int>{408});
    QVERIFY2(elapsed.elapsed() >= 2 * kIdleTimeoutMs, qPrintable(QString::number(elapsed.elapsed())));
}

void tst_RequestLimits::oversizedHeadersAreRefused()
{
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    socket.write("GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Padding: " + QByteArray(40 << 10, 'a') + "\r\n\r\n");
    const QByteArray answer = readUntilClosed(socket);
    QCOMPARE(statuses(answer), QList<int>{431});
    QVERIFY(answer.contains("32768"));
}

void tst_RequestLimits::pipelinedRequestsUnderTheLimitAreServed()
{
    // Three requests in one write, 1.8 MB together: each is framed and checked on its own, and
    // the answers come in order although the second one's waits for its audit record.
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    socket.write("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n" + authorizeRequest(900 << 10) + authorizeRequest(900 << 10)
                 + "GET /healthz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
    const QByteArray answer = readUntilClosed(socket);
    QCOMPARE(statuses(answer), (QList<int>{200, 401, 401, 200}));
}

void tst_RequestLimits::keepAliveRequestsEachHaveTheirAllowance()
{
    // Three 900 kB bodies on one connection: together over the limit, each one under it.
    QTcpSocket socket;
    QVERIFY(connectRaw(socket));
    QByteArray answers;
    for (int i = 0; i < 3; ++i) {
        socket.write(authorizeRequest(900 << 10));
        QElapsedTimer elapsed;
        elapsed.start();
        while (statuses(answers).size() <= i && elapsed.elapsed() < 10000 && socket.state() == QAbstractSocket::ConnectedState) {
            if (socket.waitForReadyRead(100))
                answers += socket.readAll();
        }
    }
    QCOMPARE(statuses(answers), (QList<int>{401, 401, 401}));
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

QTEST_GUILESS_MAIN(tst_RequestLimits)
#include "tst_request_limits.moc"
