// SPDX-License-Identifier: Apache-2.0
// The registry on a real SQLite file, beyond CRUD: referential checks on update and delete,
// retirement, filters, change events and stored records that no longer read back.
#include "RegistryFixture.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;

class TestRegistryIntegrity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false")); }
    void init() { f = std::make_unique<Fixture>(); }
    void cleanup() { f.reset(); }
    void removeRefusedWhileInUse_data();
    void removeRefusedWhileInUse();
    void removeAfterReferencesGone();
    void updateToolKeepsActionsInUse();
    void retireAgent();
    void filters_data();
    void filters();
    void changedSignal();
    void issuerAndSubjectNameOneHuman();
    void corruptStoredRecordIsReported();

private:
    std::unique_ptr<Fixture> f;
};

void TestRegistryIntegrity::removeRefusedWhileInUse_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("message");

    QTest::addRow("human owning an agent") << s("human") << s("alice")
                                           << s("human \"alice\" is still referred to by agent \"support-agent\"");
    QTest::addRow("human owning an agent and a machine")
        << s("human") << s("bob") << s("human \"bob\" is still referred to by agent \"triage-agent\", machine \"nightly-ci\"");
    QTest::addRow("tool whose action an agent uses")
        << s("tool") << s("refund") << s("tool \"refund\" is still referred to by agent \"support-agent\"");
    QTest::addRow("tool used by two agents")
        << s("tool") << s("ticket") << s("tool \"ticket\" is still referred to by agent \"support-agent\", agent \"triage-agent\"");
    QTest::addRow("agent listed as delegator")
        << s("agent") << s("triage-agent") << s("agent \"triage-agent\" is still referred to by agent \"support-agent\"");
}
void TestRegistryIntegrity::removeRefusedWhileInUse()
{
    QFETCH(QString, kind);
    QFETCH(QString, id);
    QFETCH(QString, message);
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    QSignalSpy spy(&registry, &Registry::changed);

    Status status;
    if (kind == QLatin1String("human"))
        status = registry.remove<Human>(id, 1, s("me"));
    else if (kind == QLatin1String("tool"))
        status = registry.remove<Tool>(id, 1, s("me"));
    else
        status = registry.remove<Agent>(id, 1, s("me"));
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, s("in_use"));
    QCOMPARE(status.error().message, message);
    QCOMPARE(spy.size(), 0);
    QCOMPARE(f->snapshot(), before);
}
void TestRegistryIntegrity::removeAfterReferencesGone()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    QVERIFY(registry.remove<Agent>(s("support-agent"), 1, s("me")).ok());
    QVERIFY(registry.remove<Tool>(s("refund"), 1, s("me")).ok());
    QVERIFY(registry.remove<Human>(s("alice"), 1, s("me")).ok());
    QVERIFY(registry.remove<Agent>(s("triage-agent"), 1, s("me")).ok());
    QVERIFY(registry.remove<Machine>(s("nightly-ci"), 1, s("me")).ok());
    QVERIFY(registry.remove<Human>(s("bob"), 1, s("me")).ok());
    QVERIFY(registry.remove<Tool>(s("ticket"), 1, s("me")).ok());
    const QJsonObject empty = f->snapshot();
    for (const char *section : {"humans", "machines", "tools", "agents"})
        QCOMPARE(empty.value(QLatin1String(section)).toArray().size(), 0);
}
void TestRegistryIntegrity::updateToolKeepsActionsInUse()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    QSignalSpy spy(&registry, &Registry::changed);

    // support-agent may call refund:create: the tool cannot drop it.
    Tool refund = registry.tool(s("refund")).value();
    refund.actions.removeFirst();
    auto updated = registry.update(refund, 1, s("me"));
    QVERIFY(!updated.ok());
    QCOMPARE(updated.error().code, s("in_use"));
    QCOMPARE(updated.error().message,
             s("tool \"refund\" cannot drop action \"refund:create\": it is allowed to agent \"support-agent\""));
    QCOMPARE(spy.size(), 0);
    QCOMPARE(f->snapshot(), before);

    // An action nobody uses can go.
    Tool ticket = registry.tool(s("ticket")).value();
    ticket.actions.removeLast(); // ticket:update
    QVERIFY(registry.update(ticket, 1, s("me")).ok());
    QCOMPARE(spy.size(), 1);
}
void TestRegistryIntegrity::retireAgent()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    QSignalSpy spy(&registry, &Registry::changed);

    auto retired = registry.retireAgent(s("support-agent"), 1, s("alice"));
    QVERIFY2(retired.ok(), retired.ok() ? "" : qPrintable(retired.error().toString()));
    QCOMPARE(retired->status, Agent::Status::Retired);
    QCOMPARE(retired->version, qint64(2));
    QCOMPARE(registry.agent(s("support-agent"))->status, Agent::Status::Retired);
    QCOMPARE(idsOf(registry.agents(AgentFilter{s("retired"), {}, {}, {}}).value()), QStringList{s("support-agent")});
    QCOMPARE(idsOf(registry.agents(AgentFilter{s("active"), {}, {}, {}}).value()), QStringList{s("triage-agent")});

    QCOMPARE(spy.size(), 1);
    const RegistryChange change = changeAt(spy, 0);
    QCOMPARE(change.operation, RegistryChange::Operation::Updated);
    QCOMPARE(change.before.value(s("status")).toString(), s("active"));
    QCOMPARE(change.after.value(s("status")).toString(), s("retired"));
    QCOMPARE(change.version, qint64(2));

    auto again = registry.retireAgent(s("support-agent"), 1, s("alice"));
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, s("conflict"));
    QCOMPARE(spy.size(), 1);
}
void TestRegistryIntegrity::filters_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("owner");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QStringList>("expected");

    const QString none;
    const QStringList all{s("kb-writer"), s("refund-bot"), s("support-agent"), s("triage-agent")};
    QTest::addRow("no filter") << none << none << none << none << all;
    QTest::addRow("status active") << s("active") << none << none << none
                                   << QStringList{s("kb-writer"), s("support-agent"), s("triage-agent")};
    QTest::addRow("status suspended") << s("suspended") << none << none << none << QStringList{s("refund-bot")};
    QTest::addRow("status retired") << s("retired") << none << none << none << QStringList();
    QTest::addRow("owner alice") << none << s("alice") << none << none << QStringList{s("refund-bot"), s("support-agent")};
    QTest::addRow("owner bob") << none << s("bob") << none << none << QStringList{s("kb-writer"), s("triage-agent")};
    QTest::addRow("owner unknown") << none << s("mallory") << none << none << QStringList();
    QTest::addRow("text in id and description, any case") << none << none << s("REFUND") << none
                                                          << QStringList{s("refund-bot"), s("support-agent")};
    QTest::addRow("text in display name") << none << none << s("librar") << none << QStringList{s("kb-writer")};
    QTest::addRow("text in description") << none << none << s("knowledge base") << none << QStringList{s("kb-writer")};
    QTest::addRow("text nowhere") << none << none << s("zebra") << none << QStringList();
    QTest::addRow("label key") << none << none << none << s("team")
                               << QStringList{s("kb-writer"), s("refund-bot"), s("support-agent")};
    QTest::addRow("label key and value") << none << none << none << s("team=payments")
                                         << QStringList{s("refund-bot"), s("support-agent")};
    QTest::addRow("label value is not a prefix match") << none << none << none << s("team=pay") << QStringList();
    QTest::addRow("label only on one") << none << none << none << s("tier") << QStringList{s("refund-bot")};
    QTest::addRow("label with empty value") << none << none << none << s("team=") << QStringList();
    QTest::addRow("owner and status") << s("suspended") << s("alice") << none << none << QStringList{s("refund-bot")};
    QTest::addRow("owner and status, no match") << s("suspended") << s("bob") << none << none << QStringList();
    QTest::addRow("text and label") << none << none << s("refund") << s("tier=gold") << QStringList{s("refund-bot")};
}
void TestRegistryIntegrity::filters()
{
    QFETCH(QString, status);
    QFETCH(QString, owner);
    QFETCH(QString, text);
    QFETCH(QString, label);
    QFETCH(QStringList, expected);

    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    Agent bot = makeAgent("refund-bot", "alice", {s("refund:read")});
    bot.displayName = s("Refund Bot");
    bot.status = Agent::Status::Suspended;
    bot.labels = {{s("team"), s("payments")}, {s("tier"), s("gold")}};
    QVERIFY(registry.create(bot, s("seed")).ok());
    Agent writer = makeAgent("kb-writer", "bob", {s("ticket:read")});
    writer.displayName = s("Librarian");
    writer.description = s("Writes Knowledge Base articles");
    writer.labels = {{s("team"), s("docs")}};
    QVERIFY(registry.create(writer, s("seed")).ok());

    auto result = registry.agents(AgentFilter{status, owner, text, label});
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().toString()));
    QCOMPARE(idsOf(result.value()), expected);
}
void TestRegistryIntegrity::changedSignal()
{
    Registry &registry = *f->registry;
    QSignalSpy spy(&registry, &Registry::changed);
    QVERIFY(spy.isValid());
    const QDateTime t0 = f->clock.now();

    auto created = registry.create(makeHuman("carol", "Carol"), s("admin-key"));
    QVERIFY(created.ok());
    QCOMPARE(spy.size(), 1);
    RegistryChange change = changeAt(spy, 0);
    QCOMPARE(change.kind, s("human"));
    QCOMPARE(change.operation, RegistryChange::Operation::Created);
    QCOMPARE(change.id, s("carol"));
    QCOMPARE(change.actor, s("admin-key"));
    QVERIFY(change.before.isEmpty());
    QCOMPARE(change.after, created->toJson());
    QCOMPARE(change.after.value(s("version")).toInteger(), 1);
    QCOMPARE(change.version, qint64(1));
    QCOMPARE(change.at, t0);

    f->clock.advanceSecs(90);
    Human edited = created.value();
    edited.displayName = s("Carol Danvers");
    auto updated = registry.update(edited, 1, s("console:alice"));
    QVERIFY(updated.ok());
    QCOMPARE(spy.size(), 2);
    change = changeAt(spy, 1);
    QCOMPARE(change.operation, RegistryChange::Operation::Updated);
    QCOMPARE(change.actor, s("console:alice"));
    QCOMPARE(change.before, created->toJson());
    QCOMPARE(change.after, updated->toJson());
    QCOMPARE(change.after.value(s("displayName")).toString(), s("Carol Danvers"));
    QCOMPARE(change.version, qint64(2));
    QCOMPARE(change.at, t0.addSecs(90));

    f->clock.advanceSecs(10);
    QVERIFY(registry.remove<Human>(s("carol"), 2, s("console:bob")).ok());
    QCOMPARE(spy.size(), 3);
    change = changeAt(spy, 2);
    QCOMPARE(change.operation, RegistryChange::Operation::Deleted);
    QCOMPARE(change.actor, s("console:bob"));
    QCOMPARE(change.before, updated->toJson());
    QVERIFY(change.after.isEmpty());
    QCOMPARE(change.version, qint64(2));
    QCOMPARE(change.at, t0.addSecs(100));

    const QJsonObject json = change.toJson();
    QCOMPARE(json.value(s("kind")).toString(), s("human"));
    QCOMPARE(json.value(s("operation")).toString(), s("deleted"));
    QCOMPARE(json.value(s("at")).toString(), s("2027-01-15T08:01:40.000Z"));
    QVERIFY(!json.contains(s("after")));
    QCOMPARE(json.value(s("before")).toObject(), updated->toJson());

    // A failed write says nothing.
    QVERIFY(!registry.update(edited, 1, s("console:alice")).ok());
    QVERIFY(!registry.remove<Human>(s("carol"), 2, s("console:alice")).ok());
    QCOMPARE(spy.size(), 3);
}
void TestRegistryIntegrity::issuerAndSubjectNameOneHuman()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const Human alice = registry.human(s("alice")).value();
    QSignalSpy spy(&registry, &Registry::changed);
    const QString refusal = s("human \"aaron\" has the issuer and subject of human \"alice\": an ID token would name both");

    // Created with alice's pair: refused, with the field named.
    Human aaron = makeHuman("aaron", "Aaron");
    aaron.issuer = alice.issuer;
    aaron.subject = alice.subject;
    auto created = registry.create(aaron, s("me"));
    QVERIFY(!created.ok());
    QCOMPARE(created.error().code, s("invalid"));
    QCOMPARE(created.error().message, refusal);
    QCOMPARE(created.error().path, s("subject"));

    // Updated to it: refused the same way. The same subject at another issuer is another person.
    aaron.subject = s("sub-aaron");
    QVERIFY(registry.create(aaron, s("me")).ok());
    aaron.subject = alice.subject;
    auto updated = registry.update(aaron, 1, s("me"));
    QVERIFY(!updated.ok());
    QCOMPARE(updated.error().message, refusal);
    aaron.issuer = s("https://other-idp.example.com");
    QVERIFY(registry.update(aaron, 1, s("me")).ok());
    // A record keeps its own pair through an update.
    Human renamed = registry.human(s("alice")).value();
    renamed.displayName = s("Alice Liddell");
    QVERIFY(registry.update(renamed, renamed.version, s("me")).ok());
    QCOMPARE(spy.size(), 3);

    // An import: against stored humans it leaves in place, and among its own.
    const QJsonObject before = f->snapshot();
    Human twin = makeHuman("twin", "Twin");
    twin.issuer = alice.issuer;
    twin.subject = alice.subject;
    auto imported = registry.importJson(QJsonObject{{s("humans"), QJsonArray{twin.toJson()}}}, s("import"));
    const auto clashes = [](const Result<ImportSummary> &result, const QString &path, const QString &other) {
        if (result.ok())
            return false;
        for (const Error &detail : result.error().details) {
            if (detail.path == path && detail.message == s("has the issuer and subject of human \"%1\": an ID token would name both").arg(other))
                return true;
        }
        return false;
    };
    QVERIFY(clashes(imported, s("humans[0].subject"), s("alice")));
    Human first = makeHuman("first", "First");
    Human second = makeHuman("second", "Second");
    second.subject = first.subject;
    imported = registry.importJson(QJsonObject{{s("humans"), QJsonArray{first.toJson(), second.toJson()}}}, s("import"));
    QVERIFY(clashes(imported, s("humans[1].subject"), s("first")));
    QCOMPARE(f->snapshot(), before);
    // Replacing alice in the same import frees her pair for the record that takes it.
    Human moved = registry.human(s("alice")).value();
    moved.subject = s("sub-alice-2");
    moved.version = 0;
    twin.subject = alice.subject;
    imported = registry.importJson(QJsonObject{{s("humans"), QJsonArray{moved.toJson(), twin.toJson()}}}, s("import"));
    QVERIFY2(imported.ok(), imported.ok() ? "" : qPrintable(imported.error().toString()));
}
void TestRegistryIntegrity::corruptStoredRecordIsReported()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    {
        QSqlQuery damage(f->db->connection());
        QVERIFY(damage.exec(QStringLiteral("UPDATE agents SET body = '{\"id\":\"triage-agent\"' WHERE id = 'triage-agent'")));
        QVERIFY(damage.exec(QStringLiteral("UPDATE humans SET body = '{\"id\":\"bob\",\"issuer\":\"i\",\"role\":\"root\"}' WHERE id = 'bob'")));
    }
    auto agent = registry.agent(s("triage-agent"));
    QVERIFY(!agent.ok());
    QCOMPARE(agent.error().code, s("store_corrupt"));
    QVERIFY2(agent.error().message.startsWith(s("stored agent is not valid JSON: ")), qPrintable(agent.error().message));
    auto agents = registry.agents();
    QVERIFY(!agents.ok());
    QCOMPARE(agents.error().code, s("store_corrupt"));

    auto human = registry.human(s("bob"));
    QVERIFY(!human.ok());
    QCOMPARE(human.error().code, s("store_corrupt"));
    QCOMPARE(human.error().message, s("stored human is invalid: role: unknown field"));
    QVERIFY(registry.human(s("alice")).ok());

    auto exported = registry.exportJson();
    QVERIFY(!exported.ok());
    QCOMPARE(exported.error().code, s("store_corrupt"));
}
QTEST_GUILESS_MAIN(TestRegistryIntegrity)
#include "tst_registry_integrity.moc"
