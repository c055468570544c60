// SPDX-License-Identifier: Apache-2.0
// The policy simulator against a real demo gateway (issue #8): traffic produced through
// POST /v1/authorize is replayed by POST /v1/simulate and by `mandatectl simulate`, remotely and
// from the data directory. Under the unchanged set nothing changes; with one permit removed
// exactly the calls it allowed change, as counted from the calls this test made.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>
#include <QUrlQuery>

#include <set>

using namespace mandate;
using namespace mandate::testing;

class tst_SimulateHttp final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void unchangedSetReportsNoChange();
    void removedPermitChangesExactlyTheCallsItAllowed();
    void filterNarrowsTheWindow();
    void roles_data();
    void roles();
    void badInput_data();
    void badInput();
    void defaultBucketFitsTheWindow();
    void ctlAgainstTheGateway();
    void ctlOnTheDataDirectory();
    void servesTheSchemaItDecidesAgainst();
    void templatesAreNeitherValidNorPublished();
    void simulationsAndValidationsKeepNothingInterned();

private:
    QByteArray token(const QString &client, const QString &user, const QString &scope);
    QString authorize(const QByteArray &token, const QString &action, const QJsonObject &args, QString *decision);
    HttpResult simulate(const QJsonObject &body, const QByteArray &key);
    int ctl(const QStringList &args, QByteArray *out);
    QString writeCandidate(const QString &name, const QString &source);

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QString m_source;           ///< the active policy set
    QString m_withoutRefunds;   ///< the same without the refund permit
    std::set<QString> m_allowedRefunds;  ///< decision ids of the refunds the policies allowed
    int m_policyDecisions = 0;  ///< calls that reached the policy step
    int m_financeDecisions = 0;
    QTemporaryDir m_files;
};

void tst_SimulateHttp::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH));
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));

    const HttpResult policies = m_http->get(QStringLiteral("/v1/policies"), m_admin);
    QCOMPARE(policies.status, 200);
    m_source = policies.json().value(QStringLiteral("source")).toString();
    QStringList kept;
    for (const QString &block : m_source.split(QStringLiteral("\n\n"))) {
        if (!block.contains(QLatin1String("@id(\"support-agent-refunds-up-to-100\")")))
            kept << block;
    }
    m_withoutRefunds = kept.join(QStringLiteral("\n\n"));
    QVERIFY(m_withoutRefunds.size() < m_source.size());

    // Traffic: the Support Agent for Alice, the Finance Agent for Bob.
    const QByteArray support = token(QStringLiteral("support-agent"), QStringLiteral("alice"),
                                     QStringLiteral("ticket:read ticket:update refund:create"));
    const QByteArray finance = token(QStringLiteral("finance-agent"), QStringLiteral("bob"), QStringLiteral("refund:create account:read"));
    QVERIFY(!support.isEmpty());
    QVERIFY(!finance.isEmpty());
    QString decision;
    for (const char *amount : {"12.00", "42.00", "99.99", "100.00", "100.01", "250.00", "7.50"}) {
        const QString id = authorize(support, QStringLiteral("refund:create"), {{QStringLiteral("amount"), QLatin1String(amount)}}, &decision);
        QVERIFY(!id.isEmpty());
        ++m_policyDecisions;
        if (decision == QLatin1String("allow"))
            m_allowedRefunds.insert(id);
    }
    QCOMPARE(m_allowedRefunds.size(), size_t(5));
    for (int i = 0; i < 4; ++i) {
        QVERIFY(!authorize(support, QStringLiteral("ticket:read"), {{QStringLiteral("id"), QStringLiteral("T-%1").arg(i)}}, &decision).isEmpty());
        QCOMPARE(decision, QStringLiteral("allow"));
        ++m_policyDecisions;
    }
    // Not in the token: refused before the policy step, so not replayable.
    QVERIFY(!authorize(support, QStringLiteral("account:delete"), {}, &decision).isEmpty());
    QCOMPARE(decision, QStringLiteral("deny"));
    for (const char *amount : {"10.00", "20.00"}) {
        QVERIFY(!authorize(finance, QStringLiteral("refund:create"), {{QStringLiteral("amount"), QLatin1String(amount)}}, &decision).isEmpty());
        QCOMPARE(decision, QStringLiteral("deny")); // no permit for the Finance Agent
        ++m_policyDecisions;
        ++m_financeDecisions;
    }
}

