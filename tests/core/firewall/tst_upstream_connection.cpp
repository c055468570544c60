// SPDX-License-Identifier: Apache-2.0
// The tool firewall's blocking HTTP/1.1 client against a scripted upstream: how answers are
// framed (length, chunks, end of connection), that a kept connection is reused, that the
// firewall's limits (size, redirects) hold, and that every malformed, hanging or absent
// upstream gets its own error and problem status.
#include "firewall/UpstreamConnection.h"

#include <QTcpServer>
#include <QTest>

#include <memory>
#include <thread>

#include <sys/socket.h>

using namespace mandate::firewall;

namespace {

/// Ends the connection with a TCP reset (SO_LINGER of zero), as the kernel of a crashed upstream does.
void resetConnection(QTcpSocket &socket)
{
    const linger abortive{1, 0};
    ::setsockopt(static_cast<int>(socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
    socket.abort();
}

/// Serves `answers` in order, one per request, on as few connections as the client uses;
/// records how many connections it accepted.
class ScriptedUpstream
{
public:
    explicit ScriptedUpstream(QList<QByteArray> answers) : m_answers(std::move(answers))
    {
        m_thread = std::thread([this]() { serve(); });
        while (m_port.load() == 0)
            std::this_thread::yield();
    }
    ~ScriptedUpstream() { m_thread.join(); }

    quint16 port() const { return m_port.load(); }
    int connections() const { return m_connections.load(); }

private:
    void serve()
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost);
        m_port = server.serverPort();
        qsizetype next = 0;
        while (next < m_answers.size() && server.waitForNewConnection(10000)) {
            QTcpSocket *socket = server.nextPendingConnection();
            ++m_connections;
            QByteArray received;
            while (next < m_answers.size() && socket->state() == QAbstractSocket::ConnectedState) {
                if (!received.contains("\r\n\r\n") && !socket->waitForReadyRead(10000))
                    break;
                received += socket->readAll();
                const qsizetype end = received.indexOf("\r\n\r\n");
                if (end < 0)
                    continue;
                received.remove(0, end + 4);  // the test's requests carry no body
                socket->write(m_answers.at(next++));
                socket->waitForBytesWritten(10000);
                if (m_answers.at(next - 1).contains("X-Then-Reset")) {
                    resetConnection(*socket);
                    break;
                }
                // "X-Then-Close" closes without saying so, as an upstream ending an idle connection does.
                if (m_answers.at(next - 1).contains("Connection: close") || m_answers.at(next - 1).contains("X-Then-Close")) {
                    socket->disconnectFromHost();
                    break;
                }
            }
            delete socket;
        }
    }

    QList<QByteArray> m_answers;
    std::thread m_thread;
    std::atomic<quint16> m_port = 0;
    std::atomic<int> m_connections = 0;
};

UpstreamResponse get(UpstreamConnection &connection, quint16 port, qsizetype maxBytes = 1024, int timeoutMs = 10000)
{
    UpstreamForwarder::Limits limits;
    limits.timeoutMs = timeoutMs;
    limits.maxResponseBytes = maxBytes;
    return connection.exchange("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/tickets/T-1?x=1").arg(port)), {},
                               {{"X-Mandate-Execution", "exe_1"}}, limits);
}

/// Accepts one connection and says nothing on it for `silenceMs`: an upstream that hangs.
class SilentUpstream
{
public:
    explicit SilentUpstream(int silenceMs)
    {
        m_thread = std::thread([this, silenceMs]() {
            QTcpServer server;
            server.listen(QHostAddress::LocalHost);
            m_port = server.serverPort();
            if (server.waitForNewConnection(10000)) {
                std::unique_ptr<QTcpSocket> socket(server.nextPendingConnection());
                std::this_thread::sleep_for(std::chrono::milliseconds(silenceMs));
            }
        });
        while (m_port.load() == 0)
            std::this_thread::yield();
    }
    ~SilentUpstream() { m_thread.join(); }
    quint16 port() const { return m_port.load(); }

private:
    std::thread m_thread;
    std::atomic<quint16> m_port = 0;
};

} // namespace

class tst_UpstreamConnection final : public QObject
{
    Q_OBJECT

private slots:
    void framingAndReuse();
    void closedIdleConnectionIsReplaced();
    void limits_data();
    void limits();
    void answerPassedOn_data();
    void answerPassedOn();
    void silentUpstreamTimesOut();
    void unreachableUpstream();
    void headerWithALineBreakIsNeverSent();
    void hostNameIsResolved();
    void hangingNameLookupTimesOut();
    void nameServerFailingForNowIsWorthRetrying_data();
    void nameServerFailingForNowIsWorthRetrying();
};

