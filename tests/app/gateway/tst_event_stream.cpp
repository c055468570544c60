// SPDX-License-Identifier: Apache-2.0
// /v1/events keep-alive over real sockets: a quiet stream outlives the idle timeout (the gateway
// pings it), and a peer that answers nothing is dropped after the timeout rather than written
// to for ever, while the gateway goes on serving.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QDir>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <algorithm>

using namespace mandate;
using namespace mandate::testing;

namespace {

// Pings every second, a peer gone after 3 s of silence: a loaded CI machine stalls for less.
constexpr int kMaxConnections = 48;
constexpr int kIdleTimeoutMs = 3000;

} // namespace

class tst_EventStream final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void quietStreamOutlivesTheIdleTimeout();
    void peerThatAnswersNothingIsDropped();
    void oversizedMessageFromASubscriberClosesIt();
    void streamsAreBoundedPerKeyAndInAll();
    void incompleteUpgradesAreAnsweredAndDropped_data();
    void incompleteUpgradesAreAnsweredAndDropped();
    void upgradesElsewhereAreRefused_data();
    void upgradesElsewhereAreRefused();
    void keyInTheUrlIsRefused_data();
    void keyInTheUrlIsRefused();
    void streamWhoseKeyCannotBeCheckedIsClosed();  // last: it breaks the key table for a while

private:
    QUrl eventsUrl() const;

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
};

QUrl tst_EventStream::eventsUrl() const
{
    QUrl url = m_gateway->url();
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QStringLiteral("/v1/events"));
    return url;
}

void tst_EventStream::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH),
                                                 QStringList{QStringLiteral("--idle-timeout-ms"), QString::number(kIdleTimeoutMs),
                                                             QStringLiteral("--max-connections"), QString::number(kMaxConnections)});
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QVERIFY(!m_admin.isEmpty());
}

void tst_EventStream::cleanupTestCase()
{
    if (m_gateway)
        QCOMPARE(m_gateway->stop(), 0);
}

void tst_EventStream::quietStreamOutlivesTheIdleTimeout()
{
    QWebSocket socket;
    QList<QJsonObject> events;
    bool closed = false;
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [&events](const QString &text) { events << QJsonDocument::fromJson(text.toUtf8()).object(); });
    connect(&socket, &QWebSocket::disconnected, this, [&closed]() { closed = true; });
    QNetworkRequest request(eventsUrl());
    request.setRawHeader("Authorization", "Bearer " + m_admin);
    socket.open(request);
    QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty(), 10000);  // hello

    QTest::qWait(3 * kIdleTimeoutMs);  // nothing happens on the gateway meanwhile
    QVERIFY2(!closed, qPrintable(socket.closeReason() + QString::number(socket.closeCode()) + QString::fromUtf8(m_gateway->process().readAll().right(1500))));
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);

    // And it still delivers.
    const QByteArray human = R"({"id":"quinn","displayName":"Quinn","issuer":"https://idp.example","subject":"quinn"})";
    QCOMPARE(m_http->send("POST", QStringLiteral("/v1/humans"), human,
                          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + m_admin}}).status, 201);
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.cbegin(), events.cend(), [](const QJsonObject &event) {
        return event.value(QStringLiteral("type")).toString() == QLatin1String("registry");
    }), 10000);
    socket.close();
}

void tst_EventStream::peerThatAnswersNothingIsDropped()
{
    // A WebSocket client by hand that completes the handshake, then never answers a ping.
    QTcpSocket raw;
    raw.connectToHost(m_gateway->url().host(), quint16(m_gateway->url().port()));
    QVERIFY(raw.waitForConnected(5000));
    raw.write("GET /v1/events HTTP/1.1\r\nHost: " + m_gateway->url().authority().toLatin1()
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: bWFuZGF0ZS1rZWVwYWxpdmU=\r\n"
                "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " + m_admin + "\r\n\r\n");
    QByteArray received;
    QElapsedTimer elapsed;
    elapsed.start();
    while (raw.state() == QAbstractSocket::ConnectedState && elapsed.elapsed() < 10 * kIdleTimeoutMs) {
        if (raw.waitForReadyRead(100))
            received += raw.readAll();
    }
    received += raw.readAll();
    QVERIFY2(received.startsWith("HTTP/1.1 101"), received.left(200).constData());
    QVERIFY2(raw.state() != QAbstractSocket::ConnectedState, "a peer that answers no ping was never dropped");
    // Dropped for its silence, after the pings it ignored, and not before the timeout.
    QVERIFY(received.contains(char(0x89)));  // a ping frame: FIN + opcode 9
    QVERIFY2(elapsed.elapsed() >= kIdleTimeoutMs, qPrintable(QString::number(elapsed.elapsed())));

    // The gateway goes on serving.
    QCOMPARE(m_http->get(QStringLiteral("/healthz")).status, 200);
}