void tst_SimulateHttp::cleanupTestCase()
{
    if (m_gateway)
        QCOMPARE(m_gateway->stop(), 0);
}

QByteArray tst_SimulateHttp::token(const QString &client, const QString &user, const QString &scope)
{
    return exchangeDemoToken(*m_gateway, *m_http, {user, client, scope, {}});
}

QString tst_SimulateHttp::authorize(const QByteArray &token, const QString &action, const QJsonObject &args, QString *decision)
{
    const QJsonObject body{{QStringLiteral("action"), action},
                           {QStringLiteral("resource"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Tool")},
                                                                    {QStringLiteral("id"), action.section(u':', 0, 0)}}},
                           {QStringLiteral("args"), args}};
    const HttpResult result = m_http->postJson(QStringLiteral("/v1/authorize"), QJsonDocument(body).toJson(), token);
    const QJsonObject answer = result.json();
    *decision = answer.value(QStringLiteral("decision")).toString();
    return answer.value(QStringLiteral("decision_id")).toString();
}

HttpResult tst_SimulateHttp::simulate(const QJsonObject &body, const QByteArray &key)
{
    return m_http->postJson(QStringLiteral("/v1/simulate"), QJsonDocument(body).toJson(), key);
}

void tst_SimulateHttp::unchangedSetReportsNoChange()
{
    const HttpResult result = simulate({{QStringLiteral("policies"), m_source}}, m_admin);
    QCOMPARE(result.status, 200);
    const QJsonObject summary = result.json();
    QCOMPARE(summary.value(QStringLiteral("replayed")).toInteger(), m_policyDecisions);
    QCOMPARE(summary.value(QStringLiteral("not_replayable")).toInteger(), 1);
    QCOMPARE(summary.value(QStringLiteral("skipped")).toInteger(), 0);
    const QJsonObject counts = summary.value(QStringLiteral("counts")).toObject();
    QCOMPARE(counts.value(QStringLiteral("unchanged")).toInteger(), m_policyDecisions);
    QCOMPARE(counts.value(QStringLiteral("newly_denied")).toInteger(), 0);
    QCOMPARE(counts.value(QStringLiteral("newly_allowed")).toInteger(), 0);
    QVERIFY(summary.value(QStringLiteral("changes")).toArray().isEmpty());
    QCOMPARE(summary.value(QStringLiteral("truncated")).toBool(), false);
}

void tst_SimulateHttp::removedPermitChangesExactlyTheCallsItAllowed()
{
    const HttpResult result = simulate({{QStringLiteral("policies"), m_withoutRefunds}}, m_admin);
    QCOMPARE(result.status, 200);
    const QJsonObject summary = result.json();
    const QJsonObject counts = summary.value(QStringLiteral("counts")).toObject();
    QCOMPARE(counts.value(QStringLiteral("newly_denied")).toInteger(), qint64(m_allowedRefunds.size()));
    QCOMPARE(counts.value(QStringLiteral("newly_allowed")).toInteger(), 0);
    QCOMPARE(counts.value(QStringLiteral("unchanged")).toInteger(), m_policyDecisions - qint64(m_allowedRefunds.size()));
    std::set<QString> changed;
    for (const QJsonValue &value : summary.value(QStringLiteral("changes")).toArray()) {
        const QJsonObject change = value.toObject();
        changed.insert(change.value(QStringLiteral("decision_id")).toString());
        QCOMPARE(change.value(QStringLiteral("change")).toString(), QStringLiteral("newly_denied"));
        QCOMPARE(change[QStringLiteral("before")][QStringLiteral("explanation")].toString(),
                 QStringLiteral("allowed by support-agent-refunds-up-to-100"));
        QCOMPARE(change[QStringLiteral("after")][QStringLiteral("explanation")].toString(), QStringLiteral("no permit policy matched"));
        QCOMPARE(change.value(QStringLiteral("human")).toString(), QStringLiteral("alice"));
    }
    QVERIFY(changed == m_allowedRefunds);
    const QJsonObject byPolicy = summary.value(QStringLiteral("by_policy")).toObject();
    QCOMPARE(byPolicy[QStringLiteral("support-agent-refunds-up-to-100")][QStringLiteral("newly_denied")].toInteger(),
             qint64(m_allowedRefunds.size()));
    const QJsonObject byAction = summary.value(QStringLiteral("by_action")).toObject();
    QCOMPARE(byAction[QStringLiteral("ticket:read")][QStringLiteral("newly_denied")].toInteger(), 0);
    QCOMPARE(byAction[QStringLiteral("ticket:read")][QStringLiteral("unchanged")].toInteger(), 4);
}