void tst_UpstreamConnection::framingAndReuse()
{
    ScriptedUpstream upstream({
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
    });
    UpstreamConnection connection;
    UpstreamResponse first = get(connection, upstream.port());
    QCOMPARE(first.status, 200);
    QCOMPARE(first.contentType, QByteArray("application/json"));
    QCOMPARE(first.body, QByteArray("{\"a\":1}"));
    UpstreamResponse chunked = get(connection, upstream.port());
    QCOMPARE(chunked.status, 201);
    QCOMPARE(chunked.body, QByteArray("abcde"));
    UpstreamResponse empty = get(connection, upstream.port());
    QCOMPARE(empty.status, 204);
    QVERIFY(empty.body.isEmpty());
    UpstreamResponse closing = get(connection, upstream.port());
    QCOMPARE(closing.status, 200);
    QCOMPARE(closing.body, QByteArray("until the end"));
    QCOMPARE(upstream.connections(), 1);  // all four on one kept connection
}

void tst_UpstreamConnection::closedIdleConnectionIsReplaced()
{
    ScriptedUpstream upstream({"HTTP/1.1 200 OK\r\nX-Then-Close: 1\r\nContent-Length: 3\r\n\r\none",
                               "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"});
    UpstreamConnection connection;
    QCOMPARE(get(connection, upstream.port()).body, QByteArray("one"));
    const UpstreamResponse second = get(connection, upstream.port());
    QVERIFY2(second.status == 200, qPrintable(second.error));
    QCOMPARE(second.body, QByteArray("two"));
    QCOMPARE(upstream.connections(), 2);
}

void tst_UpstreamConnection::limits_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("error");
    QTest::addRow("declared too large") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n") << QStringLiteral("exceeds 1024 bytes");
    QTest::addRow("chunks too large") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n")
                                      << QStringLiteral("exceeds 1024 bytes");
    QTest::addRow("redirect") << QByteArray("HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n")
                              << QStringLiteral("redirect (302)");
    QTest::addRow("not http") << QByteArray("SSH-2.0-OpenSSH\r\n\r\n") << QStringLiteral("not HTTP/1.x");
    QTest::addRow("cut short") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nabc")
                               << QStringLiteral("incomplete");
    QTest::addRow("header without a colon") << QByteArray("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")
                                            << QStringLiteral("malformed header");
    QTest::addRow("length not a number") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n")
                                         << QStringLiteral("invalid Content-Length");
    // Two lengths that disagree: the classic request-smuggling ambiguity, refused outright.
    QTest::addRow("lengths disagree") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
                                      << QStringLiteral("invalid Content-Length");
    QTest::addRow("headers too large") << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n")
                                       << QStringLiteral("too large");
    QTest::addRow("chunk size not hex") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n")
                                        << QStringLiteral("chunked body is malformed");
    QTest::addRow("status not a number") << QByteArray("HTTP/1.1 OK fine\r\n\r\n") << QStringLiteral("not HTTP/1.x");
    QTest::addRow("status with a sign") << QByteArray("HTTP/1.1 +200 OK\r\nContent-Length: 0\r\n\r\n") << QStringLiteral("not HTTP/1.x");
    QTest::addRow("status 600") << QByteArray("HTTP/1.1 600 Beyond\r\nContent-Length: 0\r\n\r\n") << QStringLiteral("status 600");
    QTest::addRow("status 999") << QByteArray("HTTP/1.1 999 Beyond\r\nContent-Length: 0\r\n\r\n") << QStringLiteral("status 999");
    // A size near 2^63 wrapped the size check around, and the body grew for as long as the upstream sent.
    QTest::addRow("chunk size overflows")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nA\r\n7fffffffffffffff\r\n" + QByteArray(4096, 'x'))
        << QStringLiteral("exceeds 1024 bytes");
    QTest::addRow("chunk size with a sign") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n")
                                            << QStringLiteral("chunked body is malformed");
    QTest::addRow("chunk size with 0x") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n")
                                        << QStringLiteral("chunked body is malformed");
    QTest::addRow("chunk size of 17 digits")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000003\r\nabc\r\n0\r\n\r\n")
        << QStringLiteral("chunked body is malformed");
    QTest::addRow("chunk size after a space") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 3\r\nabc\r\n0\r\n\r\n")
                                              << QStringLiteral("chunked body is malformed");
    // A bare CR or LF inside a field would reach the agent as a header line of the upstream's making.
    QTest::addRow("bare LF in a header")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\nX-Injected: lf\r\nContent-Length: 2\r\n\r\nok")
        << QStringLiteral("malformed header");
    QTest::addRow("bare CR in a header")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\rX-Injected: cr\r\nContent-Length: 2\r\n\r\nok")
        << QStringLiteral("malformed header");
    QTest::addRow("NUL in a header") << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json" + QByteArray(1, '\0')
                                                   + "X: nul\r\nContent-Length: 2\r\n\r\nok")
                                     << QStringLiteral("malformed header");
    QTest::addRow("whitespace before the colon") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok")
                                                 << QStringLiteral("malformed header");
    QTest::addRow("folded header line") << QByteArray("HTTP/1.1 200 OK\r\nX-Note: a\r\n\tX-More: b\r\nContent-Length: 2\r\n\r\nok")
                                        << QStringLiteral("malformed header");
    QTest::addRow("length with a sign") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok")
                                        << QStringLiteral("invalid Content-Length");
    QTest::addRow("length of minus zero") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -0\r\n\r\n")
                                          << QStringLiteral("invalid Content-Length");
    // Without chunked last, only the close would end the body, and a proxy reading it otherwise sees another answer.
    QTest::addRow("chunked not the last coding")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << QStringLiteral("Transfer-Encoding");
    QTest::addRow("chunked then another field")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nabc")
        << QStringLiteral("Transfer-Encoding");
    QTest::addRow("chunked inside a word") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\nConnection: close\r\n\r\nabc")
                                           << QStringLiteral("Transfer-Encoding");
    QTest::addRow("unknown coding") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nabc")
                                    << QStringLiteral("Transfer-Encoding");
    // The gateway asks for no coding: a compressed body would reach the agent and the inspection
    // as opaque bytes.
    QTest::addRow("a coding before chunked")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip , Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << QStringLiteral("Transfer-Encoding");
    QTest::addRow("lengths disagree in one field") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd")
                                                   << QStringLiteral("invalid Content-Length");
    QTest::addRow("chunked and a length")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << QStringLiteral("both Transfer-Encoding and Content-Length");
    QTest::addRow("reset before the close") << QByteArray("HTTP/1.1 200 OK\r\nX-Then-Reset: 1\r\n\r\npartial")
                                            << QStringLiteral("connection broke");
}

