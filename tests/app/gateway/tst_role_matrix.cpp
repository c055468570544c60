// SPDX-License-Identifier: Apache-2.0
// Every admin endpoint × every credential, over real HTTP against a real mandated: the three
// admin roles, no key, garbage and forged keys, and a valid execution token. The route list
// comes from the gateway's own router, so an endpoint added without a row here fails the test.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>

#include <functional>

using namespace mandate;
using namespace mandate::testing;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

/// Who may call an admin endpoint, as the design states it (Role.h): admin does everything,
/// auditor reads, analyst reads and simulates. Written out here rather than taken from
/// roleAllows(), so that a wrong change to the role table fails this test.
enum class Access { Read, AdminOnly, Simulate };

bool roleMay(const QString &role, Access access)
{
    if (role == QLatin1String("admin"))
        return true;
    if (role == QLatin1String("auditor"))
        return access == Access::Read;
    if (role == QLatin1String("analyst"))
        return access == Access::Read || access == Access::Simulate;
    return false;
}

/// Some writes need the current record: the body to send back and its ETag for If-Match.
using BodyFrom = std::function<QByteArray(const QJsonObject &current)>;

/// One admin route and a concrete request that an allowed caller sees succeed.
struct Probe
{
    QByteArray method;
    QString pattern;  ///< exactly as the router registers it
    Access access;
    QString path;     ///< {exec} and {victim} are replaced by live execution ids, {apikey} by a spare key's id
    int success;      ///< the status an allowed role gets; 0: anything but 401/403 (body unknown)
    QByteArray body = {};
    QString current = {};  ///< GET this (as admin) first for If-Match and, with bodyFrom, the body
    BodyFrom bodyFrom = {};
    bool pending = false;  ///< announced by the design but perhaps not served yet
};

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

BodyFrom reIdentified(const QString &id)
{
    return [id](QJsonObject current) {
        current.insert(QStringLiteral("id"), id);
        current.remove(QStringLiteral("version"));
        // A human is who an ID token's issuer and subject name: a copy is someone else.
        if (current.contains(QStringLiteral("subject")))
            current.insert(QStringLiteral("subject"), id);
        return compact(current);
    };
}

/// A tool's actions are named after it ("ticket:read"), so a copy renames them too.
BodyFrom toolCopy(const QString &id)
{
    return [id](QJsonObject current) {
        const QString oldPrefix = current.value(QStringLiteral("id")).toString() + u':';
        QJsonArray actions = current.value(QStringLiteral("actions")).toArray();
        for (QJsonValueRef action : actions) {
            QJsonObject renamed = action.toObject();
            const QString name = id + u':' + renamed.value(QStringLiteral("name")).toString().mid(oldPrefix.size());
            renamed.insert(QStringLiteral("name"), name);
            action = renamed;
        }
        current.insert(QStringLiteral("actions"), actions);
        return reIdentified(id)(current);
    };
}

BodyFrom unchanged()
{
    return [](const QJsonObject &current) { return compact(current); };
}

/// A collection of the registry: list, create, read, update (and for agents retire), delete, in
/// the order that lets the admin's row of each one succeed.
QList<Probe> collection(const QString &name, const QString &existing, const QString &created, const QByteArray &createBody)
{
    const QString base = QStringLiteral("/v1/") + name;
    const QString item = base + QStringLiteral("/{id}");
    const QString mine = base + u'/' + created;
    QList<Probe> probes{
        {"GET", base, Access::Read, base, 200},
        {"POST", base, Access::AdminOnly, base, 201, createBody, existing.isEmpty() ? QString() : base + u'/' + existing,
         !createBody.isEmpty() ? BodyFrom() : name == QLatin1String("tools") ? toolCopy(created) : reIdentified(created)},
        {"GET", item, Access::Read, mine, 200},
        {"PUT", item, Access::AdminOnly, mine, 200, {}, mine, unchanged()},
    };
    if (name == QLatin1String("agents"))
        probes.append({"POST", QStringLiteral("/v1/agents/{id}/retire"), Access::AdminOnly, mine + QStringLiteral("/retire"), 200, {}, mine});
    probes.append({"DELETE", item, Access::AdminOnly, mine, 204, {}, mine});
    return probes;
}

