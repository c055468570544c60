// SPDX-License-Identifier: Apache-2.0
// The records that are not tool calls (issue #6), over real HTTP against a demo mandated with a
// test clock: a token exchange is one delegation record and gives the new execution a lineage
// before any call; a revocation is one record per execution it ends (descendants included);
// passing an expiry is one expiry record per execution, never two, across a restart; registry
// and policy writes are admin_change records with who, before and after; and the chain verifies.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;

namespace {

constexpr auto kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

QByteArray form(const QList<QPair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

QString executionOf(const QByteArray &token)
{
    const QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding)).object();
    return claims.value(QStringLiteral("authorization_details")).toArray().first().toObject().value(QStringLiteral("execution")).toString();
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

} // namespace

class tst_AuditEvents final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void delegationIsRecorded();
    void newExecutionHasALineage();
    void revocationRecordsEachExecution();
    void clientRevocationIsRecorded();
    void agentUpdateIsAnAdminChange();
    void policyPublishIsAnAdminChange();
    void createAndDeleteAreAdminChanges();
    void delegationFailsClosed();
    void authorizeFailsClosed();
    void adminChangesFailClosed();
    void refusedAdminChangeLeavesNoRecord();
    void failedAdminWriteIsItsOwn();
    void expiryIsRecordedOnce();
    void chainVerifies();

private:
    QByteArray mint(const QString &client, const QString &subjectToken, const QString &subjectType, const QString &scope,
                    const QString &details);
    QByteArray rootToken(const QString &purpose, int ttl);
    QByteArray childToken(const QByteArray &parent, int ttl);
    QJsonArray records(const QString &query);
    QJsonArray recordsOf(const QString &execution, const QString &event);
    QString secretOf(const QString &client) const;

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QJsonObject m_clients;
    QByteArray m_admin;
    QString m_adminName;
    QByteArray m_root;
    QByteArray m_child;
    HttpResult m_lastExchange;
};

void tst_AuditEvents::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH), QStringList{QStringLiteral("--test-clock")});
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QFile clients(QDir(m_gateway->dataDir()).filePath(QStringLiteral("demo-clients.json")));
    QVERIFY(clients.open(QIODevice::ReadOnly));
    m_clients = QJsonDocument::fromJson(clients.readAll()).object();
    const HttpResult whoami = m_http->get(QStringLiteral("/v1/whoami"), m_admin);
    QCOMPARE(whoami.status, 200);
    m_adminName = str(whoami.json(), "name");
    QVERIFY(!m_adminName.isEmpty());
}

void tst_AuditEvents::cleanupTestCase()
{
    if (m_gateway && m_gateway->process().state() != QProcess::NotRunning)
        QCOMPARE(m_gateway->stop(), 0);
}

QString tst_AuditEvents::secretOf(const QString &client) const
{
    return m_clients.value(client).toObject().value(QStringLiteral("client_secret")).toString();
}