void tst_UpstreamConnection::limits()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, error);
    ScriptedUpstream upstream({answer});
    UpstreamConnection connection;
    const UpstreamResponse response = get(connection, upstream.port());
    QCOMPARE(response.status, 0);
    QVERIFY2(response.error.contains(error), qPrintable(response.error));
    QCOMPARE(response.problemStatus, 502);
}

void tst_UpstreamConnection::answerPassedOn_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    const auto typed = [](const QByteArray &type) {
        return QByteArray("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: 2\r\n\r\nok");
    };
    // The Content-Type is written back to the agent: only a well-formed media type is passed on.
    QTest::addRow("media type") << typed("application/json") << QByteArray("application/json") << QByteArray("ok");
    const QByteArray parameters = "application/json ; charset=utf-8;;q=1";
    QTest::addRow("media type with parameters") << typed(parameters) << parameters << QByteArray("ok");
    const QByteArray quoted = "text/plain; format=\"a \\\"b\\\"; c\"";
    QTest::addRow("quoted parameter") << typed(quoted) << quoted << QByteArray("ok");
    QTest::addRow("no subtype") << typed("json") << QByteArray() << QByteArray("ok");
    QTest::addRow("space in the type") << typed("application/ json") << QByteArray() << QByteArray("ok");
    QTest::addRow("markup") << typed("text/html<script>") << QByteArray() << QByteArray("ok");
    QTest::addRow("parameter without a value") << typed("text/plain; charset") << QByteArray() << QByteArray("ok");
    QTest::addRow("unterminated quote") << typed("text/plain; a=\"b") << QByteArray() << QByteArray("ok");
    QTest::addRow("control character") << typed("text/plain\x01") << QByteArray() << QByteArray("ok");
    // Framing that the strict parsing must still accept.
    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::addRow("chunked in any case, amid blanks")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: , Chunked \r\n\r\n3\r\nabc\r\n0\r\n\r\n") << QByteArray()
        << QByteArray("abc");
    QTest::addRow("a length repeated in one field") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc") << QByteArray()
                                                    << QByteArray("abc");
    QTest::addRow("chunk extension after whitespace") << QByteArray(chunked + "3 ;x=y\r\nabc\r\n0\r\n\r\n") << QByteArray()
                                                      << QByteArray("abc");
    QTest::addRow("chunk size of 16 digits") << QByteArray(chunked + "0000000000000003\r\nabc\r\n0\r\n\r\n") << QByteArray()
                                             << QByteArray("abc");
    QTest::addRow("length amid whitespace") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: \t3 \r\n\r\nabc") << QByteArray()
                                            << QByteArray("abc");
}

void tst_UpstreamConnection::answerPassedOn()
{
    QFETCH(QByteArray, answer);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    ScriptedUpstream upstream({answer});
    UpstreamConnection connection;
    const UpstreamResponse response = get(connection, upstream.port());
    QVERIFY2(response.status == 200, qPrintable(response.error));
    QCOMPARE(response.contentType, contentType);
    QCOMPARE(response.body, body);
}