QList<Probe> adminProbes()
{
    QList<Probe> probes{{"GET", QStringLiteral("/v1/whoami"), Access::Read, QStringLiteral("/v1/whoami"), 200}};
    probes += collection(QStringLiteral("agents"), QStringLiteral("refund-subagent"), QStringLiteral("matrix-agent"), {});
    probes += collection(QStringLiteral("tools"), QStringLiteral("ticket"), QStringLiteral("matrix-tool"), {});
    probes += collection(QStringLiteral("humans"), QStringLiteral("alice"), QStringLiteral("matrix-human"), {});
    probes += collection(QStringLiteral("machines"), {}, QStringLiteral("matrix-machine"),
                         R"({"id":"matrix-machine","displayName":"Matrix CI","kind":"service","owner":"carol"})");
    const BodyFrom policySource = [](const QJsonObject &current) {
        return compact({{QStringLiteral("source"), current.value(QStringLiteral("source"))},
                        {QStringLiteral("comment"), QStringLiteral("republished by the role matrix")}});
    };
    const QString policies = QStringLiteral("/v1/policies");
    probes += QList<Probe>{
        {"GET", QStringLiteral("/v1/registry"), Access::Read, QStringLiteral("/v1/registry"), 200},
        {"POST", QStringLiteral("/v1/registry/validate"), Access::Read, QStringLiteral("/v1/registry/validate"), 200, {},
         QStringLiteral("/v1/registry"), unchanged()},
        {"POST", QStringLiteral("/v1/registry/import"), Access::AdminOnly, QStringLiteral("/v1/registry/import"), 200, {},
         QStringLiteral("/v1/registry"), unchanged()},
        {"GET", policies, Access::Read, policies, 200},
        {"POST", QStringLiteral("/v1/policies/validate"), Access::Read, QStringLiteral("/v1/policies/validate"), 200, {}, policies, policySource},
        {"PUT", policies, Access::AdminOnly, policies, 200, {}, policies, policySource},
        {"GET", QStringLiteral("/v1/policies/schema"), Access::Read, QStringLiteral("/v1/policies/schema"), 200},
        {"GET", QStringLiteral("/v1/policies/versions"), Access::Read, QStringLiteral("/v1/policies/versions"), 200},
        {"GET", QStringLiteral("/v1/policies/versions/{version}"), Access::Read, QStringLiteral("/v1/policies/versions/1"), 200},
        {"POST", QStringLiteral("/v1/policies/versions/{version}/restore"), Access::AdminOnly,
         QStringLiteral("/v1/policies/versions/1/restore"), 200, {}, policies},
        {"GET", QStringLiteral("/v1/executions"), Access::Read, QStringLiteral("/v1/executions"), 200},
        {"GET", QStringLiteral("/v1/executions/{id}"), Access::Read, QStringLiteral("/v1/executions/{exec}"), 200},
        {"POST", QStringLiteral("/v1/executions/{id}/revoke"), Access::AdminOnly, QStringLiteral("/v1/executions/{victim}/revoke"), 200,
         R"({"reason":"role matrix"})"},
        {"GET", QStringLiteral("/v1/audit"), Access::Read, QStringLiteral("/v1/audit?limit=5"), 200},
        {"POST", QStringLiteral("/v1/audit/verify"), Access::Read, QStringLiteral("/v1/audit/verify"), 200, "{}"},
        {"GET", QStringLiteral("/v1/lineage"), Access::Read, QStringLiteral("/v1/lineage?execution={exec}"), 200},
        {"GET", QStringLiteral("/v1/keys"), Access::Read, QStringLiteral("/v1/keys"), 200},
        // Admin API keys: admins only, for reading too. {apikey} is a spare key for the admin to revoke.
        {"GET", QStringLiteral("/v1/api-keys"), Access::AdminOnly, QStringLiteral("/v1/api-keys"), 200},
        {"POST", QStringLiteral("/v1/api-keys"), Access::AdminOnly, QStringLiteral("/v1/api-keys"), 201,
         R"({"name":"matrix-key","role":"auditor"})"},
        {"GET", QStringLiteral("/v1/api-keys/{id}"), Access::AdminOnly, QStringLiteral("/v1/api-keys/{apikey}"), 200},
        {"DELETE", QStringLiteral("/v1/api-keys/{id}"), Access::AdminOnly, QStringLiteral("/v1/api-keys/{apikey}"), 200},
        // The default overlap keeps every token the matrix holds verifying.
        {"POST", QStringLiteral("/v1/keys/rotate"), Access::AdminOnly, QStringLiteral("/v1/keys/rotate"), 200, "{}"},
        {"POST", QStringLiteral("/v1/simulate"), Access::Simulate, QStringLiteral("/v1/simulate"), 200, {}, policies,
         [](const QJsonObject &current) { return compact({{QStringLiteral("policies"), current.value(QStringLiteral("source"))}}); }, true},
        // Served only by demo gateways started with --test-clock, as this one is.
        {"POST", QStringLiteral("/v1/dev/clock"), Access::AdminOnly, QStringLiteral("/v1/dev/clock"), 200, R"({"advance":1})"},
        {"GET", QStringLiteral("/v1/dev/routes"), Access::AdminOnly, QStringLiteral("/v1/dev/routes"), 200},
    };
    return probes;
}