QByteArray tst_AuditEvents::mint(const QString &client, const QString &subjectToken, const QString &subjectType,
                                 const QString &scope, const QString &details)
{
    const QByteArray body = form({{QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange")},
                                  {QStringLiteral("subject_token"), subjectToken},
                                  {QStringLiteral("subject_token_type"), subjectType},
                                  {QStringLiteral("scope"), scope},
                                  {QStringLiteral("authorization_details"), details}});
    const QByteArray basic = "Basic " + QByteArray(QUrl::toPercentEncoding(client) + ':' + QUrl::toPercentEncoding(secretOf(client))).toBase64();
    const HttpResult &result = m_lastExchange = m_http->send("POST", QStringLiteral("/v1/token"), body,
                                           {{"Content-Type", "application/x-www-form-urlencoded"},
                                            {"Authorization", basic},
                                            {"traceparent", QByteArray("00-") + kTraceId + "-00f067aa0ba902b7-01"}});
    if (result.status != 200) {
        qWarning() << "token exchange failed:" << result.status << result.body;
        return {};
    }
    return result.json().value(QStringLiteral("access_token")).toString().toLatin1();
}

QByteArray tst_AuditEvents::rootToken(const QString &purpose, int ttl)
{
    // What `mandatectl dev id-token --user alice` prints (the gateway's clock is not advanced yet).
    SystemClock clock;
    broker::DevIdentityProvider idp(m_gateway->dataDir(), clock);
    if (!idp.open(broker::DevIdentityProvider::Mode::OpenExisting))
        return {};
    const QByteArray idToken = idp.issueIdToken(QStringLiteral("alice")).value();
    return mint(QStringLiteral("support-agent"), QString::fromLatin1(idToken), QStringLiteral("urn:ietf:params:oauth:token-type:id_token"),
                QStringLiteral("refund:create ticket:read"),
                QStringLiteral(R"([{"type":"agent_execution","purpose":"%1","ttl":%2}])").arg(purpose).arg(ttl));
}

QByteArray tst_AuditEvents::childToken(const QByteArray &parent, int ttl)
{
    return mint(QStringLiteral("refund-subagent"), QString::fromLatin1(parent), QStringLiteral("urn:ietf:params:oauth:token-type:access_token"),
                QStringLiteral("refund:create"),
                QStringLiteral(R"([{"type":"agent_execution","budget":{"calls":3,"amount":"50.00"},"ttl":%1}])").arg(ttl));
}

QJsonArray tst_AuditEvents::records(const QString &query)
{
    const HttpResult result = m_http->get(QStringLiteral("/v1/audit?limit=1000&") + query, m_gateway->key(QStringLiteral("auditor")));
    if (result.status != 200)
        qWarning() << "audit query failed:" << result.status << result.body;
    return result.json().value(QStringLiteral("items")).toArray();
}

QJsonArray tst_AuditEvents::recordsOf(const QString &execution, const QString &event)
{
    return records(QStringLiteral("descendants=false&execution=%1&event=%2").arg(execution, event));
}

void tst_AuditEvents::delegationIsRecorded()
{
    m_root = rootToken(QStringLiteral("refund for ticket T-7"), 900);
    QVERIFY(!m_root.isEmpty());
    const QString rootId = executionOf(m_root);
    const QJsonObject execution = m_http->get(QStringLiteral("/v1/executions/") + rootId, m_admin).json();
    const QJsonArray delegations = recordsOf(rootId, QStringLiteral("delegation"));
    QCOMPARE(delegations.size(), 1);
    const QJsonObject d = delegations.first().toObject();
    QCOMPARE(str(d, "mandate.agent.id"), QStringLiteral("support-agent"));
    QCOMPARE(str(d, "mandate.execution.purpose"), QStringLiteral("refund for ticket T-7"));
    QCOMPARE(d.value(QStringLiteral("mandate.delegation.chain")).toArray(), execution.value(QStringLiteral("chain")).toArray());
    QCOMPARE(str(d, "mandate.delegation.root"), execution.value(QStringLiteral("chain")).toArray().first().toString());
    QVERIFY(!d.contains(QStringLiteral("mandate.execution.parent_id")));
    QCOMPARE(str(d, "trace_id"), QLatin1String(kTraceId));
    QCOMPARE(d.value(QStringLiteral("mandate.budget.after")).toObject(), execution.value(QStringLiteral("budget")).toObject());
    const QJsonObject details = d.value(QStringLiteral("mandate.details")).toObject();
    QCOMPARE(str(details, "client"), QStringLiteral("support-agent"));
    QCOMPARE(str(details, "expires_at"), str(execution, "expiresAt"));
    QCOMPARE(details.value(QStringLiteral("risk_ceiling")).toInt(), execution.value(QStringLiteral("riskCeiling")).toInt());
    QCOMPARE(details.value(QStringLiteral("capabilities")).toArray(), execution.value(QStringLiteral("capabilities")).toArray());

    // A sub-delegation names its parent.
    m_child = childToken(m_root, 300);
    QVERIFY(!m_child.isEmpty());
    const QJsonArray sub = recordsOf(executionOf(m_child), QStringLiteral("delegation"));
    QCOMPARE(sub.size(), 1);
    QCOMPARE(str(sub.first().toObject(), "mandate.execution.parent_id"), rootId);
    QCOMPARE(str(sub.first().toObject(), "mandate.agent.id"), QStringLiteral("refund-subagent"));
    QCOMPARE(str(sub.first().toObject().value(QStringLiteral("mandate.details")).toObject(), "client"), QStringLiteral("refund-subagent"));
}

void tst_AuditEvents::newExecutionHasALineage()
{
    QVERIFY(!m_child.isEmpty());
    const QString rootId = executionOf(m_root);
    const QString childId = executionOf(m_child);
    QVERIFY(records(QStringLiteral("event=decision&execution=") + rootId).isEmpty());  // no call made yet
    const HttpResult lineage = m_http->get(QStringLiteral("/v1/lineage?execution=") + childId, m_gateway->key(QStringLiteral("auditor")));
    QCOMPARE(lineage.status, 200);
    QSet<QString> nodes;
    for (const QJsonValue &node : lineage.json().value(QStringLiteral("nodes")).toArray())
        nodes.insert(str(node.toObject(), "id"));
    QSet<QString> edges;
    for (const QJsonValue &edge : lineage.json().value(QStringLiteral("edges")).toArray())
        edges.insert(str(edge.toObject(), "from") + QStringLiteral(" -> ") + str(edge.toObject(), "to"));
    QVERIFY2(nodes.contains(QStringLiteral("execution:") + childId), lineage.body.constData());
    QVERIFY2(nodes.contains(QStringLiteral("agent:refund-subagent")), lineage.body.constData());
    QVERIFY2(edges.contains(QStringLiteral("execution:%1 -> execution:%2").arg(rootId, childId)), lineage.body.constData());
    QVERIFY2(edges.contains(QStringLiteral("agent:support-agent -> execution:") + rootId), lineage.body.constData());
}

void tst_AuditEvents::revocationRecordsEachExecution()
{
    // A tree of its own: root → child → grandchild is not allowed (depth 2), so root → two children.
    const QByteArray root = rootToken(QStringLiteral("to be revoked"), 900);
    QVERIFY(!root.isEmpty());
    const QByteArray first = childToken(root, 300);
    const QByteArray second = childToken(root, 300);
    QVERIFY(!first.isEmpty() && !second.isEmpty());
    const QString rootId = executionOf(root);
    const HttpResult revoked = m_http->postJson(QStringLiteral("/v1/executions/") + rootId + QStringLiteral("/revoke"),
                                                R"({"reason":"suspicious refunds"})", m_admin);
    QCOMPARE(revoked.status, 200);
    const QJsonArray ids = revoked.json().value(QStringLiteral("revoked")).toArray();
    QCOMPARE(ids.size(), 3);
    for (const QString &id : {rootId, executionOf(first), executionOf(second)}) {
        QVERIFY(ids.contains(id));
        const QJsonArray revocations = recordsOf(id, QStringLiteral("revocation"));
        QCOMPARE(revocations.size(), 1);
        const QJsonObject r = revocations.first().toObject();
        const QJsonObject details = r.value(QStringLiteral("mandate.details")).toObject();
        QCOMPARE(str(details, "actor"), QStringLiteral("admin:") + m_adminName);
        QCOMPARE(str(details, "cascade_root"), rootId);
        QVERIFY2(str(details, "cause").contains(QStringLiteral("suspicious refunds")), qPrintable(str(details, "cause")));
        QCOMPARE(str(r, "mandate.agent.id"), id == rootId ? QStringLiteral("support-agent") : QStringLiteral("refund-subagent"));
        QCOMPARE(str(r, "mandate.execution.parent_id"), id == rootId ? QString() : rootId);
    }
    // Revoking again ends nothing, so records nothing.
    QCOMPARE(m_http->postJson(QStringLiteral("/v1/executions/") + rootId + QStringLiteral("/revoke"), "{}", m_admin).status, 200);
    QCOMPARE(recordsOf(rootId, QStringLiteral("revocation")).size(), 1);
}

void tst_AuditEvents::clientRevocationIsRecorded()
{
    const QByteArray token = rootToken(QStringLiteral("revoked by its client"), 900);
    QVERIFY(!token.isEmpty());
    const QByteArray basic = "Basic " + QByteArray(QByteArray("support-agent:") + QUrl::toPercentEncoding(secretOf(QStringLiteral("support-agent")))).toBase64();
    const HttpResult revoked = m_http->send("POST", QStringLiteral("/v1/revoke"), "token=" + QUrl::toPercentEncoding(QString::fromLatin1(token)),
                                            {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", basic}});
    QCOMPARE(revoked.status, 200);
    const QJsonArray revocations = recordsOf(executionOf(token), QStringLiteral("revocation"));
    QCOMPARE(revocations.size(), 1);
    const QJsonObject details = revocations.first().toObject().value(QStringLiteral("mandate.details")).toObject();
    QCOMPARE(str(details, "actor"), QStringLiteral("client:support-agent"));
    QCOMPARE(str(details, "cascade_root"), executionOf(token));
}

void tst_AuditEvents::agentUpdateIsAnAdminChange()
{
    const HttpResult current = m_http->get(QStringLiteral("/v1/agents/support-agent"), m_admin);
    QCOMPARE(current.status, 200);
    QJsonObject agent = current.json();
    const qint64 version = agent.value(QStringLiteral("version")).toInteger();
    agent.insert(QStringLiteral("description"), QStringLiteral("answers tickets; audited edit"));
    const HttpResult updated = m_http->send("PUT", QStringLiteral("/v1/agents/support-agent"), QJsonDocument(agent).toJson(QJsonDocument::Compact),
                                            {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                             {"If-Match", current.header("etag")}});
    QVERIFY2(updated.status == 200, updated.body.constData());
    QJsonArray changes;
    for (const QJsonValue &record : records(QStringLiteral("event=admin_change"))) {
        if (str(record.toObject(), "mandate.admin.target") == QLatin1String("agent:support-agent"))
            changes.append(record);
    }
    QCOMPARE(changes.size(), 1);
    const QJsonObject change = changes.first().toObject();
    QCOMPARE(str(change, "mandate.admin.actor"), m_adminName);
    QCOMPARE(str(change.value(QStringLiteral("mandate.details")).toObject(), "role"), QStringLiteral("admin"));
    const QJsonObject before = change.value(QStringLiteral("mandate.admin.before")).toObject();
    const QJsonObject after = change.value(QStringLiteral("mandate.admin.after")).toObject();
    QCOMPARE(before.value(QStringLiteral("version")).toInteger(), version);
    QCOMPARE(after.value(QStringLiteral("version")).toInteger(), updated.json().value(QStringLiteral("version")).toInteger());
    QCOMPARE(str(after, "description"), QStringLiteral("answers tickets; audited edit"));
    QVERIFY(str(before, "description") != str(after, "description"));
}

void tst_AuditEvents::policyPublishIsAnAdminChange()
{
    const HttpResult current = m_http->get(QStringLiteral("/v1/policies"), m_admin);
    QCOMPARE(current.status, 200);
    const qint64 version = current.json().value(QStringLiteral("version")).toInteger();
    const QString source = str(current.json(), "source") + QStringLiteral("\n// reviewed\n");
    const QJsonObject body{{QStringLiteral("source"), source}, {QStringLiteral("comment"), QStringLiteral("audited publish")}};
    const HttpResult published = m_http->send("PUT", QStringLiteral("/v1/policies"), QJsonDocument(body).toJson(QJsonDocument::Compact),
                                              {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                               {"If-Match", current.header("etag")}});
    QVERIFY2(published.status == 200, published.body.constData());
    const qint64 newVersion = published.json().value(QStringLiteral("version")).toInteger();
    QJsonArray changes;
    for (const QJsonValue &record : records(QStringLiteral("event=admin_change"))) {
        if (str(record.toObject(), "mandate.admin.target") == QStringLiteral("policy:v%1").arg(newVersion))
            changes.append(record);
    }
    QCOMPARE(changes.size(), 1);
    const QJsonObject change = changes.first().toObject();
    QCOMPARE(str(change, "mandate.admin.actor"), m_adminName);
    QCOMPARE(change.value(QStringLiteral("mandate.admin.before")).toObject().value(QStringLiteral("version")).toInteger(), version);
    QCOMPARE(str(change.value(QStringLiteral("mandate.admin.after")).toObject(), "source"), source);
    QCOMPARE(str(change.value(QStringLiteral("mandate.admin.after")).toObject(), "comment"), QStringLiteral("audited publish"));
}

void tst_AuditEvents::createAndDeleteAreAdminChanges()
{
    const HttpResult alice = m_http->get(QStringLiteral("/v1/humans/alice"), m_admin);
    QCOMPARE(alice.status, 200);
    QJsonObject dave = alice.json();
    dave.insert(QStringLiteral("id"), QStringLiteral("dave"));
    dave.remove(QStringLiteral("version"));
    const HttpResult created = m_http->postJson(QStringLiteral("/v1/humans"), QJsonDocument(dave).toJson(QJsonDocument::Compact), m_admin);
    QVERIFY2(created.status == 201, created.body.constData());
    const HttpResult removed = m_http->send("DELETE", QStringLiteral("/v1/humans/dave"), {},
                                            {{"Authorization", "Bearer " + m_admin}, {"If-Match", created.header("etag")}});
    QVERIFY2(removed.status == 204, removed.body.constData());
    QJsonArray changes;
    for (const QJsonValue &record : records(QStringLiteral("event=admin_change"))) {
        if (str(record.toObject(), "mandate.admin.target") == QLatin1String("human:dave"))
            changes.append(record);
    }
    QCOMPARE(changes.size(), 2);
    const QJsonObject create = changes.at(0).toObject();
    const QJsonObject remove = changes.at(1).toObject();
    QVERIFY(!create.contains(QStringLiteral("mandate.admin.before")));
    QCOMPARE(create.value(QStringLiteral("mandate.admin.after")).toObject(), created.json());
    QCOMPARE(remove.value(QStringLiteral("mandate.admin.before")).toObject(), created.json());
    QVERIFY(!remove.contains(QStringLiteral("mandate.admin.after")));

    // Created again, dave continues above the deleted record's version, and the record of the
    // change says the version he got.
    const HttpResult again = m_http->postJson(QStringLiteral("/v1/humans"), QJsonDocument(dave).toJson(QJsonDocument::Compact), m_admin);
    QVERIFY2(again.status == 201, again.body.constData());
    QCOMPARE(again.json().value(QStringLiteral("version")).toInteger(), 2);
    QCOMPARE(again.header("etag"), QByteArray("\"2\""));
    QJsonObject recreate;
    for (const QJsonValue &record : records(QStringLiteral("event=admin_change"))) {
        if (str(record.toObject(), "mandate.admin.target") == QLatin1String("human:dave"))
            recreate = record.toObject();
    }
    QCOMPARE(recreate.value(QStringLiteral("mandate.admin.after")).toObject(), again.json());
}

/// Runs `sql` on the gateway's database from outside, as a fault injector.
static bool execSql(const QString &dataDir, const QString &sql)
{
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("fault"));
        db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("mandate.db")));
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.exec(sql);
            if (!ok)
                qWarning() << sql << query.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("fault"));
    return ok;
}

