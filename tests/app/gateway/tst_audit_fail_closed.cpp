// SPDX-License-Identifier: Apache-2.0
// Durable before effect (issue #6), over real HTTP against a demo mandated: while the audit log
// cannot write, a token exchange mints nothing usable, a decision is denied and an admin write is
// refused; a write refused for its own reasons leaves no record, and a failed one no record of
// anything else; and the chain still verifies afterwards.
#include "AuditEventsFixture.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;

namespace {

/// Runs `sql` on the gateway's database from outside, as a fault injector.
bool execSql(const QString &dataDir, const QString &sql)
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

/// The admin_change records whose target is `target`.
QJsonArray changesOf(const QJsonArray &records, const QString &target)
{
    QJsonArray changes;
    for (const QJsonValue &record : records) {
        if (str(record.toObject(), "mandate.admin.target") == target)
            changes.append(record);
    }
    return changes;
}

} // namespace

class tst_AuditFailClosed final : public AuditEventsFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { startGateway(); }
    void cleanupTestCase() { stopGateway(); }
    void delegationFailsClosed();
    void subDelegationFailingClosedReservesNothing();
    void authorizeFailsClosed();
    void adminChangesFailClosed();
    void refusedAdminChangeLeavesNoRecord();
    void failedAdminWriteIsItsOwn();
    void chainVerifies() { AuditEventsFixture::chainVerifies(); }
};

void tst_AuditFailClosed::delegationFailsClosed()
{
    // The audit log cannot write: no token, and no execution either (its record rides on the
    // delegation record's transaction).
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
    const auto purposes = [this] {
        QStringList seen;
        for (const QJsonValue &item : m_http->get(QStringLiteral("/v1/executions?agent=support-agent&limit=1000"), m_admin)
                                          .json().value(QStringLiteral("items")).toArray())
            seen.append(str(item.toObject(), "purpose"));
        return seen;
    };
    QVERIFY(!purposes().contains(QStringLiteral("while the audit log is down")));
    const QByteArray retry = rootToken(QStringLiteral("after the audit log is back"), 900);
    QVERIFY(!retry.isEmpty());
    QCOMPARE(recordsOf(executionOf(retry), QStringLiteral("delegation")).size(), 1);
    QVERIFY(purposes().contains(QStringLiteral("after the audit log is back")));
}
void tst_AuditFailClosed::subDelegationFailingClosedReservesNothing()
{
    // A child's budget is reserved from its parent as it is minted, in the transaction of its
    // delegation record: when that record cannot be written, neither the child nor the
    // reservation is.
    const QByteArray parent = rootToken(QStringLiteral("parent of an unrecorded child"), 900);
    QVERIFY(!parent.isEmpty());
    const QString parentPath = QStringLiteral("/v1/executions/") + executionOf(parent);
    const QJsonObject usedBefore = m_http->get(parentPath, m_admin).json().value(QStringLiteral("used")).toObject();
    QVERIFY(!usedBefore.isEmpty());
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("CREATE TRIGGER audit_down BEFORE INSERT ON audit_records "
                                                         "BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END")));
    const QByteArray child = childToken(parent, 300);
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("DROP TRIGGER audit_down")));
    QVERIFY(child.isEmpty());
    QCOMPARE(m_lastExchange.status, 503);
    QCOMPARE(m_http->get(parentPath, m_admin).json().value(QStringLiteral("used")).toObject(), usedBefore);
    const QJsonArray children = m_http->get(QStringLiteral("/v1/executions?parent=%1").arg(executionOf(parent)), m_admin)
                                    .json().value(QStringLiteral("items")).toArray();
    QVERIFY2(children.isEmpty(), QJsonDocument(children).toJson().constData());
    // A child minted once the log writes again reserves its budget as before.
    QVERIFY(!childToken(parent, 300).isEmpty());
    QVERIFY(m_http->get(parentPath, m_admin).json().value(QStringLiteral("used")).toObject() != usedBefore);
}
void tst_AuditFailClosed::authorizeFailsClosed()
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
void tst_AuditFailClosed::adminChangesFailClosed()
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
    erin.insert(QStringLiteral("subject"), QStringLiteral("erin"));  // someone else than alice
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
void tst_AuditFailClosed::refusedAdminChangeLeavesNoRecord()
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
void tst_AuditFailClosed::failedAdminWriteIsItsOwn()
{
    // The registry write itself fails in the store (a trigger refuses it) while the audit log is
    // fine: the admin gets the store's error, nothing changes, nothing is recorded, and the log
    // keeps committing the other records of its batches.
    QVERIFY(execSql(m_gateway->dataDir(), QStringLiteral("CREATE TRIGGER humans_down BEFORE INSERT ON humans "
                                                         "BEGIN SELECT RAISE(ABORT, 'injected registry failure'); END")));
    QJsonObject frank = m_http->get(QStringLiteral("/v1/humans/alice"), m_admin).json();
    frank.insert(QStringLiteral("id"), QStringLiteral("frank"));
    frank.remove(QStringLiteral("version"));
    frank.insert(QStringLiteral("subject"), QStringLiteral("frank"));  // someone else than alice
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

QTEST_GUILESS_MAIN(tst_AuditFailClosed)
#include "tst_audit_fail_closed.moc"