/// Routes that take no admin key by design: public metadata, the broker's OAuth endpoints
/// (client authentication), enforcement (execution tokens) and the demo business API.
const QSet<QString> &nonAdminRoutes()
{
    static const QSet<QString> routes{
        QStringLiteral("GET /healthz"), QStringLiteral("GET /metrics"), QStringLiteral("GET /.well-known/jwks.json"),
        QStringLiteral("GET /.well-known/oauth-authorization-server"), QStringLiteral("POST /v1/token"), QStringLiteral("POST /v1/revoke"),
        QStringLiteral("POST /v1/authorize"), QStringLiteral("GET /v1/tools/{tool}/{path...}"), QStringLiteral("POST /v1/tools/{tool}/{path...}"),
        QStringLiteral("PUT /v1/tools/{tool}/{path...}"), QStringLiteral("PATCH /v1/tools/{tool}/{path...}"),
        QStringLiteral("DELETE /v1/tools/{tool}/{path...}"), QStringLiteral("GET /demo-api/ticket/tickets/{id}"),
        QStringLiteral("PUT /demo-api/ticket/tickets/{id}"), QStringLiteral("POST /demo-api/refund/refunds"),
        QStringLiteral("GET /demo-api/account/accounts/{id}"), QStringLiteral("DELETE /demo-api/account/accounts/{id}"),
    };
    return routes;
}

QString routeKey(const QByteArray &method, const QString &pattern)
{
    return QString::fromLatin1(method) + u' ' + pattern;
}

const QStringList &credentials()
{
    // Admin last: its row of a write is the one that changes something.
    static const QStringList names{QStringLiteral("none"), QStringLiteral("garbage"), QStringLiteral("forged"),
                                   QStringLiteral("execution"), QStringLiteral("auditor"), QStringLiteral("analyst"),
                                   QStringLiteral("admin")};
    return names;
}

} // namespace

class tst_RoleMatrix final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void everyRouteIsClassified();
    void matrix_data();
    void matrix();
    void eventStream_data();
    void eventStream();
    void executionTokenStillWorksOnItsOwnPath();
    void theBearerSchemeIsCaseInsensitive();

private:
    QByteArray executionToken();
    QByteArray bearerFor(const QString &credential) const;
    QString expand(const QString &path) const;

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QByteArray m_token;
    QString m_execution;
    QString m_victim;
    QString m_spareKey;
    QSet<QString> m_registered;
    QList<Probe> m_probes;
};

QByteArray tst_RoleMatrix::executionToken()
{
    return exchangeDemoToken(*m_gateway, *m_http);
}

QString executionOf(const QByteArray &token)
{
    const QByteArray payload = QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding);
    const QJsonArray details = QJsonDocument::fromJson(payload).object().value(QStringLiteral("authorization_details")).toArray();
    return details.first().toObject().value(QStringLiteral("execution")).toString();
}