void tst_SimulateHttp::filterNarrowsTheWindow()
{
    const HttpResult finance = simulate({{QStringLiteral("policies"), m_withoutRefunds},
                                         {QStringLiteral("filter"), QJsonObject{{QStringLiteral("agent"), QStringLiteral("finance-agent")}}}},
                                        m_admin);
    QCOMPARE(finance.status, 200);
    QCOMPARE(finance.json().value(QStringLiteral("replayed")).toInteger(), m_financeDecisions);
    QCOMPARE(finance.json()[QStringLiteral("counts")][QStringLiteral("newly_denied")].toInteger(), 0);

    const HttpResult future = simulate({{QStringLiteral("policies"), m_withoutRefunds},
                                        {QStringLiteral("filter"), QJsonObject{{QStringLiteral("from"), QStringLiteral("2099-01-01T00:00:00+01:00")}}}},
                                       m_admin);
    QCOMPARE(future.status, 200);
    QCOMPARE(future.json().value(QStringLiteral("replayed")).toInteger(), 0);

    const HttpResult bounded = simulate({{QStringLiteral("policies"), m_source}, {QStringLiteral("max_records"), 3}}, m_admin);
    QCOMPARE(bounded.status, 200);
    QCOMPARE(bounded.json().value(QStringLiteral("records_read")).toInteger(), 3);
    QCOMPARE(bounded.json().value(QStringLiteral("truncated")).toBool(), true);
}

void tst_SimulateHttp::roles_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<int>("status");
    QTest::addRow("admin") << QStringLiteral("admin") << 200;
    QTest::addRow("analyst") << QStringLiteral("analyst") << 200;
    QTest::addRow("auditor is refused") << QStringLiteral("auditor") << 403;
    QTest::addRow("no key") << QString() << 401;
}

void tst_SimulateHttp::roles()
{
    QFETCH(QString, role);
    QFETCH(int, status);
    const QByteArray key = role.isEmpty() ? QByteArray() : m_gateway->key(role);
    QVERIFY(role.isEmpty() || !key.isEmpty());
    const HttpResult result = simulate({{QStringLiteral("policies"), m_source}}, key);
    QCOMPARE(result.status, status);
    if (status != 200)
        QVERIFY(result.header("Content-Type").startsWith("application/problem+json"));
}

void tst_SimulateHttp::badInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("errorPath");
    QTest::addRow("candidate does not parse") << QByteArray(R"({"policies":"permit (principal, action, resource);\nforbid (principal"})")
                                              << 422 << QStringLiteral("2:");
    QTest::addRow("candidate with a template") << QByteArray(R"({"policies":"permit (principal, action, resource);\nforbid (principal == ?principal, action, resource);"})")
                                               << 422 << QStringLiteral("2:1");
    QTest::addRow("no policies") << QByteArray(R"({"filter":{}})") << 422 << QString();
    QTest::addRow("unknown member") << QByteArray(R"({"policies":"","window":1})") << 422 << QString();
    QTest::addRow("bad time") << QByteArray(R"({"policies":"","filter":{"from":"yesterday"}})") << 422 << QString();
    QTest::addRow("unknown filter") << QByteArray(R"({"policies":"","filter":{"event":"decision"}})") << 422 << QString();
    QTest::addRow("too many records") << QByteArray(R"({"policies":"","max_records":1000001})") << 422 << QString();
    QTest::addRow("a day in seconds: too many buckets")
        << QByteArray(R"({"policies":"","bucket_seconds":1,"filter":{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}})")
        << 422 << QString();
    QTest::addRow("not JSON") << QByteArray("policies=x") << 400 << QString();
}

