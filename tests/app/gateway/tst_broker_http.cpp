// SPDX-License-Identifier: Apache-2.0
// The broker over real HTTP against a demo mandated: RFC 8414 metadata and the JWKS, the
// worked example (Alice's dev ID token → support-agent, refund:create ticket:read, 15 min),
// sub-delegation to refund-subagent that narrows, wider asks refused with the right OAuth
// error, client authentication, RFC 7009 revocation, the admin executions API, a gateway
// outside demo mode refusing to start with the development identity provider, and trusted
// issuers' jwks_uri settings checked, and their keys fetched, at start.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <cstring>

#include <sys/stat.h>

using namespace mandate;
using namespace mandate::testing;

namespace {

QJsonObject claimsOf(const QByteArray &token)
{
    return QJsonDocument::fromJson(QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
}

/// Starts mandated in `dir` with a config whose [broker] section trusts the issuers of
/// `issuersJson` and adds `brokerKeys`; false when a file cannot be written.
bool startWithIssuers(QProcess &process, const QTemporaryDir &dir, const QByteArray &issuersJson, const QByteArray &brokerKeys = {})
{
    QFile issuersFile(dir.filePath(QStringLiteral("issuers.json")));
    QFile config(dir.filePath(QStringLiteral("mandated.conf")));
    if (!issuersFile.open(QIODevice::WriteOnly) || issuersFile.write(issuersJson) != issuersJson.size() || !config.open(QIODevice::WriteOnly))
        return false;
    config.write("[broker]\ntrusted-issuers = " + issuersFile.fileName().toUtf8() + "\n" + brokerKeys);
    config.close();
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(MANDATED_PATH), {QStringLiteral("--config"), config.fileName(), QStringLiteral("--listen"),
                                                   QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                                                   dir.filePath(QStringLiteral("data"))});
    return true;
}

} // namespace

class tst_BrokerHttp final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void metadataAndJwks();
    void demoClientsFile();
    void workedExample();
    void subDelegationNarrows();
    void widerIsRefused_data();
    void widerIsRefused();
    void clientAuthentication_data();
    void clientAuthentication();
    void tokenRequestsPastTheBoundAreToldToComeBack();
    void tokensInFlightEachComeWithTheirRecords();
    void revocationIsNotQueuedBehindTokenRequests();
    void adminExecutionsAndRevocation();
    void devIdpRefusedOutsideDemo();
    void startupConfigIsChecked_data();
    void startupConfigIsChecked();
    void jwksUriFetchedAtStart();

private:
    HttpResult token(const QList<QPair<QString, QString>> &fields, const QString &client, bool basic = true);
    QString secretOf(const QString &client) const;
    QByteArray idToken(const QString &user) const;
    /// Opens `connections` connections and pipelines `perConnection` token requests of an
    /// unknown client on each: every one holds a broker thread for a secret check.
    /// `perConnection` token requests with `body`, pipelined on each of `connections` connections.
    std::vector<std::unique_ptr<QTcpSocket>> pipelineTokenRequests(const QByteArray &body, int connections, int perConnection);
    /// Token requests that each hold a broker thread for a while: unknown clients, whose
    /// secret is checked against the decoy.
    std::vector<std::unique_ptr<QTcpSocket>> floodTokenEndpoint(int connections, int perConnection);
    /// What each socket received once `expected` HTTP responses came in all (or 60 s passed).
    static QList<QByteArray> awaitAnswers(const std::vector<std::unique_ptr<QTcpSocket>> &sockets, int expected);

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QJsonObject m_clients;
    QByteArray m_admin;
    QByteArray m_supportToken;
};

void tst_BrokerHttp::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH));
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QFile clients(QDir(m_gateway->dataDir()).filePath(QStringLiteral("demo-clients.json")));
    QVERIFY(clients.open(QIODevice::ReadOnly));
    m_clients = QJsonDocument::fromJson(clients.readAll()).object();
    QVERIFY(m_gateway->output().contains("demo-clients.json"));
}

void tst_BrokerHttp::cleanupTestCase()
{
    if (m_gateway)
        QCOMPARE(m_gateway->stop(), 0);
}

QString tst_BrokerHttp::secretOf(const QString &client) const
{
    return m_clients.value(client).toObject().value(QStringLiteral("client_secret")).toString();
}