void tst_RoleMatrix::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH), QStringList{QStringLiteral("--test-clock")});
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    for (const char *role : {"admin", "auditor", "analyst"})
        QVERIFY2(!m_gateway->key(QLatin1String(role)).isEmpty(), role);
    m_token = executionToken();
    QVERIFY(!m_token.isEmpty());
    m_execution = executionOf(m_token);
    // A second execution, for the admin to revoke: the token above must stay valid throughout.
    m_victim = executionOf(executionToken());
    QVERIFY(!m_execution.isEmpty() && !m_victim.isEmpty());
    const HttpResult spare = m_http->postJson(QStringLiteral("/v1/api-keys"), R"({"name":"matrix-spare","role":"analyst"})", m_admin);
    QCOMPARE(spare.status, 201);
    m_spareKey = spare.json().value(QStringLiteral("id")).toString();
    QVERIFY(!m_spareKey.isEmpty());
    // A decision gives the execution an audit trail, and so a lineage to read.
    QCOMPARE(m_http->postJson(QStringLiteral("/v1/authorize"),
                              R"({"action":"ticket:read","resource":{"type":"Tool","id":"ticket"},"args":{}})", m_token).status, 200);

    const HttpResult routes = m_http->get(QStringLiteral("/v1/dev/routes"), m_admin);
    QCOMPARE(routes.status, 200);
    for (const QJsonValue &route : routes.json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject object = route.toObject();
        m_registered.insert(routeKey(object.value(QStringLiteral("method")).toString().toLatin1(),
                                     object.value(QStringLiteral("pattern")).toString()));
    }
    QVERIFY(m_registered.size() > 30);
    m_probes = adminProbes();
}

void tst_RoleMatrix::cleanupTestCase()
{
    if (!m_gateway)
        return;
    // Everything above, denials included, left an intact audit chain.
    const HttpResult verified = m_http->postJson(QStringLiteral("/v1/audit/verify"), "{}", m_admin);
    QCOMPARE(verified.status, 200);
    QCOMPARE(m_gateway->stop(), 0);
}

void tst_RoleMatrix::everyRouteIsClassified()
{
    QSet<QString> probed;
    for (const Probe &probe : std::as_const(m_probes)) {
        const QString key = routeKey(probe.method, probe.pattern);
        probed.insert(key);
        QVERIFY2(probe.pending || m_registered.contains(key), qPrintable(key + QStringLiteral(" is in the matrix but not served")));
    }
    QStringList missing;
    for (const QString &route : std::as_const(m_registered)) {
        if (!probed.contains(route) && !nonAdminRoutes().contains(route))
            missing << route;
    }
    missing.sort();
    QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("routes with no row in the role matrix: ") + missing.join(QStringLiteral(", "))));
    for (const QString &route : nonAdminRoutes())
        QVERIFY2(m_registered.contains(route), qPrintable(route + QStringLiteral(" is listed as public but not served")));
}

void tst_RoleMatrix::matrix_data()
{
    QTest::addColumn<int>("probe");
    QTest::addColumn<QString>("credential");
    for (int i = 0; i < m_probes.size(); ++i) {
        const Probe &probe = m_probes[i];
        if (!m_registered.contains(routeKey(probe.method, probe.pattern)))
            continue;  // a pending route; everyRouteIsClassified() decides whether that is allowed
        for (const QString &credential : credentials())
            QTest::addRow("%s %s as %s", probe.method.constData(), qPrintable(probe.pattern), qPrintable(credential)) << i << credential;
    }
}

QByteArray tst_RoleMatrix::bearerFor(const QString &credential) const
{
    if (credential == QLatin1String("none"))
        return {};
    if (credential == QLatin1String("garbage"))
        return "not-a-key";
    if (credential == QLatin1String("forged"))
        return "mdk_0123456789abcdef_" + QByteArray(43, 'A');
    if (credential == QLatin1String("execution"))
        return m_token;
    return m_gateway->key(credential);
}

QString tst_RoleMatrix::expand(const QString &path) const
{
    QString expanded = path;
    return expanded.replace(QLatin1String("{exec}"), m_execution).replace(QLatin1String("{victim}"), m_victim)
        .replace(QLatin1String("{apikey}"), m_spareKey);
}