void tst_SimulateHttp::badInput()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, errorPath);
    const HttpResult result = m_http->postJson(QStringLiteral("/v1/simulate"), body, m_admin);
    QVERIFY2(result.status == status || (status == 400 && result.status == 415), result.body.constData());
    QVERIFY(result.header("Content-Type").startsWith("application/problem+json"));
    if (!errorPath.isEmpty()) {
        const QJsonArray errors = result.json().value(QStringLiteral("errors")).toArray();
        QVERIFY2(!errors.isEmpty(), result.body.constData());
        QVERIFY2(errors.first()[QStringLiteral("path")].toString().startsWith(errorPath), result.body.constData());
    }
}

void tst_SimulateHttp::defaultBucketFitsTheWindow()
{
    // A minute unless the window would hold more than kMaxBuckets of them: 30 days take 5 minutes.
    const QDateTime to = QDateTime::currentDateTimeUtc().addSecs(60);
    const QJsonObject window{{QStringLiteral("from"), to.addDays(-30).toString(Qt::ISODateWithMs)},
                             {QStringLiteral("to"), to.toString(Qt::ISODateWithMs)}};
    HttpResult result = simulate({{QStringLiteral("policies"), m_source}, {QStringLiteral("filter"), window}}, m_admin);
    QVERIFY2(result.status == 200, result.body.constData());
    QCOMPARE(result.json().value(QStringLiteral("bucket_seconds")).toInteger(), 300);
    QCOMPARE(result.json().value(QStringLiteral("replayed")).toInteger(), m_policyDecisions);
    result = simulate({{QStringLiteral("policies"), m_source}}, m_admin);  // since the first record: minutes
    QVERIFY2(result.status == 200, result.body.constData());
    QCOMPARE(result.json().value(QStringLiteral("bucket_seconds")).toInteger(), 60);
}

QString tst_SimulateHttp::writeCandidate(const QString &name, const QString &source)
{
    const QString path = m_files.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(source.toUtf8()) < 0)
        return {};
    return path;
}