QByteArray tst_BrokerHttp::idToken(const QString &user) const
{
    // What `mandatectl dev id-token --user USER --data-dir DIR` prints, from the same key.
    SystemClock clock;
    broker::DevIdentityProvider idp(m_gateway->dataDir(), clock);
    if (!idp.open(broker::DevIdentityProvider::Mode::OpenExisting))
        return {};
    return idp.issueIdToken(user).value();
}

HttpResult tst_BrokerHttp::token(const QList<QPair<QString, QString>> &fields, const QString &client, bool basic)
{
    QList<QPair<QString, QString>> all = fields;
    all.prepend({QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange")});
    QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
    if (basic) {
        headers.append({"Authorization", "Basic " + QByteArray(QUrl::toPercentEncoding(client) + ':' + QUrl::toPercentEncoding(secretOf(client))).toBase64()});
    } else {
        all.append({QStringLiteral("client_id"), client});
        all.append({QStringLiteral("client_secret"), secretOf(client)});
    }
    return m_http->send("POST", QStringLiteral("/v1/token"), formEncoded(all), headers);
}

void tst_BrokerHttp::metadataAndJwks()
{
    const QString base = m_gateway->url().toString();
    const HttpResult metadata = m_http->get(QStringLiteral("/.well-known/oauth-authorization-server"));
    QCOMPARE(metadata.status, 200);
    const QJsonObject m = metadata.json();
    QCOMPARE(m.value(QStringLiteral("issuer")).toString(), base);
    QCOMPARE(m.value(QStringLiteral("token_endpoint")).toString(), base + QStringLiteral("/v1/token"));
    QCOMPARE(m.value(QStringLiteral("revocation_endpoint")).toString(), base + QStringLiteral("/v1/revoke"));
    QCOMPARE(m.value(QStringLiteral("jwks_uri")).toString(), base + QStringLiteral("/.well-known/jwks.json"));
    QVERIFY(m.value(QStringLiteral("grant_types_supported")).toArray().contains(QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange")));
    QCOMPARE(m.value(QStringLiteral("authorization_details_types_supported")).toArray(), QJsonArray{QStringLiteral("agent_execution")});

    const HttpResult jwks = m_http->get(QStringLiteral("/.well-known/jwks.json"));
    QCOMPARE(jwks.status, 200);
    const QJsonArray keys = jwks.json().value(QStringLiteral("keys")).toArray();
    QCOMPARE(keys.size(), 1);
    const QJsonObject key = keys.first().toObject();
    QCOMPARE(key.value(QStringLiteral("kty")).toString(), QStringLiteral("OKP"));
    QCOMPARE(key.value(QStringLiteral("crv")).toString(), QStringLiteral("Ed25519"));
    QVERIFY(!key.contains(QStringLiteral("d")));
}

void tst_BrokerHttp::demoClientsFile()
{
    const QString path = QDir(m_gateway->dataDir()).filePath(QStringLiteral("demo-clients.json"));
    struct stat st {};
    QVERIFY(::stat(QFile::encodeName(path).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QCOMPARE(m_clients.keys(), (QStringList{QStringLiteral("finance-agent"), QStringLiteral("refund-subagent"), QStringLiteral("support-agent")}));
    for (const QString &agent : m_clients.keys()) {
        QCOMPARE(m_clients.value(agent).toObject().value(QStringLiteral("client_id")).toString(), agent);
        QVERIFY(secretOf(agent).size() >= 40);
    }
}

void tst_BrokerHttp::workedExample()
{
    const QByteArray alice = idToken(QStringLiteral("alice"));
    QVERIFY(!alice.isEmpty());
    const HttpResult result = token({{QStringLiteral("subject_token"), QString::fromLatin1(alice)},
                                     {QStringLiteral("subject_token_type"), QStringLiteral("urn:ietf:params:oauth:token-type:id_token")},
                                     {QStringLiteral("scope"), QStringLiteral("refund:create ticket:read")},
                                     {QStringLiteral("authorization_details"),
                                      QStringLiteral(R"([{"type":"agent_execution","purpose":"refund for ticket T-1001","ttl":900}])")}},
                                    QStringLiteral("support-agent"));
    QVERIFY2(result.status == 200, result.body.constData());
    QCOMPARE(result.header("cache-control"), QByteArray("no-store"));
    const QJsonObject body = result.json();
    QCOMPARE(body.value(QStringLiteral("token_type")).toString(), QStringLiteral("Bearer"));
    QCOMPARE(body.value(QStringLiteral("issued_token_type")).toString(), QStringLiteral("urn:ietf:params:oauth:token-type:access_token"));
    QCOMPARE(body.value(QStringLiteral("expires_in")).toInt(), 900);
    QCOMPARE(body.value(QStringLiteral("scope")).toString(), QStringLiteral("refund:create ticket:read"));
    m_supportToken = body.value(QStringLiteral("access_token")).toString().toLatin1();
    const QJsonObject claims = claimsOf(m_supportToken);
    QCOMPARE(claims.value(QStringLiteral("iss")).toString(), m_gateway->url().toString());
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
    QCOMPARE(claims.value(QStringLiteral("client_id")).toString(), QStringLiteral("support-agent"));
    QCOMPARE(claims.value(QStringLiteral("act")).toObject().value(QStringLiteral("sub")).toString(), QStringLiteral("agent:support-agent"));
    QCOMPARE(claims.value(QStringLiteral("exp")).toInteger() - claims.value(QStringLiteral("iat")).toInteger(), 900);
}

void tst_BrokerHttp::subDelegationNarrows()
{
    QVERIFY(!m_supportToken.isEmpty());
    const HttpResult result = token({{QStringLiteral("subject_token"), QString::fromLatin1(m_supportToken)},
                                     {QStringLiteral("subject_token_type"), QStringLiteral("urn:ietf:params:oauth:token-type:access_token")},
                                     {QStringLiteral("scope"), QStringLiteral("refund:create")},
                                     {QStringLiteral("authorization_details"),
                                      QStringLiteral(R"([{"type":"agent_execution","budget":{"calls":3,"amount":"100.00"},"ttl":300}])")}},
                                    QStringLiteral("refund-subagent"), false);
    QVERIFY2(result.status == 200, result.body.constData());
    const QJsonObject claims = claimsOf(result.json().value(QStringLiteral("access_token")).toString().toLatin1());
    QCOMPARE(claims.value(QStringLiteral("scope")).toString(), QStringLiteral("refund:create"));
    QCOMPARE(claims.value(QStringLiteral("act")).toObject(),
             (QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:refund-subagent")},
                          {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:support-agent")}}}}));
    const QJsonObject details = claims.value(QStringLiteral("authorization_details")).toArray().first().toObject();
    QCOMPARE(details.value(QStringLiteral("depth")).toInt(), 2);
    QCOMPARE(details.value(QStringLiteral("budget")).toObject().value(QStringLiteral("amount")).toString(), QStringLiteral("100.00"));
    QCOMPARE(details.value(QStringLiteral("parent")).toString(),
             claimsOf(m_supportToken).value(QStringLiteral("authorization_details")).toArray().first().toObject().value(QStringLiteral("execution")).toString());
}

void tst_BrokerHttp::widerIsRefused_data()
{
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QString>("details");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("mention");
    QTest::addRow("action beyond the sub-agent") << QStringLiteral("refund:create ticket:read") << QString()
                                                 << QStringLiteral("invalid_scope") << QStringLiteral("allowedActions");
    QTest::addRow("budget beyond the sub-agent") << QStringLiteral("refund:create") << QStringLiteral(R"({"budget":{"amount":"250.00"}})")
                                                 << QStringLiteral("invalid_request") << QStringLiteral("maxBudget.amount");
    QTest::addRow("expiry beyond the parent") << QStringLiteral("refund:create") << QStringLiteral(R"({"ttl":900,"budget":{"calls":1}})")
                                              << QStringLiteral("invalid_request") << QStringLiteral("after parent execution");
    QTest::addRow("risk beyond the parent") << QStringLiteral("refund:create") << QStringLiteral(R"({"risk_ceiling":80,"budget":{"calls":1}})")
                                            << QStringLiteral("invalid_request") << QStringLiteral("risk_ceiling");
}

void tst_BrokerHttp::widerIsRefused()
{
    QFETCH(QString, scope);
    QFETCH(QString, details);
    QFETCH(QString, error);
    QFETCH(QString, mention);
    QVERIFY(!m_supportToken.isEmpty());
    // A parent that lives 10 minutes: a 15-minute child would outlive it.
    const HttpResult parent = token({{QStringLiteral("subject_token"), QString::fromLatin1(idToken(QStringLiteral("alice")))},
                                     {QStringLiteral("subject_token_type"), QStringLiteral("urn:ietf:params:oauth:token-type:id_token")},
                                     {QStringLiteral("scope"), QStringLiteral("refund:create")},
                                     {QStringLiteral("authorization_details"), QStringLiteral(R"([{"type":"agent_execution","ttl":600}])")}},
                                    QStringLiteral("support-agent"));
    QCOMPARE(parent.status, 200);
    QList<QPair<QString, QString>> fields{{QStringLiteral("subject_token"), parent.json().value(QStringLiteral("access_token")).toString()},
                                          {QStringLiteral("subject_token_type"), QStringLiteral("urn:ietf:params:oauth:token-type:access_token")},
                                          {QStringLiteral("scope"), scope}};
    if (!details.isEmpty()) {
        QString entry = details;
        entry.insert(1, QStringLiteral(R"("type":"agent_execution",)"));
        fields.append({QStringLiteral("authorization_details"), u'[' + entry + u']'});
    }
    const HttpResult refused = token(fields, QStringLiteral("refund-subagent"));
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.json().value(QStringLiteral("error")).toString(), error);
    QVERIFY2(refused.json().value(QStringLiteral("error_description")).toString().contains(mention), refused.body.constData());
}

void tst_BrokerHttp::clientAuthentication_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    const QByteArray grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=x"
                             "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token&scope=ticket%3Aread";
    const QByteArray form = "application/x-www-form-urlencoded";
    QTest::addRow("wrong secret (Basic)") << form << QByteArray("Basic " + QByteArray("support-agent:wrong").toBase64()) << grant << 401 << QStringLiteral("invalid_client");
    QTest::addRow("wrong secret (post)") << form << QByteArray() << QByteArray(grant + "&client_id=support-agent&client_secret=wrong") << 401 << QStringLiteral("invalid_client");
    QTest::addRow("no credentials") << form << QByteArray() << grant << 401 << QStringLiteral("invalid_client");
    QTest::addRow("JSON body") << QByteArray("application/json") << QByteArray() << QByteArray("{}") << 400 << QStringLiteral("invalid_request");
    QTest::addRow("repeated parameter") << form << QByteArray() << QByteArray(grant + "&scope=refund%3Acreate") << 400 << QStringLiteral("invalid_request");
    QTest::addRow("two methods") << form << QByteArray("Basic " + QByteArray("support-agent:x").toBase64())
                                 << QByteArray(grant + "&client_id=support-agent&client_secret=x") << 400 << QStringLiteral("invalid_request");
    // Refused, not repaired: "%zz" or a cut-off escape would decode to some other id or secret.
    QTest::addRow("bad escape in a value") << form << QByteArray() << QByteArray(grant + "&client_id=support%zzagent&client_secret=x")
                                           << 400 << QStringLiteral("invalid_request");
    QTest::addRow("cut-off escape") << form << QByteArray() << QByteArray(grant + "&client_id=support-agent&client_secret=x%4")
                                    << 400 << QStringLiteral("invalid_request");
    QTest::addRow("bad escape in a name") << form << QByteArray() << QByteArray(grant + "&client%G0id=support-agent&client_secret=x")
                                          << 400 << QStringLiteral("invalid_request");
    QTest::addRow("not UTF-8") << form << QByteArray() << QByteArray(grant + "&client_id=support-agent%FF&client_secret=x")
                               << 400 << QStringLiteral("invalid_request");
    QTest::addRow("bad escape in Basic") << form << QByteArray("Basic " + QByteArray("support%zzagent:x").toBase64()) << grant
                                         << 401 << QStringLiteral("invalid_client");
    QTest::addRow("not UTF-8 in Basic") << form << QByteArray("Basic " + QByteArray("support-agent:%C3%28").toBase64()) << grant
                                        << 401 << QStringLiteral("invalid_client");
}

void tst_BrokerHttp::clientAuthentication()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", contentType}};
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    const HttpResult result = m_http->send("POST", QStringLiteral("/v1/token"), body, headers);
    QCOMPARE(result.status, status);
    QCOMPARE(result.json().value(QStringLiteral("error")).toString(), error);
    QVERIFY(result.json().contains(QStringLiteral("error_description")));
    if (status == 401)
        QVERIFY(result.header("www-authenticate").startsWith("Basic"));
}

std::vector<std::unique_ptr<QTcpSocket>> tst_BrokerHttp::pipelineTokenRequests(const QByteArray &body, int connections, int perConnection)
{
    const QByteArray request = "POST /v1/token HTTP/1.1\r\nHost: gw\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                               "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int c = 0; c < connections; ++c) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, quint16(m_gateway->url().port()));
        if (!socket->waitForConnected(5000))
            break;
        socket->write(request.repeated(perConnection));
        socket->waitForBytesWritten(5000);
        sockets.push_back(std::move(socket));
    }
    return sockets;
}

std::vector<std::unique_ptr<QTcpSocket>> tst_BrokerHttp::floodTokenEndpoint(int connections, int perConnection)
{
    return pipelineTokenRequests("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=x"
                                 "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"
                                 "&client_id=nobody&client_secret=guess",
                                 connections, perConnection);
}

QList<QByteArray> tst_BrokerHttp::awaitAnswers(const std::vector<std::unique_ptr<QTcpSocket>> &sockets, int expected)
{
    QList<QByteArray> answers(qsizetype(sockets.size()));
    (void)QTest::qWaitFor([&] {  // the callers count what came
        int all = 0;
        for (size_t c = 0; c < sockets.size(); ++c) {
            answers[qsizetype(c)] += sockets[c]->readAll();
            all += int(answers[qsizetype(c)].count("HTTP/1.1 "));
        }
        return all >= expected;
    }, 60'000);
    return answers;
}

void tst_BrokerHttp::tokenRequestsPastTheBoundAreToldToComeBack()
{
    // Requests that each hold a broker thread for a while (unknown clients: a secret check
    // against the decoy), pipelined on a few connections, more at once than the gateway queues.
    // Past the bound each is answered 503 at once, to come back; none waits unanswered.
    constexpr int Connections = 6;
    constexpr int PerConnection = 50;  // 300 in all, past the 256 the broker takes at once
    const std::vector<std::unique_ptr<QTcpSocket>> sockets = floodTokenEndpoint(Connections, PerConnection);
    QCOMPARE(int(sockets.size()), Connections);
    const QList<QByteArray> answers = awaitAnswers(sockets, Connections * PerConnection);
    int answered = 0;
    for (const QByteArray &stream : answers)
        answered += int(stream.count("HTTP/1.1 "));
    QCOMPARE(answered, Connections * PerConnection);
    int comeBack = 0;
    int refusedClients = 0;
    for (const QByteArray &stream : std::as_const(answers)) {
        comeBack += int(stream.count("256 token requests are running or waiting"));
        refusedClients += int(stream.count("HTTP/1.1 401 "));
    }
    QVERIFY2(comeBack > 0, "every request was queued");
    QVERIFY2(refusedClients > 0, "no request was taken");
    QVERIFY(std::any_of(answers.cbegin(), answers.cend(), [](const QByteArray &stream) { return stream.contains("Retry-After: 1\r\n"); }));
    // And the gateway goes on.
    QCOMPARE(m_http->get(QStringLiteral("/healthz")).status, 200);
}

void tst_BrokerHttp::tokensInFlightEachComeWithTheirRecords()
{
    // Valid exchanges pipelined on a few connections: the broker's threads sign and move on,
    // the answers come as the audit writer commits their records in shared batches. Every one is
    // answered, on its own connection, with a token whose execution and delegation record exist.
    // Three waves of 100, more in all than the 256 taken at once: answered ones are let go.
    constexpr int Connections = 4;
    constexpr int PerConnection = 25;
    constexpr int Waves = 3;
    const QByteArray alice = idToken(QStringLiteral("alice"));
    QVERIFY(!alice.isEmpty());
    const QByteArray body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=" + alice
        + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token&scope=ticket%3Aread"
          "&client_id=support-agent&client_secret=" + QUrl::toPercentEncoding(secretOf(QStringLiteral("support-agent")));
    // The secret checked once before (and cached): a hundred first checks at once would be
    // told to come back (the KDF's run limit), which is not what this is about.
    QCOMPARE(m_http->send("POST", QStringLiteral("/v1/token"), body, {{"Content-Type", "application/x-www-form-urlencoded"}}).status, 200);
    QSet<QString> executions;
    for (int wave = 0; wave < Waves; ++wave) {
        const std::vector<std::unique_ptr<QTcpSocket>> sockets = pipelineTokenRequests(body, Connections, PerConnection);
        QCOMPARE(int(sockets.size()), Connections);
        const QList<QByteArray> answers = awaitAnswers(sockets, Connections * PerConnection);
        for (const QByteArray &stream : answers) {
            QVERIFY2(int(stream.count("HTTP/1.1 200 ")) == PerConnection, stream.constData());
            for (qsizetype at = stream.indexOf("\"access_token\":\""); at >= 0; at = stream.indexOf("\"access_token\":\"", at + 1)) {
                const qsizetype start = at + qsizetype(strlen("\"access_token\":\""));
                const QJsonArray details = claimsOf(stream.mid(start, stream.indexOf('"', start) - start))
                                               .value(QStringLiteral("authorization_details")).toArray();
                QVERIFY(!details.isEmpty());
                executions.insert(details.first().toObject().value(QStringLiteral("execution")).toString());
            }
        }
    }
    QCOMPARE(int(executions.size()), Waves * Connections * PerConnection);
    for (const QString &id : std::as_const(executions)) {
        QCOMPARE(m_http->get(QStringLiteral("/v1/executions/") + id, m_admin).status, 200);
        const HttpResult records = m_http->get(QStringLiteral("/v1/audit?execution=") + id, m_admin);
        QCOMPARE(records.status, 200);
        const QJsonArray items = records.json().value(QStringLiteral("items")).toArray();
        QCOMPARE(std::count_if(items.cbegin(), items.cend(), [](const QJsonValue &item) {
                     return item.toObject().value(QStringLiteral("mandate.event.type")).toString() == QLatin1String("delegation");
                 }),
                 qsizetype(1));
    }
}

void tst_BrokerHttp::revocationIsNotQueuedBehindTokenRequests()
{
    // Token requests past their bound (each holding a broker thread for a while) do not take
    // revocation's places: a leaked token can still be revoked while they wait.
    const QList<QPair<QByteArray, QByteArray>> revoker{
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Authorization", "Basic " + QByteArray("support-agent:" + secretOf(QStringLiteral("support-agent")).toUtf8()).toBase64()}};
    // Its secret checked once before (and cached): the flood's secret checks, which wait for a
    // few slow slots, are not what this is about.
    QCOMPARE(m_http->send("POST", QStringLiteral("/v1/revoke"), "token=not-a-token", revoker).status, 200);
    std::vector<std::unique_ptr<QTcpSocket>> sockets = floodTokenEndpoint(6, 50);
    QCOMPARE(int(sockets.size()), 6);
    // A revocation sent now is taken, not told to come back (its answer may wait for a thread).
    const HttpResult revoked = m_http->send("POST", QStringLiteral("/v1/revoke"), "token=not-a-token", revoker);
    QVERIFY2(!revoked.body.contains("requests are running or waiting"), revoked.body.constData());
    QVERIFY2(revoked.status == 200, revoked.body.constData());
    for (auto &socket : sockets)
        socket->abort();
}

void tst_BrokerHttp::adminExecutionsAndRevocation()
{
    QVERIFY(!m_supportToken.isEmpty());
    const QString rootId = claimsOf(m_supportToken).value(QStringLiteral("authorization_details")).toArray().first().toObject()
                               .value(QStringLiteral("execution")).toString();
    // The auditor reads; only the admin revokes.
    const HttpResult listed = m_http->get(QStringLiteral("/v1/executions?status=active&human=alice"), m_gateway->key(QStringLiteral("auditor")));
    QCOMPARE(listed.status, 200);
    QVERIFY(listed.json().value(QStringLiteral("items")).toArray().size() >= 2);
    const HttpResult children = m_http->get(QStringLiteral("/v1/executions?parent=") + rootId, m_admin);
    QCOMPARE(children.json().value(QStringLiteral("items")).toArray().size(), 1);
    const QString childId = children.json().value(QStringLiteral("items")).toArray().first().toObject().value(QStringLiteral("id")).toString();
    const HttpResult shown = m_http->get(QStringLiteral("/v1/executions/") + rootId, m_admin);
    QCOMPARE(shown.status, 200);
    QCOMPARE(shown.json().value(QStringLiteral("remaining")).toObject().value(QStringLiteral("calls")).toInt(), 97);  // 3 reserved by the child
    QCOMPARE(m_http->get(QStringLiteral("/v1/executions/exe_nope"), m_admin).status, 404);
    QCOMPARE(m_http->postJson(QStringLiteral("/v1/executions/") + rootId + QStringLiteral("/revoke"), "{}", m_gateway->key(QStringLiteral("auditor"))).status, 403);

    // RFC 7009 first, for the child, by its delegator; then the admin revokes the root.
    const QByteArray basic = "Basic " + QByteArray(QByteArray("support-agent:") + QUrl::toPercentEncoding(secretOf(QStringLiteral("support-agent")))).toBase64();
    const HttpResult rfc7009 = m_http->send("POST", QStringLiteral("/v1/revoke"), "token=garbage",
                                            {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", basic}});
    QCOMPARE(rfc7009.status, 200);  // an invalid token is not an error
    const HttpResult revoked = m_http->postJson(QStringLiteral("/v1/executions/") + rootId + QStringLiteral("/revoke"),
                                                R"({"reason":"test"})", m_admin);
    QCOMPARE(revoked.status, 200);
    const QJsonArray ids = revoked.json().value(QStringLiteral("revoked")).toArray();
    QVERIFY(ids.contains(rootId) && ids.contains(childId));
    const QJsonObject child = m_http->get(QStringLiteral("/v1/executions/") + childId, m_admin).json();
    QCOMPARE(child.value(QStringLiteral("status")).toString(), QStringLiteral("revoked"));
    QVERIFY(child.value(QStringLiteral("endReason")).toString().contains(QStringLiteral("test")));
    // A revoked parent cannot delegate.
    const HttpResult again = token({{QStringLiteral("subject_token"), QString::fromLatin1(m_supportToken)},
                                    {QStringLiteral("subject_token_type"), QStringLiteral("urn:ietf:params:oauth:token-type:access_token")},
                                    {QStringLiteral("scope"), QStringLiteral("refund:create")}},
                                   QStringLiteral("refund-subagent"));
    QCOMPARE(again.status, 400);
    QCOMPARE(again.json().value(QStringLiteral("error")).toString(), QStringLiteral("invalid_grant"));
}

void tst_BrokerHttp::devIdpRefusedOutsideDemo()
{
    QTemporaryDir dir;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(MANDATED_PATH), {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                                                   dir.path(), QStringLiteral("--dev-idp")});
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY2(process.readAll().contains("not in demo mode"), "the refusal must say why");
    QVERIFY(!QFile::exists(QDir(dir.path()).filePath(QStringLiteral("dev-idp/signing-key.json"))));
}

void tst_BrokerHttp::startupConfigIsChecked_data()
{
    // The trusted-issuers file and the [broker] jwks-* and id-token-* keys reach the gateway: a
    // jwks_uri that would fetch keys over plain http from a remote host, cache bounds that
    // contradict each other, limits out of range, a misspelt issuer member or a collector
    // credential that would travel in clear stop it at start-up with a message naming the
    // problem (the [audit] rows ride along in the same file).
    QTest::addColumn<QByteArray>("issuers");
    QTest::addColumn<QByteArray>("brokerKeys");
    QTest::addColumn<QByteArray>("message");
    const QByteArray remoteHttp = "{\"issuers\":[{\"issuer\":\"https:/" "/idp.example\",\"jwks_uri\":\"http:/" "/idp.example/jwks\"}]}";
    const QByteArray loopback = "{\"issuers\":[{\"issuer\":\"https:/" "/idp.example\",\"jwks_uri\":\"http:/" "/127.0.0.1:9/jwks\"}]}";
    QTest::addRow("plain http to a remote host") << remoteHttp << QByteArray() << QByteArray("https");
    QTest::addRow("cache bounds reversed") << loopback << QByteArray("jwks-min-cache-secs = 600\njwks-max-cache-secs = 60\n")
                                           << QByteArray("jwks-min-cache-secs");
    QTest::addRow("bad timeout") << loopback << QByteArray("jwks-timeout-ms = soon\n") << QByteArray("jwks-timeout-ms");
    QTest::addRow("ID tokens of no age") << loopback << QByteArray("id-token-max-age-secs = 0\n") << QByteArray("id-token-max-age-secs must be an integer from 1 to 2592000");
    QTest::addRow("ID token skew too wide") << loopback << QByteArray("id-token-clock-skew-secs = 3600\n") << QByteArray("id-token-clock-skew-secs must be an integer from 0 to 300");
    QTest::addRow("ID tokens for a year") << loopback << QByteArray("id-token-max-lifetime-secs = 31536000\n") << QByteArray("id-token-max-lifetime-secs must be an integer from 1 to 2592000");
    QTest::addRow("an audience split at a comma") << loopback << QByteArray("id-token-audience = a,b\n") << QByteArray("broker/id-token-audience holds a comma");
    QTest::addRow("a collector credential in clear") << loopback
        << QByteArray("[audit]\notlp-endpoint = http://collector.example:4318/v1/logs\notlp-authorization = Bearer s3cret\n")
        << QByteArray("audit/otlp-authorization would go in clear to collector.example");
    QTest::addRow("a collector credential in the URL") << loopback
        << QByteArray("[audit]\notlp-endpoint = https://user:s3cret@collector.example/v1/logs\n")
        << QByteArray("audit/otlp-endpoint must not hold credentials");
    QTest::addRow("an issuer entry misspelt") << QByteArray("{\"issuers\":[{\"issuer\":\"https:/" "/idp.example\",\"jwks_url\":\"https:/" "/idp.example/jwks\"}]}")
                                              << QByteArray() << QByteArray("unknown member \"jwks_url\"");
}

void tst_BrokerHttp::startupConfigIsChecked()
{
    QFETCH(QByteArray, issuers);
    QFETCH(QByteArray, brokerKeys);
    QFETCH(QByteArray, message);
    QTemporaryDir dir;
    QProcess process;
    QVERIFY(startWithIssuers(process, dir, issuers, brokerKeys));
    QVERIFY(process.waitForFinished(15000));
    QVERIFY(process.exitCode() != 0);
    const QByteArray output = process.readAll();
    QVERIFY2(output.contains(message), output.constData());
}

void tst_BrokerHttp::jwksUriFetchedAtStart()
{
    // A trusted issuer's keys are fetched when the gateway starts, not at its first exchange.
    QTcpServer idp;
    QVERIFY(idp.listen(QHostAddress::LocalHost));
    QByteArrayList requests;
    connect(&idp, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *socket = idp.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [&requests, socket] {
            // Answered once the whole head is in, however it arrives.
            QByteArray request = socket->property("head").toByteArray() + socket->readAll();
            socket->setProperty("head", request);
            if (!request.contains("\r\n\r\n"))
                return;
            requests << request.left(request.indexOf("\r\n"));
            // RFC 8037's example public key.
            const QByteArray jwks = R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"idp-1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(jwks.size())
                          + "\r\nConnection: close\r\n\r\n" + jwks);
            socket->disconnectFromHost();
        });
    });
    QTemporaryDir dir;
    QProcess process;
    const QByteArray issuers = "{\"issuers\":[{\"issuer\":\"https:/" "/idp.example\",\"jwks_uri\":\"http:/" "/127.0.0.1:"
                               + QByteArray::number(idp.serverPort()) + "/jwks\"}]}";
    QVERIFY(startWithIssuers(process, dir, issuers));
    QVERIFY(process.waitForStarted(15000));
    QTRY_COMPARE_WITH_TIMEOUT(requests.size(), 1, 15000);
    QCOMPARE(requests.constFirst(), QByteArray("GET /jwks HTTP/1.1"));
    QByteArray log;
    QTRY_VERIFY2_WITH_TIMEOUT((log += process.readAll()).contains("fetched 1 key(s)") || process.state() != QProcess::Running,
                              log.constData(), 10000);
    QCOMPARE(process.state(), QProcess::Running);
    process.terminate();
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);  // drained, not killed by the signal
    QCOMPARE(process.exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_BrokerHttp)
#include "tst_broker_http.moc"