void tst_AuditEvents::delegationFailsClosed()
{
    // The audit log cannot write: no token, and the execution minted for it does not stay active.
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("CREATE TRIGGER audit_down BEFORE INSERT ON audit_records "
                                                         "BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END")));
    const qsizetype before = records(QStringLiteral("event=delegation")).size();
    const QByteArray token = rootToken(QStringLiteral("while the audit log is down"), 900);
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("DROP TRIGGER audit_down")));
    QVERIFY(token.isEmpty());
    // An OAuth error a client can act on: try again later.
    QCOMPARE(m_lastExchange.status, 503);
    QCOMPARE(str(m_lastExchange.json(), "error"), QStringLiteral("temporarily_unavailable"));
    QVERIFY(!m_lastExchange.body.contains("access_token"));
    QCOMPARE(records(QStringLiteral("event=delegation")).size(), before);
    bool found = false;
    for (const QJsonValue &item : m_http->get(QStringLiteral("/v1/executions?agent=support-agent&limit=100"), m_admin)
                                      .json().value(QStringLiteral("items")).toArray()) {
        const QJsonObject execution = item.toObject();
        if (str(execution, "purpose") != QLatin1String("while the audit log is down"))
            continue;
        found = true;
        QCOMPARE(str(execution, "status"), QStringLiteral("revoked"));
    }
    QVERIFY(found);
    const QByteArray retry = rootToken(QStringLiteral("after the audit log is back"), 900);
    QVERIFY(!retry.isEmpty());
    QCOMPARE(recordsOf(executionOf(retry), QStringLiteral("delegation")).size(), 1);
}