void tst_UpstreamConnection::silentUpstreamTimesOut()
{
    SilentUpstream upstream(1500);
    UpstreamConnection connection;
    const UpstreamResponse response = get(connection, upstream.port(), 1024, 300);
    QCOMPARE(response.status, 0);
    QVERIFY2(response.error.contains(QStringLiteral("did not answer within 300 ms")), qPrintable(response.error));
    QCOMPARE(response.problemStatus, 504);
}

void tst_UpstreamConnection::unreachableUpstream()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;  // a port that was free a moment ago and has no listener now
        probe.listen(QHostAddress::LocalHost);
        closedPort = probe.serverPort();
    }
    UpstreamConnection connection;
    const UpstreamResponse response = get(connection, closedPort);
    QCOMPARE(response.status, 0);
    QVERIFY2(response.error.startsWith(QStringLiteral("the upstream is unreachable")), qPrintable(response.error));
    QCOMPARE(response.problemStatus, 502);
}

void tst_UpstreamConnection::headerWithALineBreakIsNeverSent()
{
    ScriptedUpstream upstream({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
    UpstreamConnection connection;
    UpstreamForwarder::Limits limits;
    const QUrl url(QStringLiteral("http://127.0.0.1:%1/t").arg(upstream.port()));
    const UpstreamResponse refused = connection.exchange("GET", url, {}, {{"X-Note", "a\r\nX-Injected: 1"}}, limits);
    QCOMPARE(refused.status, 0);
    QVERIFY2(refused.error.contains(QStringLiteral("line break")), qPrintable(refused.error));
    QCOMPARE(upstream.connections(), 0);  // nothing reached the upstream
    QCOMPARE(get(connection, upstream.port()).body, QByteArray("ok"));  // and the connection still works
}

void tst_UpstreamConnection::hostNameIsResolved()
{
    // "localhost" may resolve to ::1 first while the upstream listens on 127.0.0.1 only.
    ScriptedUpstream upstream({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
    UpstreamConnection connection;
    const UpstreamResponse response = connection.exchange("GET", QUrl(QStringLiteral("http://localhost:%1/t").arg(upstream.port())), {},
                                                          {}, UpstreamForwarder::Limits{});
    QVERIFY2(response.status == 200, qPrintable(response.error));
    QCOMPARE(response.body, QByteArray("ok"));
}

void tst_UpstreamConnection::hangingNameLookupTimesOut()
{
    // A name server that never answers: the call ends at its own timeout, as a silent upstream does.
    auto released = std::make_shared<std::atomic<bool>>(false);
    HostResolver resolver([released](const QString &) {
        while (!released->load())
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return HostResolver::Found();
    });
    UpstreamConnection connection(resolver);
    UpstreamForwarder::Limits limits;
    limits.timeoutMs = 100;
    const UpstreamResponse response = connection.exchange("GET", QUrl(QStringLiteral("http://tools.internal.test/t")), {}, {}, limits);
    released->store(true);
    QCOMPARE(response.status, 0);
    QCOMPARE(response.problemStatus, 504);
    QVERIFY2(response.error.contains(QStringLiteral("tools.internal.test")) && response.error.contains(QStringLiteral("timeout")),
             qPrintable(response.error));
}

void tst_UpstreamConnection::nameServerFailingForNowIsWorthRetrying_data()
{
    QTest::addColumn<bool>("temporary");
    QTest::addColumn<int>("problemStatus");
    QTest::addRow("EAI_AGAIN: 503") << true << 503;
    QTest::addRow("no such name: 502") << false << 502;
}

void tst_UpstreamConnection::nameServerFailingForNowIsWorthRetrying()
{
    // A name server that fails for now says nothing about the upstream: the caller may try again
    // (503), where a name that does not exist is the upstream's configuration (502).
    QFETCH(bool, temporary);
    QFETCH(int, problemStatus);
    HostResolver resolver([temporary](const QString &host) {
        return HostResolver::Found{{}, QStringLiteral("cannot look up %1").arg(host), temporary};
    });
    UpstreamConnection connection(resolver);
    const UpstreamResponse response = connection.exchange("GET", QUrl(QStringLiteral("http://tools.internal.test/t")), {}, {},
                                                          UpstreamForwarder::Limits{});
    QCOMPARE(response.status, 0);
    QCOMPARE(response.problemStatus, problemStatus);
    QVERIFY2(response.error.contains(QStringLiteral("cannot look up tools.internal.test")), qPrintable(response.error));
}

QTEST_GUILESS_MAIN(tst_UpstreamConnection)
#include "tst_upstream_connection.moc"