int tst_SimulateHttp::ctl(const QStringList &args, QByteArray *out)
{
    QProcess process;
    process.start(QStringLiteral(MANDATECTL_PATH), QStringList{QStringLiteral("simulate")} + args);
    if (!process.waitForFinished(120'000))
        return -1;
    *out = process.readAllStandardOutput() + process.readAllStandardError();
    return process.exitCode();
}

void tst_SimulateHttp::ctlAgainstTheGateway()
{
    const QString same = writeCandidate(QStringLiteral("same.cedar"), m_source);
    const QString removed = writeCandidate(QStringLiteral("removed.cedar"), m_withoutRefunds);
    const QString analystKey = QDir(m_gateway->dataDir()).filePath(QStringLiteral("analyst.key"));
    const QStringList remote{QStringLiteral("--gateway"), m_gateway->url().toString(), QStringLiteral("--api-key-file"), analystKey};
    QByteArray out;

    QCOMPARE(ctl(remote + QStringList{QStringLiteral("--policies"), same}, &out), 0);
    QVERIFY2(out.contains(QByteArray("unchanged " + QByteArray::number(m_policyDecisions) + ", newly denied 0, newly allowed 0")), out.constData());

    QCOMPARE(ctl(remote + QStringList{QStringLiteral("--policies"), removed, QStringLiteral("--since"), QStringLiteral("1h")}, &out), 3);
    QVERIFY2(out.contains(QByteArray("newly denied " + QByteArray::number(qint64(m_allowedRefunds.size())))), out.constData());
    QVERIFY2(out.contains("before: allowed by support-agent-refunds-up-to-100"), out.constData());
    QVERIFY2(out.contains("after:  no permit policy matched"), out.constData());

    QCOMPARE(ctl(remote + QStringList{QStringLiteral("--policies"), removed, QStringLiteral("--json"), QStringLiteral("--agent"),
                                      QStringLiteral("finance-agent")}, &out), 0);
    const QJsonObject json = QJsonDocument::fromJson(out).object();
    QCOMPARE(json.value(QStringLiteral("replayed")).toInteger(), m_financeDecisions);

    // An auditor may not simulate; the gateway's refusal is an error, not "no change".
    const QString auditorKey = QDir(m_gateway->dataDir()).filePath(QStringLiteral("auditor.key"));
    QCOMPARE(ctl({QStringLiteral("--gateway"), m_gateway->url().toString(), QStringLiteral("--api-key-file"), auditorKey,
                  QStringLiteral("--policies"), same}, &out), 1);
    const QString broken = writeCandidate(QStringLiteral("broken.cedar"), QStringLiteral("permit (principal"));
    QCOMPARE(ctl(remote + QStringList{QStringLiteral("--policies"), broken}, &out), 1);
    QVERIFY2(out.contains("1:"), out.constData());
    // Options of the other mode are refused, not ignored: a gateway replays under its own schema,
    // and a local replay has no use for a key.
    QCOMPARE(ctl(remote + QStringList{QStringLiteral("--policies"), same, QStringLiteral("--schema"), same}, &out), 2);
    QVERIFY2(out.contains("--schema is for local replays"), out.constData());
    QCOMPARE(ctl({QStringLiteral("--data-dir"), m_gateway->dataDir(), QStringLiteral("--policies"), same, QStringLiteral("--api-key-file"),
                  analystKey}, &out), 2);
    QVERIFY2(out.contains("--api-key-file is for --gateway"), out.constData());
}

void tst_SimulateHttp::ctlOnTheDataDirectory()
{
    const QString removed = writeCandidate(QStringLiteral("removed-local.cedar"), m_withoutRefunds);
    QByteArray out;
    QCOMPARE(ctl({QStringLiteral("--data-dir"), m_gateway->dataDir(), QStringLiteral("--policies"), removed, QStringLiteral("--json")}, &out), 3);
    const QJsonObject json = QJsonDocument::fromJson(out).object();
    QCOMPARE(json[QStringLiteral("counts")][QStringLiteral("newly_denied")].toInteger(), qint64(m_allowedRefunds.size()));
    QCOMPARE(json.value(QStringLiteral("replayed")).toInteger(), m_policyDecisions);
    QCOMPARE(ctl({QStringLiteral("--policies"), removed}, &out), 2); // nowhere to read records from

    // Under a schema the ticket calls no longer fit (their "id" was a string), they are skipped:
    // no decision changes among the rest, and yet that is not a "no change".
    QFile schemaFile(QStringLiteral(MANDATE_SCHEMA_FILE));
    QVERIFY(schemaFile.open(QIODevice::ReadOnly));
    QString narrower = QString::fromUtf8(schemaFile.readAll());
    QVERIFY(narrower.contains(QStringLiteral("type TicketArgs = { id?: String,")));
    narrower.replace(QStringLiteral("type TicketArgs = { id?: String,"), QStringLiteral("type TicketArgs = { id?: Long,"));
    const QString schema = writeCandidate(QStringLiteral("narrower.cedarschema"), narrower);
    const QString same = writeCandidate(QStringLiteral("same-local.cedar"), m_source);
    QCOMPARE(ctl({QStringLiteral("--data-dir"), m_gateway->dataDir(), QStringLiteral("--policies"), same, QStringLiteral("--schema"), schema}, &out), 4);
    QVERIFY2(out.contains("4 no longer fit the schema"), out.constData());
    QVERIFY2(out.contains("not every recorded decision of the window was replayed"), out.constData());
}

/// A console replays against exactly the gateway's schema, not its own copy of it.
void tst_SimulateHttp::servesTheSchemaItDecidesAgainst()
{
    QFile file(QStringLiteral(MANDATE_SCHEMA_FILE));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const HttpResult schema = m_http->get(QStringLiteral("/v1/policies/schema"), m_gateway->key(QStringLiteral("analyst")));
    QCOMPARE(schema.status, 200);
    QCOMPARE(schema.json().value(QStringLiteral("source")).toString(), QString::fromUtf8(file.readAll()));
    QCOMPARE(m_http->get(QStringLiteral("/v1/policies/schema"), QByteArray()).status, 401);
}

QTEST_GUILESS_MAIN(tst_SimulateHttp)
void tst_SimulateHttp::templatesAreNeitherValidNorPublished()
{
    // Nothing links a template, so it would never apply: a set holding one is refused whole.
    const QString withTemplate = m_source + QStringLiteral("\nforbid (principal == ?principal, action, resource);\n");
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("source"), withTemplate}}).toJson(QJsonDocument::Compact);
    const HttpResult validated = m_http->postJson(QStringLiteral("/v1/policies/validate"), body, m_admin);
    QVERIFY2(validated.status == 422, validated.body.constData());
    QVERIFY2(validated.body.contains("is a template"), validated.body.constData());
    const HttpResult current = m_http->get(QStringLiteral("/v1/policies"), m_admin);
    const HttpResult published = m_http->send("PUT", QStringLiteral("/v1/policies"), body,
                                              {{"Authorization", "Bearer " + m_admin}, {"Content-Type", "application/json"},
                                               {"If-Match", current.header("etag")}});
    QVERIFY2(published.status == 422, published.body.constData());
    QCOMPARE(m_http->get(QStringLiteral("/v1/policies"), m_admin).json().value(QStringLiteral("version")),
             current.json().value(QStringLiteral("version")));
}