/// The admin_change records whose target is `target`.
static QJsonArray changesOf(const QJsonArray &records, const QString &target)
{
    QJsonArray changes;
    for (const QJsonValue &record : records) {
        if (str(record.toObject(), "mandate.admin.target") == target)
            changes.append(record);
    }
    return changes;
}

void tst_AuditEvents::authorizeFailsClosed()
{
    // A decision is answered only once its record is committed: with the audit log unable to
    // write, /v1/authorize denies (503, the audit step) and no decision is recorded; once the log
    // writes again, the same call is allowed and recorded.
    const QByteArray token = rootToken(QStringLiteral("authorized while the audit log is down"), 900);
    QVERIFY(!token.isEmpty());
    const QString execution = executionOf(token);
    const auto authorize = [&]() {
        return m_http->send("POST", QStringLiteral("/v1/authorize"), R"({"action":"ticket:read","resource":{"type":"Tool","id":"ticket"}})",
                            {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
    };
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("CREATE TRIGGER audit_down BEFORE INSERT ON audit_records "
                                                         "BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END")));
    const HttpResult denied = authorize();
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("DROP TRIGGER audit_down")));
    QVERIFY2(denied.status == 503, denied.body.constData());
    QVERIFY2(str(denied.json(), "type").endsWith(QLatin1String("denied-audit")), denied.body.constData());
    QVERIFY(!denied.body.contains("\"allow\""));
    QVERIFY(recordsOf(execution, QStringLiteral("decision")).isEmpty());

    const HttpResult allowed = authorize();
    QVERIFY2(allowed.status == 200, allowed.body.constData());
    QCOMPARE(str(allowed.json(), "decision"), QStringLiteral("allow"));
    const QJsonArray decisions = recordsOf(execution, QStringLiteral("decision"));
    QCOMPARE(decisions.size(), 1);
    QCOMPARE(str(decisions.first().toObject(), "mandate.decision.id"), str(allowed.json(), "decision_id"));
}

