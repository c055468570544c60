// SPDX-License-Identifier: Apache-2.0
// GatewayClient against the real mandated (demo mode) over HTTP on loopback.
#include "TestTls.h"
#include "GatewayProcess.h"

#include "client/GatewayClient.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QFile>
#include <QTcpServer>
#include <QTemporaryFile>
#include <QTimer>
#include <QTest>

#include <functional>
#include <memory>
#include <optional>

using namespace mandate;
using namespace mandate::client;
using identity::Agent;
using Kind = ClientError::Kind;

namespace {

/// Runs one asynchronous call and spins the event loop until its callback ran.
template<typename T, typename Call>
std::optional<ClientResult<T>> await(Call call, int timeoutMs = 20'000)
{
    std::optional<ClientResult<T>> result;
    QObject context;
    call(&context, [&result](ClientResult<T> r) { result.emplace(std::move(r)); });
    // A timeout shows up as an empty optional, which every caller checks.
    (void)QTest::qWaitFor([&result] { return result.has_value(); }, timeoutMs);
    return result;
}

Agent newAgent(const QString &id)
{
    Agent agent;
    agent.id = id;
    agent.displayName = QStringLiteral("Test agent ") + id;
    agent.owner = QStringLiteral("alice");
    agent.allowedActions = {QStringLiteral("ticket:read")};
    agent.maxBudget.calls = 5;
    return agent;
}

/// The failure's message, or nothing (QVERIFY2 evaluates its message even when it passes).
template<typename T>
QString why(const ClientResult<T> &result)
{
    return result.ok() ? QString() : result.error().message();
}

/// A tiny HTTPS server with the test CA's certificate that answers every request like /healthz:
/// enough to check that the client trusts a private CA when told to, and only then.
class TlsHealthServer final
{
public:
    bool start()
    {
        if (!testing::useTestServerCertificate(m_server, QStringLiteral(MANDATE_TLS_FIXTURES)))
            return false;
        QObject::connect(&m_server, &QTcpServer::pendingConnectionAvailable, &m_server, [this] {
            while (auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection())) {
                QObject::connect(socket, &QSslSocket::readyRead, socket, [socket] {
                    if (!socket->readAll().contains("\r\n\r\n"))
                        return;
                    const QByteArray body = R"({"status":"ok","gateway":"tls-test","version":"0"})";
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    socket->disconnectFromHost();
                });
                QObject::connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    QUrl url() const { return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_server.serverPort())); }

private:
    QSslServer m_server;
};

/// A plain HTTP server on loopback that answers each request through `answer` (its request
/// bytes in, the whole response out), `delayMs` after it came, and keeps what it received.
class RawHttpServer final
{
public:
    explicit RawHttpServer(std::function<QByteArray(const QByteArray &request)> answer, int delayMs = 0)
        : m_answer(std::move(answer))
    {
        QObject::connect(&m_server, &QTcpServer::pendingConnectionAvailable, &m_server, [this, delayMs] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, delayMs] {
                    const QByteArray request = socket->property("request").toByteArray() + socket->readAll();
                    socket->setProperty("request", request);
                    if (!request.contains("\r\n\r\n"))
                        return;
                    received.append(request);
                    QTimer::singleShot(delayMs, socket, [this, socket, request] {
                        socket->write(m_answer(request));
                        socket->disconnectFromHost();
                    });
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QString url(const char *path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(QLatin1String(path)); }

    QByteArrayList received;

private:
    QTcpServer m_server;
    std::function<QByteArray(const QByteArray &)> m_answer;
};

QByteArray redirectTo(const QString &location)
{
    return "HTTP/1.1 302 Found\r\nLocation: " + location.toUtf8() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

QByteArray healthy()
{
    const QByteArray body = R"({"status":"ok","gateway":"raw","version":"0"})";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
           + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class tst_GatewayClient final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GatewayClient> clientFor(const QString &role) const
    {
        auto client = std::make_unique<GatewayClient>();
        client->setBaseUrl(m_gateway.baseUrl());
        client->setApiKey(m_gateway.key(role));
        client->setTimeout(10'000);
        return client;
    }

    GatewayProcess m_gateway;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.errorString()));
    }

    void health()
    {
        auto client = clientFor(QStringLiteral("admin"));
        auto result = await<Health>([&](QObject *c, auto done) { client->health(c, done); });
        QVERIFY(result.has_value());
        QVERIFY2(result->ok(), qPrintable(why(*result)));
        QCOMPARE(result->value().status, QStringLiteral("ok"));
    }

    void whoamiPerRole_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addRow("admin") << QStringLiteral("admin");
        QTest::addRow("auditor") << QStringLiteral("auditor");
        QTest::addRow("analyst") << QStringLiteral("analyst");
    }

    void whoamiPerRole()
    {
        QFETCH(QString, role);
        auto client = clientFor(role);
        auto result = await<WhoAmI>([&](QObject *c, auto done) { client->whoami(c, done); });
        QVERIFY(result.has_value());
        QVERIFY2(result->ok(), qPrintable(why(*result)));
        QCOMPARE(result->value().role, role);
        QCOMPARE(result->value().canWrite(), role == QLatin1String("admin"));
    }

    void unknownKeyIs401()
    {
        auto client = clientFor(QStringLiteral("admin"));
        client->setApiKey("mdk_not-a-real-key");
        auto result = await<std::vector<Agent>>([&](QObject *c, auto done) { client->listAgents(c, done); });
        QVERIFY(result.has_value());
        QVERIFY(!result->ok());
        QCOMPARE(result->error().kind, Kind::Unauthorized);
        QCOMPARE(result->error().httpStatus, 401);
    }

    void readOnlyRolesCannotWrite_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addRow("auditor") << QStringLiteral("auditor");
        QTest::addRow("analyst") << QStringLiteral("analyst");
    }

    void readOnlyRolesCannotWrite()
    {
        QFETCH(QString, role);
        auto client = clientFor(role);
        auto result = await<Agent>([&](QObject *c, auto done) { client->createAgent(newAgent(QStringLiteral("ro-") + role), c, done); });
        QVERIFY(result.has_value());
        QVERIFY(!result->ok());
        QCOMPARE(result->error().kind, Kind::Forbidden);
        // ...but may read.
        auto list = await<std::vector<Agent>>([&](QObject *c, auto done) { client->listAgents(c, done); });
        QVERIFY(list.has_value() && list->ok());
    }

    void listsDemoRegistry()
    {
        auto client = clientFor(QStringLiteral("analyst"));
        auto agents = await<std::vector<Agent>>([&](QObject *c, auto done) { client->listAgents(c, done); });
        QVERIFY(agents.has_value());
        QVERIFY2(agents->ok(), qPrintable(why(*agents)));
        QStringList ids;
        for (const Agent &agent : agents->value())
            ids.append(agent.id);
        QVERIFY(ids.contains(QStringLiteral("support-agent")));
        QVERIFY(ids.contains(QStringLiteral("finance-agent")));
        QVERIFY(ids.contains(QStringLiteral("refund-subagent")));

        auto tools = await<std::vector<identity::Tool>>([&](QObject *c, auto done) { client->listTools(c, done); });
        QVERIFY(tools.has_value() && tools->ok());
        QCOMPARE(tools->value().size(), size_t(3));
        auto humans = await<std::vector<identity::Human>>([&](QObject *c, auto done) { client->listHumans(c, done); });
        QVERIFY(humans.has_value() && humans->ok());
        QVERIFY(humans->value().size() >= 3);
        auto machines = await<std::vector<identity::Machine>>([&](QObject *c, auto done) { client->listMachines(c, done); });
        QVERIFY(machines.has_value() && machines->ok());
    }

    void crudRoundTrip()
    {
        auto client = clientFor(QStringLiteral("admin"));
        auto created = await<Agent>([&](QObject *c, auto done) { client->createAgent(newAgent(QStringLiteral("crud-agent")), c, done); });
        QVERIFY(created.has_value());
        QVERIFY2(created->ok(), qPrintable(why(*created)));
        QVERIFY(created->value().version > 0);

        Agent changed = created->value();
        changed.displayName = QStringLiteral("Renamed");
        auto updated = await<Agent>([&](QObject *c, auto done) { client->updateAgent(changed, created->value().version, c, done); });
        QVERIFY(updated.has_value());
        QVERIFY2(updated->ok(), qPrintable(why(*updated)));
        QCOMPARE(updated->value().displayName, QStringLiteral("Renamed"));
        QVERIFY(updated->value().version > created->value().version);

        auto fetched = await<Agent>([&](QObject *c, auto done) { client->getAgent(QStringLiteral("crud-agent"), c, done); });
        QVERIFY(fetched.has_value() && fetched->ok());
        QCOMPARE(fetched->value().version, updated->value().version);

        auto duplicate = await<Agent>([&](QObject *c, auto done) { client->createAgent(newAgent(QStringLiteral("crud-agent")), c, done); });
        QVERIFY(duplicate.has_value() && !duplicate->ok());
        QCOMPARE(duplicate->error().kind, Kind::AlreadyExists);

        auto retired = await<Agent>([&](QObject *c, auto done) { client->retireAgent(QStringLiteral("crud-agent"), updated->value().version, c, done); });
        QVERIFY(retired.has_value());
        QVERIFY2(retired->ok(), qPrintable(why(*retired)));
        QCOMPARE(retired->value().status, Agent::Status::Retired);

        auto removed = await<Done>([&](QObject *c, auto done) { client->deleteAgent(QStringLiteral("crud-agent"), retired->value().version, c, done); });
        QVERIFY(removed.has_value());
        QVERIFY2(removed->ok(), qPrintable(why(*removed)));
        auto gone = await<Agent>([&](QObject *c, auto done) { client->getAgent(QStringLiteral("crud-agent"), c, done); });
        QVERIFY(gone.has_value() && !gone->ok());
        QCOMPARE(gone->error().kind, Kind::NotFound);
    }

    void concurrentEditsConflict()
    {
        auto alice = clientFor(QStringLiteral("admin"));
        auto bob = clientFor(QStringLiteral("admin"));
        auto base = await<Agent>([&](QObject *c, auto done) { alice->getAgent(QStringLiteral("finance-agent"), c, done); });
        QVERIFY(base.has_value() && base->ok());
        const qint64 version = base->value().version;

        Agent mine = base->value();
        mine.description = QStringLiteral("edited by the first admin");
        Agent theirs = base->value();
        theirs.description = QStringLiteral("edited by the second admin");

        auto first = await<Agent>([&](QObject *c, auto done) { alice->updateAgent(mine, version, c, done); });
        QVERIFY(first.has_value() && first->ok());
        auto second = await<Agent>([&](QObject *c, auto done) { bob->updateAgent(theirs, version, c, done); });
        QVERIFY(second.has_value());
        QVERIFY(!second->ok());
        const ClientError &conflict = second->error();
        QCOMPARE(conflict.kind, Kind::Conflict);
        QCOMPARE(conflict.httpStatus, 412);
        QCOMPARE(conflict.currentVersion, first->value().version);
        QCOMPARE(conflict.current.value(QStringLiteral("description")).toString(), mine.description);
        QVERIFY(!conflict.isTransient());
    }

    void invalidRecordIs422WithFields()
    {
        auto client = clientFor(QStringLiteral("admin"));
        Agent agent = newAgent(QStringLiteral("bad-owner-agent"));
        agent.owner = QStringLiteral("nobody");
        auto result = await<Agent>([&](QObject *c, auto done) { client->createAgent(agent, c, done); });
        QVERIFY(result.has_value() && !result->ok());
        QCOMPARE(result->error().kind, Kind::Invalid);
        QVERIFY(!result->error().fieldErrors.empty());
        QCOMPARE(result->error().fieldErrors.front().path, QStringLiteral("owner"));
    }

    void exportValidateImport()
    {
        auto client = clientFor(QStringLiteral("admin"));
        auto exported = await<QJsonObject>([&](QObject *c, auto done) { client->exportRegistry(c, done); });
        QVERIFY(exported.has_value());
        QVERIFY2(exported->ok(), qPrintable(why(*exported)));
        QVERIFY(exported->value().value(QStringLiteral("agents")).isArray());

        auto valid = await<Done>([&](QObject *c, auto done) { client->validateRegistry(exported->value(), c, done); });
        QVERIFY(valid.has_value());
        QVERIFY2(valid->ok(), qPrintable(why(*valid)));

        QJsonObject broken = exported->value();
        QJsonArray agents = broken.value(QStringLiteral("agents")).toArray();
        QJsonObject first = agents.at(0).toObject();
        first.insert(QStringLiteral("allowedActions"), QJsonArray{QStringLiteral("acount:delete")});
        agents.replace(0, first);
        broken.insert(QStringLiteral("agents"), agents);
        auto invalid = await<Done>([&](QObject *c, auto done) { client->validateRegistry(broken, c, done); });
        QVERIFY(invalid.has_value() && !invalid->ok());
        QCOMPARE(invalid->error().kind, Kind::Invalid);
        QVERIFY(!invalid->error().fieldErrors.empty());
        QVERIFY2(invalid->error().fieldErrors.front().path.startsWith(QStringLiteral("agents[0]")),
                 qPrintable(invalid->error().fieldErrors.front().path));

        auto refused = await<ImportSummary>([&](QObject *c, auto done) { client->importRegistry(broken, c, done); });
        QVERIFY(refused.has_value() && !refused->ok());
        QCOMPARE(refused->error().kind, Kind::Invalid);

        auto imported = await<ImportSummary>([&](QObject *c, auto done) { client->importRegistry(exported->value(), c, done); });
        QVERIFY(imported.has_value());
        QVERIFY2(imported->ok(), qPrintable(why(*imported)));
    }

    void unreachableGateway()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();  // nothing listens there any more
        GatewayClient client;
        client.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        auto result = await<Health>([&](QObject *c, auto done) { client.health(c, done); });
        QVERIFY(result.has_value() && !result->ok());
        QCOMPARE(result->error().kind, Kind::Network);
        QVERIFY(result->error().isTransient());
    }

    void silentGatewayTimesOut()
    {
        QTcpServer silent;  // accepts, never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        GatewayClient client;
        client.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort())));
        client.setTimeout(300);
        auto result = await<Health>([&](QObject *c, auto done) { client.health(c, done); });
        QVERIFY(result.has_value() && !result->ok());
        QCOMPARE(result->error().kind, Kind::Timeout);
    }

    void registryTransfersOutlastTheUsualTimeout()
    {
        // A whole registry can take longer than one record: its export, import and validation
        // wait up to kRegistryTransferTimeoutMs, while other requests keep the client's timeout.
        RawHttpServer slow([](const QByteArray &request) -> QByteArray {
            if (!request.startsWith("GET /v1/registry "))
                return healthy();
            const QByteArray body(R"({"agents":[],"tools":[]})");
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                   + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        }, 800);
        QVERIFY(slow.listen());
        GatewayClient client;
        client.setBaseUrl(QUrl(slow.url("")));
        client.setTimeout(200);
        auto health = await<Health>([&](QObject *c, auto done) { client.health(c, done); });
        QVERIFY(health.has_value() && !health->ok());
        QCOMPARE(health->error().kind, Kind::Timeout);
        auto exported = await<QJsonObject>([&](QObject *c, auto done) { client.exportRegistry(c, done); });
        QVERIFY(exported.has_value());
        QVERIFY2(exported->ok(), qPrintable(why(*exported)));
        QVERIFY(exported->value().contains(QStringLiteral("agents")));
    }

    void redirectsStayWithTheGateway()
    {
        // Every request carries the API key: a redirect is followed within the gateway's origin
        // only, never to another host or port.
        RawHttpServer elsewhere([](const QByteArray &) { return healthy(); });
        QVERIFY(elsewhere.listen());
        RawHttpServer gateway([&elsewhere](const QByteArray &request) {
            if (request.startsWith("GET /healthz "))
                return redirectTo(elsewhere.url("/healthz"));
            return healthy();
        });
        QVERIFY(gateway.listen());
        GatewayClient client;
        client.setBaseUrl(QUrl(gateway.url("")));
        client.setApiKey("mk_test_secret");
        client.setTimeout(5'000);
        auto away = await<Health>([&](QObject *c, auto done) { client.health(c, done); });
        QVERIFY(away.has_value());
        QVERIFY(!away->ok());
        QCOMPARE(gateway.received.size(), 1);
        QVERIFY(gateway.received.first().contains("Authorization: Bearer mk_test_secret"));
        QVERIFY(elsewhere.received.isEmpty());

        // Within the origin it is followed (the key goes to the same gateway).
        RawHttpServer moved([](const QByteArray &request) {
            return request.startsWith("GET /healthz ") ? redirectTo(QStringLiteral("/v2/healthz")) : healthy();
        });
        QVERIFY(moved.listen());
        client.setBaseUrl(QUrl(moved.url("")));
        auto same = await<Health>([&](QObject *c, auto done) { client.health(c, done); });
        QVERIFY(same.has_value());
        QVERIFY2(same->ok(), qPrintable(why(*same)));
        QCOMPARE(moved.received.size(), 2);
        QVERIFY(moved.received.last().startsWith("GET /v2/healthz "));
    }

    void tlsFailure()
    {
        // The demo gateway speaks plain HTTP: an https:// URL must fail as a TLS error, not hang.
        GatewayClient client;
        QUrl url = m_gateway.baseUrl();
        url.setScheme(QStringLiteral("https"));
        client.setBaseUrl(url);
        client.setTimeout(5'000);
        auto result = await<Health>([&](QObject *c, auto done) { client.health(c, done); });
        QVERIFY(result.has_value() && !result->ok());
        QVERIFY2(result->error().kind == Kind::Tls || result->error().kind == Kind::Network,
                 qPrintable(ClientError::kindName(result->error().kind) + u' ' + result->error().message()));
    }

    void tlsTrustsOnlyTheConfiguredCa_data()
    {
        QTest::addColumn<QString>("caFile");
        QTest::addColumn<bool>("trusted");
        QTest::addRow("private CA configured") << QStringLiteral(MANDATE_TLS_FIXTURES "/ca.pem") << true;
        QTest::addRow("system store only") << QString() << false;
        QTest::addRow("unrelated CA") << QStringLiteral(MANDATE_TLS_FIXTURES "/other-ca.pem") << false;
    }

    void tlsTrustsOnlyTheConfiguredCa()
    {
        QFETCH(QString, caFile);
        QFETCH(bool, trusted);
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend in this Qt");
        TlsHealthServer server;
        QVERIFY(server.start());
        GatewayClient client;
        client.setBaseUrl(server.url());
        client.setTimeout(10'000);
        QVERIFY(client.setCaCertificateFile(caFile).ok());
        auto result = await<Health>([&](QObject *c, auto done) { client.health(c, done); });
        QVERIFY(result.has_value());
        if (trusted) {
            QVERIFY2(result->ok(), qPrintable(why(*result)));
            QCOMPARE(result->value().gateway, QStringLiteral("tls-test"));
        } else {
            QVERIFY(!result->ok());
            QCOMPARE(result->error().kind, Kind::Tls);
            QVERIFY2(!result->error().detail.isEmpty(), "the certificate problem is named");
        }
    }

    void badCaCertificateFile()
    {
        GatewayClient client;
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("not a certificate");
        file.close();
        QVERIFY(!client.setCaCertificateFile(file.fileName()).ok());
        QVERIFY(!client.setCaCertificateFile(QStringLiteral("/nonexistent/ca.pem")).ok());
        QVERIFY(client.setCaCertificateFile(QString()).ok());
    }

    void callbackSkippedWhenContextIsGone()
    {
        auto client = clientFor(QStringLiteral("admin"));
        QSignalSpy pending(client.get(), &GatewayClient::pendingRequestsChanged);
        bool called = false;
        {
            QObject context;
            client->health(&context, [&called](ClientResult<Health>) { called = true; });
        }
        QTRY_COMPARE(client->pendingRequests(), 0);
        QVERIFY(!called);
        QVERIFY(pending.count() >= 2);
    }

    void cancelAll()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        GatewayClient client;
        client.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort())));
        std::optional<ClientResult<Health>> result;
        QObject context;
        client.health(&context, [&result](ClientResult<Health> r) { result.emplace(std::move(r)); });
        client.cancelAll();
        QTRY_VERIFY(result.has_value());
        QCOMPARE(result->error().kind, Kind::Cancelled);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayClient)
#include "tst_gateway_client.moc"
