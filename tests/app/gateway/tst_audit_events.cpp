// SPDX-License-Identifier: Apache-2.0
// The records that are not tool calls (issue #6), over real HTTP against a demo mandated with a
// test clock: a token exchange is one delegation record and gives the new execution a lineage
// before any call; a revocation is one record per execution it ends (descendants included);
// passing an expiry is one expiry record per execution, never two, across a restart; registry
// and policy writes are admin_change records with who, before and after; and the chain verifies.
#include "AuditEventsFixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>

#include <csignal>

#include <sys/resource.h>

using namespace mandate;
using namespace mandate::testing;

class tst_AuditEvents final : public AuditEventsFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { startGateway(); }
    void cleanupTestCase() { stopGateway(); }
    void delegationIsRecorded();
    void newExecutionHasALineage();
    void revocationRecordsEachExecution();
    void clientRevocationIsRecorded();
    void agentUpdateIsAnAdminChange();
    void policyPublishIsAnAdminChange();
    void createAndDeleteAreAdminChanges();
    void ctlImportIsAnAuditedAdminChange();
    void expiryIsRecordedOnce();
    void chainVerifies() { AuditEventsFixture::chainVerifies(); }
};

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
    // A body other than {"reason": "…"} is refused, and revokes nothing.
    for (const QByteArray &body : {QByteArray(R"({"reason":42})"), QByteArray(R"({"reasn":"typo"})"),
                                   QByteArray(R"({"reason":"x","force":true})"), QByteArray(R"({"reason":")" + QByteArray(501, 'r') + R"("})")}) {
        const HttpResult refused = m_http->postJson(QStringLiteral("/v1/executions/") + rootId + QStringLiteral("/revoke"), body, m_admin);
        QVERIFY2(refused.status == 400, body.left(60).constData());
    }
    QVERIFY(recordsOf(rootId, QStringLiteral("revocation")).isEmpty());
    const HttpResult revoked = m_http->postJson(QStringLiteral("/v1/executions/") + rootId + QStringLiteral("/revoke"),
                                                R"({"reason":"suspicious refunds"})", m_admin);
    QCOMPARE(revoked.status, 200);
    const QString adminKeyId = str(m_http->get(QStringLiteral("/v1/whoami"), m_admin).json(), "keyId");
    QVERIFY(!adminKeyId.isEmpty());
    const QJsonArray ids = revoked.json().value(QStringLiteral("revoked")).toArray();
    QCOMPARE(ids.size(), 3);
    for (const QString &id : {rootId, executionOf(first), executionOf(second)}) {
        QVERIFY(ids.contains(id));
        const QJsonArray revocations = recordsOf(id, QStringLiteral("revocation"));
        QCOMPARE(revocations.size(), 1);
        const QJsonObject r = revocations.first().toObject();
        const QJsonObject details = r.value(QStringLiteral("mandate.details")).toObject();
        QCOMPARE(str(details, "actor"), QStringLiteral("admin:") + m_adminName);
        QCOMPARE(str(details, "actor_key"), adminKeyId);  // names need not be unique; key ids are
        QCOMPARE(str(details, "role"), QStringLiteral("admin"));
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
    // Nothing but the source and a comment of up to 1,000 characters: refused, nothing published.
    for (const QJsonObject &wrong : {QJsonObject{{QStringLiteral("source"), source}, {QStringLiteral("comment"), 7}},
                                     QJsonObject{{QStringLiteral("source"), source}, {QStringLiteral("coment"), QStringLiteral("typo")}},
                                     QJsonObject{{QStringLiteral("source"), source}, {QStringLiteral("comment"), QString(1001, u'c')}}}) {
        const HttpResult refused = m_http->send("PUT", QStringLiteral("/v1/policies"), QJsonDocument(wrong).toJson(QJsonDocument::Compact),
                                                {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                                 {"If-Match", current.header("etag")}});
        QVERIFY2(refused.status == 400, refused.body.constData());
    }
    QCOMPARE(m_http->get(QStringLiteral("/v1/policies"), m_admin).json().value(QStringLiteral("version")).toInteger(), version);
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
    dave.insert(QStringLiteral("subject"), QStringLiteral("dave"));  // someone else than alice
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

void tst_AuditEvents::ctlImportIsAnAuditedAdminChange()
{
    const QString file = QDir(m_gateway->dataDir()).filePath(QStringLiteral("import.json"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(R"({"humans":[{"id":"grace","displayName":"Grace","issuer":"urn:mandate:dev-idp","subject":"grace"}]})");
    out.close();
    const auto ctl = [](const QStringList &args, QByteArray *output) {
        QProcess process;
        process.start(QStringLiteral(MANDATECTL_PATH), QStringList{QStringLiteral("registry"), QStringLiteral("import")} + args);
        if (!process.waitForFinished(60'000))
            return -1;
        *output = process.readAllStandardOutput() + process.readAllStandardError();
        return process.exitCode();
    };
    QByteArray output;
    // Straight into the database file: refused, with the reason.
    QStringList local{QStringLiteral("--data-dir"), m_gateway->dataDir()};
    QCOMPARE(ctl(QStringList{file} + local, &output), 2);
    QVERIFY2(output.contains("goes through a running gateway"), output.constData());
    // Through the gateway: done, and recorded as an admin change.
    const QString key = QDir(m_gateway->dataDir()).filePath(QStringLiteral("admin.key"));
    const QStringList remote{file, QStringLiteral("--gateway"), m_gateway->url().toString(), QStringLiteral("--api-key-file"), key};
    QCOMPARE(ctl(remote, &output), 0);
    QVERIFY2(output.contains("imported: 1 created, 0 updated"), output.constData());
    QCOMPARE(m_http->get(QStringLiteral("/v1/humans/grace"), m_admin).status, 200);
    // Read back from the running gateway's database, read-only; stray arguments are refused.
    const auto list = [this](const QStringList &args, QByteArray *output) {
        QProcess process;
        process.start(QStringLiteral(MANDATECTL_PATH), QStringList{QStringLiteral("registry"), QStringLiteral("list"), QStringLiteral("humans"),
                                                                   QStringLiteral("--data-dir"), m_gateway->dataDir()} + args);
        if (!process.waitForFinished(60'000))
            return -1;
        *output = process.readAllStandardOutput() + process.readAllStandardError();
        return process.exitCode();
    };
    QVERIFY2(list({}, &output) == 0, output.constData());
    QVERIFY2(output.contains("grace\tGrace"), output.constData());
    QCOMPARE(list({QStringLiteral("junk")}, &output), 2);
    QVERIFY2(output.contains("unexpected arguments: junk"), output.constData());
    QCOMPARE(list({QStringLiteral("--output"), QDir(m_gateway->dataDir()).filePath(QStringLiteral("list.txt"))}, &output), 2);
    QVERIFY2(output.contains("--output applies to registry export only"), output.constData());
    // An export the file size limit (standing in for a full disk) cuts short fails, and leaves
    // no file; without the limit it is written whole.
    const QString exported = QDir(m_gateway->dataDir()).filePath(QStringLiteral("registry-export.json"));
    const auto exportTo = [&](bool limited) {
        QProcess process;
        if (limited) {
            process.setChildProcessModifier([] {
                ::signal(SIGXFSZ, SIG_IGN);
                const rlimit limit{4096, 4096};  // below the export, above nothing the read needs to write
                ::setrlimit(RLIMIT_FSIZE, &limit);
            });
        }
        process.start(QStringLiteral(MANDATECTL_PATH), {QStringLiteral("registry"), QStringLiteral("export"), QStringLiteral("--data-dir"),
                                                        m_gateway->dataDir(), QStringLiteral("--output"), exported});
        return process.waitForFinished(60'000) ? process.exitCode() : -1;
    };
    QCOMPARE(exportTo(true), 1);
    QVERIFY(!QFile::exists(exported));
    QCOMPARE(exportTo(false), 0);
    QFile exportFile(exported);
    QVERIFY(exportFile.open(QIODevice::ReadOnly));
    const QByteArray exportedBytes = exportFile.readAll();
    QVERIFY2(exportedBytes.size() > 4096 && exportedBytes.contains("\"grace\""), exportedBytes.left(200).constData());
    bool recorded = false;
    for (const QJsonValue &record : records(QStringLiteral("event=admin_change")))
        recorded = recorded || str(record.toObject(), "mandate.admin.target") == QLatin1String("registry:import");
    QVERIFY(recorded);
    // An import that replaces a record keeps what it replaced in its record, as an update does.
    const QJsonObject grace = m_http->get(QStringLiteral("/v1/humans/grace"), m_admin).json();
    const HttpResult replaced = m_http->postJson(QStringLiteral("/v1/registry/import"),
        R"({"humans":[{"id":"grace","displayName":"Grace Hopper","issuer":"urn:mandate:dev-idp","subject":"grace"}]})", m_admin);
    QVERIFY2(replaced.status == 200, replaced.body.constData());
    QCOMPARE(replaced.json().value(QStringLiteral("updated")).toInt(), 1);
    QJsonObject importRecord;
    for (const QJsonValue &record : records(QStringLiteral("event=admin_change"))) {
        if (str(record.toObject(), "mandate.admin.target") == QLatin1String("registry:import"))
            importRecord = record.toObject();  // the newest
    }
    const QJsonObject before = importRecord.value(QStringLiteral("mandate.admin.before")).toObject();
    QCOMPARE(before.value(QStringLiteral("humans")).toArray(), QJsonArray{grace});
    QCOMPARE(before.value(QStringLiteral("humans")).toArray().first().toObject().value(QStringLiteral("displayName")).toString(),
             QStringLiteral("Grace"));
    QCOMPARE(str(importRecord.value(QStringLiteral("mandate.admin.after")).toObject().value(QStringLiteral("humans")).toArray()
                     .first().toObject(), "displayName"), QStringLiteral("Grace Hopper"));
    // More than the gateway takes in one request (max-body-bytes, 1 MiB here): refused, and
    // mandatectl says which limit to raise.
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(R"({"humans":[{"id":"heidi","displayName":")" + QByteArray(1100 * 1024, 'h')
              + R"(","issuer":"urn:mandate:dev-idp","subject":"heidi"}]})");
    out.close();
    QCOMPARE(ctl(remote, &output), 1);
    QVERIFY2(output.contains("413") && output.contains("raise max-body-bytes"), output.left(400).constData());
    QCOMPARE(m_http->get(QStringLiteral("/v1/humans/heidi"), m_admin).status, 404);
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

QTEST_GUILESS_MAIN(tst_AuditEvents)
#include "tst_audit_events.moc"