void tst_RoleMatrix::matrix()
{
    QFETCH(int, probe);
    QFETCH(QString, credential);
    const Probe &p = m_probes.at(probe);

    Headers headers{{"Content-Type", "application/json"}};
    QByteArray body = p.body;
    if (!p.current.isEmpty()) {
        const HttpResult current = m_http->get(expand(p.current), m_admin);
        QCOMPARE(current.status, 200);
        headers.append({"If-Match", current.header("ETag")});
        if (p.bodyFrom)
            body = p.bodyFrom(current.json());
    }
    const QByteArray bearer = bearerFor(credential);
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer});
    const HttpResult result = m_http->send(p.method, expand(p.path), body, headers);

    const bool isRole = credential == QLatin1String("admin") || credential == QLatin1String("auditor")
                        || credential == QLatin1String("analyst");
    if (!isRole) {
        QCOMPARE(result.status, 401);
        QVERIFY(!result.header("WWW-Authenticate").isEmpty());
    } else if (!roleMay(credential, p.access)) {
        QCOMPARE(result.status, 403);
    } else if (p.success == 0) {
        QVERIFY2(result.status != 401 && result.status != 403 && result.status < 500, qPrintable(QString::fromUtf8(result.body)));
    } else {
        QVERIFY2(result.status == p.success, qPrintable(QStringLiteral("%1: %2").arg(result.status).arg(QString::fromUtf8(result.body))));
    }
    if (result.status == 401 || result.status == 403) {
        QCOMPARE(result.header("Content-Type"), QByteArray("application/problem+json"));
        // A refusal says nothing about the resource.
        QVERIFY(!result.json().contains(QStringLiteral("items")));
    }
}

void tst_RoleMatrix::eventStream_data()
{
    QTest::addColumn<QString>("credential");
    for (const QString &credential : credentials())
        QTest::addRow("%s", qPrintable(credential)) << credential;
}

void tst_RoleMatrix::eventStream()
{
    // /v1/events is an admin endpoint outside the router: a WebSocket upgrade.
    QFETCH(QString, credential);
    QUrl url = m_gateway->url();
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QStringLiteral("/v1/events"));
    QNetworkRequest request(url);
    const QByteArray bearer = bearerFor(credential);
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    QWebSocket socket;
    QStringList messages;
    bool closed = false;
    connect(&socket, &QWebSocket::textMessageReceived, this, [&messages](const QString &text) { messages << text; });
    connect(&socket, &QWebSocket::disconnected, this, [&closed]() { closed = true; });
    socket.open(request);
    QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty() || closed, 15000);
    const bool mayRead = credential == QLatin1String("admin") || credential == QLatin1String("auditor")
                         || credential == QLatin1String("analyst");
    if (mayRead) {
        QVERIFY2(!messages.isEmpty(), qPrintable(socket.closeReason()));
        const QJsonObject hello = QJsonDocument::fromJson(messages.first().toUtf8()).object();
        QCOMPARE(hello.value(QStringLiteral("type")).toString(), QStringLiteral("hello"));
        QCOMPARE(hello.value(QStringLiteral("role")).toString(), credential);
        socket.close();
    } else {
        QVERIFY(messages.isEmpty());
        QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    }
}

void tst_RoleMatrix::executionTokenStillWorksOnItsOwnPath()
{
    // The token refused everywhere above is valid: the refusals were about the API, not the token.
    const HttpResult decided = m_http->postJson(QStringLiteral("/v1/authorize"),
        R"({"action":"ticket:read","resource":{"type":"Tool","id":"ticket"},"args":{}})", m_token);
    QCOMPARE(decided.status, 200);
    QCOMPARE(decided.json().value(QStringLiteral("execution")).toString(), m_execution);
}

void tst_RoleMatrix::theBearerSchemeIsCaseInsensitive()
{
    // RFC 7235 §2.1: an auth-scheme is case-insensitive; "bearer" is the Bearer scheme.
    for (const QByteArray &scheme : {QByteArray("bearer "), QByteArray("BEARER "), QByteArray("BeArEr  ")}) {
        const HttpResult admin = m_http->send("GET", QStringLiteral("/v1/agents"), {}, {{"Authorization", scheme + m_admin}});
        QVERIFY2(admin.status == 200, scheme.constData());
        const HttpResult decided = m_http->send("POST", QStringLiteral("/v1/authorize"),
            R"({"action":"ticket:read","resource":{"type":"Tool","id":"ticket"},"args":{}})",
            {{"Authorization", scheme + m_token}, {"Content-Type", "application/json"}});
        QVERIFY2(decided.status == 200, qPrintable(QString::fromLatin1(scheme) + QString::fromUtf8(decided.body)));
    }
    // Another scheme, or the scheme name alone, is still no credential.
    const QByteArray refused[] = {"Token " + m_admin, QByteArray("Bearer"), "Bearer" + m_admin};
    for (const QByteArray &authorization : refused)
        QCOMPARE(m_http->send("GET", QStringLiteral("/v1/agents"), {}, {{"Authorization", authorization}}).status, 401);
}

QTEST_GUILESS_MAIN(tst_RoleMatrix)
#include "tst_role_matrix.moc"