void tst_AuditEvents::adminChangesFailClosed()
{
    // The audit log cannot write: no registry, policy or key change happens, none is announced, and
    // the admin is told so; once it can write again, the same change goes through.
    const HttpResult agent = m_http->get(QStringLiteral("/v1/agents/support-agent"), m_admin);
    QCOMPARE(agent.status, 200);
    QJsonObject edited = agent.json();
    edited.insert(QStringLiteral("description"), QStringLiteral("edited while the audit log is down"));
    const QByteArray agentJson = QJsonDocument(edited).toJson(QJsonDocument::Compact);
    const HttpResult policy = m_http->get(QStringLiteral("/v1/policies"), m_admin);
    QCOMPARE(policy.status, 200);
    const QJsonObject publish{{QStringLiteral("source"), QString(str(policy.json(), "source") + QStringLiteral("\nforbid (principal, action, resource);\n"))},
                              {QStringLiteral("comment"), QStringLiteral("while the audit log is down")}};
    QJsonObject erin = m_http->get(QStringLiteral("/v1/humans/alice"), m_admin).json();
    erin.insert(QStringLiteral("id"), QStringLiteral("erin"));
    erin.remove(QStringLiteral("version"));
    const qsizetype changesBefore = records(QStringLiteral("event=admin_change")).size();
    const HttpResult ring = m_http->get(QStringLiteral("/v1/keys"), m_admin);
    QCOMPARE(ring.status, 200);

    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("CREATE TRIGGER audit_down BEFORE INSERT ON audit_records "
                                                         "BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END")));
    const HttpResult rotated = m_http->postJson(QStringLiteral("/v1/keys/rotate"), "{}", m_admin);
    const HttpResult ringAfter = m_http->get(QStringLiteral("/v1/keys"), m_admin);
    const HttpResult update = m_http->send("PUT", QStringLiteral("/v1/agents/support-agent"), agentJson,
                                           {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                            {"If-Match", agent.header("etag")}});
    const HttpResult create = m_http->postJson(QStringLiteral("/v1/humans"), QJsonDocument(erin).toJson(QJsonDocument::Compact), m_admin);
    const HttpResult published = m_http->send("PUT", QStringLiteral("/v1/policies"), QJsonDocument(publish).toJson(QJsonDocument::Compact),
                                              {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                               {"If-Match", policy.header("etag")}});
    const HttpResult agentAfter = m_http->get(QStringLiteral("/v1/agents/support-agent"), m_admin);
    const HttpResult erinAfter = m_http->get(QStringLiteral("/v1/humans/erin"), m_admin);
    const HttpResult policyAfter = m_http->get(QStringLiteral("/v1/policies"), m_admin);
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("DROP TRIGGER audit_down")));

    for (const HttpResult *refused : {&update, &create, &published, &rotated}) {
        QVERIFY2(refused->status >= 500, refused->body.constData());
        QVERIFY2(refused->body.contains("audit record could not be written"), refused->body.constData());
    }
    QCOMPARE(agentAfter.json(), agent.json());
    QCOMPARE(agentAfter.header("etag"), agent.header("etag"));
    QCOMPARE(erinAfter.status, 404);
    QCOMPARE(ringAfter.json(), ring.json());  // no key rotated unrecorded
    QCOMPARE(policyAfter.json().value(QStringLiteral("version")), policy.json().value(QStringLiteral("version")));
    QCOMPARE(records(QStringLiteral("event=admin_change")).size(), changesBefore);
    // Nor is the unpublished set enforced: it forbids everything, and calls are still allowed.
    const QByteArray token = rootToken(QStringLiteral("after the unpublished forbid"), 900);
    QVERIFY(!token.isEmpty());
    const HttpResult decision = m_http->send("POST", QStringLiteral("/v1/authorize"),
                                             R"({"action":"ticket:read","resource":{"type":"Tool","id":"ticket"}})",
                                             {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
    QVERIFY2(decision.status == 200, decision.body.constData());
    QCOMPARE(str(decision.json(), "decision"), QStringLiteral("allow"));

    // The same edit, with the log back: applied and recorded once.
    const HttpResult retried = m_http->send("PUT", QStringLiteral("/v1/agents/support-agent"), agentJson,
                                            {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                             {"If-Match", agent.header("etag")}});
    QVERIFY2(retried.status == 200, retried.body.constData());
    const QJsonArray changes = changesOf(records(QStringLiteral("event=admin_change")), QStringLiteral("agent:support-agent"));
    QCOMPARE(changes.last().toObject().value(QStringLiteral("mandate.admin.after")).toObject(), retried.json());
}

void tst_AuditEvents::refusedAdminChangeLeavesNoRecord()
{
    // A stale If-Match is refused with the conflict, and nothing is recorded: only what happened is.
    const HttpResult agent = m_http->get(QStringLiteral("/v1/agents/support-agent"), m_admin);
    QCOMPARE(agent.status, 200);
    const qint64 version = agent.json().value(QStringLiteral("version")).toInteger();
    const qsizetype changesBefore = records(QStringLiteral("event=admin_change")).size();
    const HttpResult stale = m_http->send("PUT", QStringLiteral("/v1/agents/support-agent"), QJsonDocument(agent.json()).toJson(QJsonDocument::Compact),
                                          {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                           {"If-Match", QStringLiteral("\"%1\"").arg(version - 1).toUtf8()}});
    QCOMPARE(stale.status, 412);
    QCOMPARE(stale.json().value(QStringLiteral("currentVersion")).toInteger(), version);
    const HttpResult missing = m_http->send("DELETE", QStringLiteral("/v1/humans/nobody"), {},
                                            {{"Authorization", "Bearer " + m_admin}, {"If-Match", "\"1\""}});
    QCOMPARE(missing.status, 404);
    QCOMPARE(records(QStringLiteral("event=admin_change")).size(), changesBefore);
}

void tst_AuditEvents::failedAdminWriteIsItsOwn()
{
    // The registry write itself fails in the store (a trigger refuses it) while the audit log is
    // fine: the admin gets the store's error, nothing changes, nothing is recorded, and the log
    // keeps committing the other records of its batches.
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("CREATE TRIGGER humans_down BEFORE INSERT ON humans "
                                                         "BEGIN SELECT RAISE(ABORT, 'injected registry failure'); END")));
    QJsonObject frank = m_http->get(QStringLiteral("/v1/humans/alice"), m_admin).json();
    frank.insert(QStringLiteral("id"), QStringLiteral("frank"));
    frank.remove(QStringLiteral("version"));
    const qsizetype changesBefore = records(QStringLiteral("event=admin_change")).size();
    const HttpResult create = m_http->postJson(QStringLiteral("/v1/humans"), QJsonDocument(frank).toJson(QJsonDocument::Compact), m_admin);
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("DROP TRIGGER humans_down")));
    QCOMPARE(create.status, 503);
    QVERIFY2(create.body.contains("injected registry failure"), create.body.constData());
    QCOMPARE(m_http->get(QStringLiteral("/v1/humans/frank"), m_admin).status, 404);
    QCOMPARE(records(QStringLiteral("event=admin_change")).size(), changesBefore);
    // The log goes on: a token is minted and its delegation recorded.
    const QByteArray token = rootToken(QStringLiteral("after a failed registry write"), 900);
    QVERIFY(!token.isEmpty());
    QCOMPARE(recordsOf(executionOf(token), QStringLiteral("delegation")).size(), 1);
}