void tst_EventStream::oversizedMessageFromASubscriberClosesIt()
{
    // Subscribers only listen; the gateway never buffers a large message from one.
    QWebSocket socket;
    bool hello = false;
    bool closed = false;
    connect(&socket, &QWebSocket::textMessageReceived, this, [&hello](const QString &) { hello = true; });
    connect(&socket, &QWebSocket::disconnected, this, [&closed]() { closed = true; });
    QNetworkRequest request(eventsUrl());
    request.setRawHeader("Authorization", "Bearer " + m_admin);
    socket.open(request);
    QTRY_VERIFY_WITH_TIMEOUT(hello, 10000);
    socket.sendTextMessage(QStringLiteral("small talk"));  // ignored, and allowed
    QTest::qWait(200);
    QVERIFY(!closed);
    socket.sendTextMessage(QString(64 << 10, u'x'));
    QTRY_VERIFY_WITH_TIMEOUT(closed, 10000);
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
}

void tst_EventStream::streamsAreBoundedPerKeyAndInAll()
{
    // Streams stay open for hours on connection slots that agents' calls share: eight per key,
    // a quarter of --max-connections in all (48 here: 12).
    std::vector<std::unique_ptr<QWebSocket>> open;
    // The close code of a new stream of `key`, or 0 when it was welcomed (and is kept open).
    const auto subscribe = [&](const QByteArray &key) {
        auto socket = std::make_unique<QWebSocket>();
        bool hello = false;
        bool closed = false;
        connect(socket.get(), &QWebSocket::textMessageReceived, this, [&hello](const QString &) { hello = true; });
        connect(socket.get(), &QWebSocket::disconnected, this, [&closed]() { closed = true; });
        QNetworkRequest request(eventsUrl());
        request.setRawHeader("Authorization", "Bearer " + key);
        socket->open(request);
        if (!QTest::qWaitFor([&] { return hello || closed; }, 10000))
            return -1;
        disconnect(socket.get(), nullptr, this, nullptr);
        if (closed)
            return int(socket->closeCode());
        open.push_back(std::move(socket));
        return 0;
    };
    const QByteArray auditor = m_gateway->key(QStringLiteral("auditor"));
    for (int i = 0; i < 8; ++i)
        QCOMPARE(subscribe(m_admin), 0);
    QCOMPARE(subscribe(m_admin), int(QWebSocketProtocol::CloseCodeBadOperation));  // the key's ninth: try again later
    for (int i = 0; i < 4; ++i)
        QCOMPARE(subscribe(auditor), 0);
    QCOMPARE(subscribe(auditor), int(QWebSocketProtocol::CloseCodeBadOperation));  // the gateway's thirteenth: try again
    QCOMPARE(m_http->get(QStringLiteral("/healthz")).status, 200);  // calls are still served
    // One closes: another may open.
    open.back()->close();
    QTRY_COMPARE_WITH_TIMEOUT(open.back()->state(), QAbstractSocket::UnconnectedState, 10000);
    open.pop_back();
    QVERIFY(QTest::qWaitFor([&] { return subscribe(auditor) == 0; }, 10000));  // once the gateway has heard of it
}

void tst_EventStream::incompleteUpgradesAreAnsweredAndDropped_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<bool>("upgradedByQt");
    // Not an upgrade to Qt (no "upgrade" token in Connection): the gateway answers 400.
    QTest::addRow("no Connection: Upgrade") << QByteArray("Upgrade: websocket\r\n") << false;
    QTest::addRow("Connection without the token") << QByteArray("Upgrade: websocket\r\nConnection: keep-alive\r\n"
                                                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
                                                  << false;
    // Upgrades to Qt, whose WebSocket server refuses the incomplete handshake and closes.
    QTest::addRow("no key") << QByteArray("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n") << true;
    QTest::addRow("another version") << QByteArray("Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n")
                                     << true;
}