void tst_SimulateHttp::simulationsAndValidationsKeepNothingInterned()
{
    // Replayed executions and posted policies are read into the policy engine's intern table;
    // what they added goes when the request is answered, so an analyst simulating all day does
    // not grow the gateway.
    const auto interned = [this]() -> std::pair<qint64, qint64> {
        const QByteArray metrics = m_http->get(QStringLiteral("/metrics")).body;
        const auto gauge = [&metrics](QByteArrayView kind) -> qint64 {
            const QByteArray line = "\nmandate_policy_interned{kind=\"" + kind.toByteArray() + "\"} ";
            const qsizetype at = metrics.indexOf(line);
            if (at < 0)
                return -1;
            const qsizetype begin = at + line.size();
            return metrics.mid(begin, metrics.indexOf('\n', begin) - begin).toLongLong();
        };
        return {gauge("entity_uid"), gauge("entity_type")};
    };
    const std::pair<qint64, qint64> before = interned();
    QVERIFY2(before.first > 0 && before.second > 0, "no mandate_policy_interned gauges");

    QString probes;
    for (int i = 0; i < 200; ++i)
        probes += QStringLiteral("\nforbid (principal == Execution::\"interned-probe-%1\", action, resource) when { resource is Probe%1 };").arg(i);
    const QString candidate = m_source + probes;
    const HttpResult simulated = simulate({{QStringLiteral("policies"), candidate}}, m_admin);
    QVERIFY2(simulated.status == 200, simulated.body.constData());
    QCOMPARE(simulated.json().value(QStringLiteral("replayed")).toInteger(), m_policyDecisions);
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("source"), candidate}}).toJson(QJsonDocument::Compact);
    const HttpResult validated = m_http->postJson(QStringLiteral("/v1/policies/validate"), body, m_admin);
    QVERIFY2(validated.status == 200, validated.body.constData());
    QCOMPARE(interned(), before);
}

#include "tst_simulate_http.moc"