void tst_AuditEvents::expiryIsRecordedOnce()
{
    QVERIFY(!m_child.isEmpty());
    const QStringList live{executionOf(m_root), executionOf(m_child)};
    QStringList active;
    for (const QJsonValue &item : m_http->get(QStringLiteral("/v1/executions?status=active&limit=1000"), m_admin)
                                      .json().value(QStringLiteral("items")).toArray())
        active.append(str(item.toObject(), "id"));
    for (const QString &id : live)
        QVERIFY(active.contains(id));
    for (const QString &id : active)
        QVERIFY(recordsOf(id, QStringLiteral("expiry")).isEmpty());
    const auto advance = [this](int seconds) {
        return m_http->postJson(QStringLiteral("/v1/dev/clock"), QStringLiteral(R"({"advance":%1})").arg(seconds).toUtf8(), m_admin).status;
    };
    QCOMPARE(advance(3600), 200);
    QCOMPARE(advance(3600), 200);  // a second sweep finds nothing new
    for (const QString &id : active) {
        QCOMPARE(recordsOf(id, QStringLiteral("expiry")).size(), 1);
        const QJsonObject state = m_http->get(QStringLiteral("/v1/executions/") + id, m_admin).json();
        QCOMPARE(str(state, "status"), QStringLiteral("expired"));
    }
    const QJsonObject expiry = recordsOf(live.at(1), QStringLiteral("expiry")).first().toObject();
    QCOMPARE(str(expiry, "mandate.execution.parent_id"), live.at(0));
    QCOMPARE(str(expiry, "mandate.agent.id"), QStringLiteral("refund-subagent"));
    // Revoked executions ended before their expiry: no expiry record for them.
    for (const QJsonValue &record : records(QStringLiteral("event=revocation")))
        QVERIFY(recordsOf(str(record.toObject(), "mandate.execution.id"), QStringLiteral("expiry")).isEmpty());
    const qsizetype allExpiries = records(QStringLiteral("event=expiry")).size();
    QCOMPARE(allExpiries, active.size());

    // A restarted gateway sweeps again (its clock restarts at the real time, then is advanced).
    QCOMPARE(m_gateway->stop(), 0);
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    QCOMPARE(advance(7200), 200);
    QCOMPARE(records(QStringLiteral("event=expiry")).size(), allExpiries);
}

void tst_AuditEvents::chainVerifies()
{
    const HttpResult verify = m_http->send("POST", QStringLiteral("/v1/audit/verify"), {}, {{"Authorization", "Bearer " + m_admin}});
    QVERIFY2(verify.status == 200, verify.body.constData());
    QCOMPARE(m_gateway->stop(), 0);
    QProcess ctl;
    ctl.setProcessChannelMode(QProcess::MergedChannels);
    ctl.start(QStringLiteral(MANDATECTL_PATH), {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), m_gateway->dataDir()});
    QVERIFY(ctl.waitForFinished(60000));
    QVERIFY2(ctl.exitStatus() == QProcess::NormalExit && ctl.exitCode() == 0, ctl.readAll().constData());
}

QTEST_GUILESS_MAIN(tst_AuditEvents)
#include "tst_audit_events.moc"