void tst_EventStream::incompleteUpgradesAreAnsweredAndDropped()
{
    // A socket the gateway takes for an upgraded one is exempt from the idle timeout: a request
    // Qt does not upgrade must not get there, or unauthenticated clients could hold every
    // connection slot for ever (each of these sockets stayed open before the fix).
    QFETCH(QByteArray, headers);
    QFETCH(bool, upgradedByQt);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_gateway->url().port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /v1/events HTTP/1.1\r\nHost: gateway\r\n" + headers + "\r\n");
    QByteArray answer;
    const auto read = [&] {
        answer += socket.readAll();
        return answer.contains("\r\n\r\n") || socket.state() == QAbstractSocket::UnconnectedState;
    };
    QVERIFY(QTest::qWaitFor(read, 10000));
    QVERIFY2(!answer.startsWith("HTTP/1.1 101"), answer.constData());
    if (!upgradedByQt) {
        QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
        QVERIFY2(answer.contains("Sec-WebSocket-Version: 13"), answer.constData());
    }
    // Silent from here on: the connection goes (at the latest after the idle timeout).
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 4 * kIdleTimeoutMs);
    QCOMPARE(m_http->get(QStringLiteral("/healthz")).status, 200);
}

void tst_EventStream::upgradesElsewhereAreRefused_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addRow("a REST endpoint") << QByteArray("/healthz");
    QTest::addRow("an admin endpoint") << QByteArray("/v1/agents");
}

void tst_EventStream::upgradesElsewhereAreRefused()
{
    // Only /v1/events speaks WebSocket. A complete handshake elsewhere got the endpoint's answer
    // and then a 101 on the same request; now one 404, and the connection closes.
    QFETCH(QByteArray, path);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_gateway->url().port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET " + path + " HTTP/1.1\r\nHost: gateway\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 "Authorization: Bearer " + m_admin + "\r\n\r\n");
    QByteArray answer;
    QVERIFY(QTest::qWaitFor([&] {
        answer += socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
    }, 4 * kIdleTimeoutMs));
    answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.constData());
    QVERIFY2(!answer.contains("101 Switching Protocols") && answer.count("HTTP/1.1 ") == 1, answer.constData());
}

void tst_EventStream::keyInTheUrlIsRefused_data()
{
    QTest::addColumn<bool>("withHeader");
    QTest::addRow("alone") << false;
    QTest::addRow("beside the header") << true;
}

void tst_EventStream::keyInTheUrlIsRefused()
{
    QFETCH(bool, withHeader);
    QUrl url = eventsUrl();
    url.setQuery(QStringLiteral("key=") + QString::fromLatin1(m_admin));
    QNetworkRequest request(url);
    if (withHeader)
        request.setRawHeader("Authorization", "Bearer " + m_admin);
    QWebSocket socket;
    bool hello = false;
    connect(&socket, &QWebSocket::textMessageReceived, this, [&hello](const QString &) { hello = true; });
    socket.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(!hello);
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(socket.closeReason(), QStringLiteral("API keys go in the Authorization header, never in the URL"));
}

void tst_EventStream::streamWhoseKeyCannotBeCheckedIsClosed()
{
    // Every ping round checks each subscriber's key against the database. When that fails, the
    // stream is closed rather than left open on a key nobody can check (fail closed).
    QWebSocket socket;
    bool hello = false;
    connect(&socket, &QWebSocket::textMessageReceived, this, [&hello](const QString &) { hello = true; });
    QNetworkRequest request(eventsUrl());
    request.setRawHeader("Authorization", "Bearer " + m_admin);
    socket.open(request);
    QTRY_VERIFY_WITH_TIMEOUT(hello, 10000);

    const QString connection = QStringLiteral("tst_event_stream_keys");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(QDir(m_gateway->dataDir()).filePath(QStringLiteral("mandate.db")));
        QVERIFY(db.open());
        QSqlQuery hide(db);
        QVERIFY2(hide.exec(QStringLiteral("ALTER TABLE api_keys RENAME TO api_keys_hidden")), qPrintable(hide.lastError().text()));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 4 * kIdleTimeoutMs);
        QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeBadOperation);
        // An admin request meanwhile fails closed, and its answer says nothing of the store.
        const HttpResult unchecked = m_http->get(QStringLiteral("/v1/agents"), m_admin);
        QCOMPARE(unchecked.status, 503);
        QCOMPARE(unchecked.json().value(QStringLiteral("detail")).toString(), QStringLiteral("the gateway cannot check API keys right now; try again"));
        QSqlQuery restore(db);
        QVERIFY2(restore.exec(QStringLiteral("ALTER TABLE api_keys_hidden RENAME TO api_keys")), qPrintable(restore.lastError().text()));
    }
    QSqlDatabase::removeDatabase(connection);
    QCOMPARE(m_http->get(QStringLiteral("/healthz")).status, 200);
}

QTEST_GUILESS_MAIN(tst_EventStream)
#include "tst_event_stream.moc"
