// SPDX-License-Identifier: Apache-2.0
// The registry on a real SQLite file: CRUD for the four record kinds, optimistic concurrency,
// referential checks on update and delete, filters and change events.
#include "RegistryFixture.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTest>

#include <functional>

using namespace mandate;
using namespace mandate::testing;

class TestRegistry : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void crudHumans();
    void crudMachines();
    void crudTools();
    void crudAgents();
    void versionIncrementsOnEveryUpdate();
    void conflict_data();
    void conflict();
    void existsOnDuplicateCreate_data();
    void existsOnDuplicateCreate();
    void notFound_data();
    void notFound();
    void invalidRecordsAreRefused();
    void removeRefusedWhileInUse_data();
    void removeRefusedWhileInUse();
    void removeAfterReferencesGone();
    void updateToolKeepsActionsInUse();
    void retireAgent();
    void filters_data();
    void filters();
    void changedSignal();
    void corruptStoredRecordIsReported();

private:
    template<typename Record>
    void checkCrud(Record record, const std::function<void(Record &)> &edit);

    std::unique_ptr<Fixture> f;
};

void TestRegistry::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false"));
}

void TestRegistry::init()
{
    f = std::make_unique<Fixture>();
}

void TestRegistry::cleanup()
{
    f.reset();
}

template<typename Record>
void TestRegistry::checkCrud(Record record, const std::function<void(Record &)> &edit)
{
    Registry &registry = *f->registry;
    const QString kind = QLatin1String(Record::kind);
    QSignalSpy spy(&registry, &Registry::changed);
    record.version = 42; // ignored: a new record starts at 1

    auto created = registry.create(record, s("admin"));
    QVERIFY2(created.ok(), created.ok() ? "" : qPrintable(created.error().toString()));
    QCOMPARE(created->version, qint64(1));
    QCOMPARE(created->id, record.id);

    auto fetched = fetch<Record>(registry, record.id);
    QVERIFY(fetched.ok());
    QCOMPARE(fetched->version, qint64(1));
    QCOMPARE(fetched->toJson(), created->toJson());

    Record changed = fetched.value();
    edit(changed);
    QVERIFY(changed.toJson() != fetched->toJson());
    auto updated = registry.update(changed, 1, s("admin"));
    QVERIFY2(updated.ok(), updated.ok() ? "" : qPrintable(updated.error().toString()));
    QCOMPARE(updated->version, qint64(2));
    changed.version = 2;
    QCOMPARE(updated->toJson(), changed.toJson());
    auto refetched = fetch<Record>(registry, record.id);
    QVERIFY(refetched.ok());
    QCOMPARE(refetched->toJson(), changed.toJson());

    auto all = list<Record>(registry);
    QVERIFY(all.ok());
    QVERIFY(idsOf(all.value()).contains(record.id));

    QVERIFY(registry.template remove<Record>(record.id, 2, s("admin")).ok());
    auto gone = fetch<Record>(registry, record.id);
    QVERIFY(!gone.ok());
    QCOMPARE(gone.error().code, s("not_found"));
    QCOMPARE(gone.error().message, QStringLiteral("no %1 \"%2\"").arg(kind, record.id));
    auto after = list<Record>(registry);
    QVERIFY(after.ok());
    QVERIFY(!idsOf(after.value()).contains(record.id));

    QCOMPARE(spy.size(), 3);
    const QList<RegistryChange::Operation> operations{RegistryChange::Operation::Created, RegistryChange::Operation::Updated,
                                                      RegistryChange::Operation::Deleted};
    for (qsizetype i = 0; i < spy.size(); ++i) {
        const RegistryChange change = changeAt(spy, i);
        QCOMPARE(change.kind, kind);
        QCOMPARE(change.id, record.id);
        QCOMPARE(change.operation, operations[i]);
    }

    // Created again under the same id, it continues above the deleted record's version: an ETag
    // taken from the deleted one does not match it.
    auto recreated = registry.create(record, s("admin"));
    QVERIFY2(recreated.ok(), recreated.ok() ? "" : qPrintable(recreated.error().toString()));
    QCOMPARE(recreated->version, qint64(3));
    for (const qint64 stale : {qint64(1), qint64(2)}) {
        auto refused = registry.update(changed, stale, s("admin"));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, s("conflict"));
        QVERIFY(!registry.template remove<Record>(record.id, stale, s("admin")).ok());
    }
    QVERIFY(registry.template remove<Record>(record.id, 3, s("admin")).ok());
    auto third = registry.create(record, s("admin"));
    QVERIFY(third.ok());
    QCOMPARE(third->version, qint64(4));
}

void TestRegistry::crudHumans()
{
    checkCrud<Human>(makeHuman("carol", "Carol"), [](Human &h) { h.department = s("Finance"); });
}

void TestRegistry::crudMachines()
{
    QVERIFY(f->seed());
    checkCrud<Machine>(makeMachine("billing-sync", "alice"), [](Machine &m) { m.owner = s("bob"); m.machineKind = s("service"); });
}

void TestRegistry::crudTools()
{
    checkCrud<Tool>(makeTool("crm", {s("read")}), [](Tool &t) {
        t.actions.append({s("crm:update"), s("PATCH"), s("/contacts/{id}")});
        t.inspection = Tool::Inspection::Block;
    });
}

void TestRegistry::crudAgents()
{
    QVERIFY(f->seed());
    Agent agent = makeAgent("refund-bot", "alice", {s("refund:read")});
    agent.memoryScopes = {{s("notes"), MemoryScope::Mode::Write}};
    checkCrud<Agent>(agent, [](Agent &a) {
        a.allowedActions << s("refund:create");
        a.owner = s("bob");
        a.status = Agent::Status::Suspended;
    });
}

void TestRegistry::versionIncrementsOnEveryUpdate()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    for (qint64 expected = 1; expected <= 5; ++expected) {
        auto current = registry.tool(s("ticket"));
        QVERIFY(current.ok());
        QCOMPARE(current->version, expected);
        Tool next = current.value();
        next.riskWeight = int(expected) * 10;
        auto updated = registry.update(next, expected, s("admin"));
        QVERIFY(updated.ok());
        QCOMPARE(updated->version, expected + 1);
    }
    QCOMPARE(registry.tool(s("ticket"))->riskWeight, 50);
    QCOMPARE(registry.tool(s("refund"))->version, qint64(1));
}

void TestRegistry::conflict_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("remove");
    QTest::addColumn<qint64>("expectedVersion");

    QTest::addRow("stale human update") << s("human") << s("alice") << false << qint64(1);
    QTest::addRow("stale machine update") << s("machine") << s("nightly-ci") << false << qint64(1);
    QTest::addRow("stale tool update") << s("tool") << s("refund") << false << qint64(1);
    QTest::addRow("stale agent update") << s("agent") << s("support-agent") << false << qint64(1);
    QTest::addRow("future agent update") << s("agent") << s("support-agent") << false << qint64(3);
    QTest::addRow("version zero update") << s("human") << s("alice") << false << qint64(0);
    QTest::addRow("stale machine delete") << s("machine") << s("nightly-ci") << true << qint64(1);
    QTest::addRow("stale agent delete") << s("agent") << s("support-agent") << true << qint64(1);
}

void TestRegistry::conflict()
{
    QFETCH(QString, kind);
    QFETCH(QString, id);
    QFETCH(bool, remove);
    QFETCH(qint64, expectedVersion);

    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    // Someone else edits first: the record is now at version 2.
    const auto bump = [&](auto record) {
        return registry.update(record, 1, s("someone-else")).ok();
    };
    if (kind == QLatin1String("human"))
        QVERIFY(bump(registry.human(id).value()));
    else if (kind == QLatin1String("machine"))
        QVERIFY(bump(registry.machine(id).value()));
    else if (kind == QLatin1String("tool"))
        QVERIFY(bump(registry.tool(id).value()));
    else
        QVERIFY(bump(registry.agent(id).value()));
    const QJsonObject before = f->snapshot();

    QSignalSpy spy(&registry, &Registry::changed);
    Error error;
    const auto attempt = [&](auto record) {
        using Record = std::decay_t<decltype(record)>;
        if (remove) {
            const Status status = registry.remove<Record>(id, expectedVersion, s("me"));
            QVERIFY(!status.ok());
            error = status.error();
        } else {
            record.displayName = s("My edit");
            const auto result = registry.update(record, expectedVersion, s("me"));
            QVERIFY(!result.ok());
            error = result.error();
        }
    };
    if (kind == QLatin1String("human"))
        attempt(registry.human(id).value());
    else if (kind == QLatin1String("machine"))
        attempt(registry.machine(id).value());
    else if (kind == QLatin1String("tool"))
        attempt(registry.tool(id).value());
    else
        attempt(registry.agent(id).value());

    QCOMPARE(error.code, s("conflict"));
    QCOMPARE(error.message, QStringLiteral("%1 \"%2\" was changed concurrently: the %3 is based on version %4, "
                                           "the registry has version 2")
                                .arg(kind, id, remove ? s("deletion") : s("edit"))
                                .arg(expectedVersion));
    QCOMPARE(spy.size(), 0);
    QCOMPARE(f->snapshot(), before);
}

void TestRegistry::existsOnDuplicateCreate_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("id");
    QTest::addRow("human") << s("human") << s("alice");
    QTest::addRow("machine") << s("machine") << s("nightly-ci");
    QTest::addRow("tool") << s("tool") << s("refund");
    QTest::addRow("agent") << s("agent") << s("triage-agent");
}

void TestRegistry::existsOnDuplicateCreate()
{
    QFETCH(QString, kind);
    QFETCH(QString, id);
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    QSignalSpy spy(&registry, &Registry::changed);

    Error error;
    const auto attempt = [&](auto record) {
        record.displayName = s("Second");
        const auto result = registry.create(record, s("me"));
        QVERIFY(!result.ok());
        error = result.error();
    };
    if (kind == QLatin1String("human"))
        attempt(makeHuman("alice", "x"));
    else if (kind == QLatin1String("machine"))
        attempt(makeMachine("nightly-ci", "alice"));
    else if (kind == QLatin1String("tool"))
        attempt(makeTool("refund", {s("create")}));
    else
        attempt(makeAgent("triage-agent", "alice", {s("ticket:update")}));

    QCOMPARE(error.code, s("exists"));
    QCOMPARE(error.message, QStringLiteral("%1 \"%2\" already exists").arg(kind, id));
    QCOMPARE(spy.size(), 0);
    QCOMPARE(f->snapshot(), before);
}

void TestRegistry::notFound_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("operation");
    for (const char *kind : {"human", "machine", "tool", "agent"}) {
        for (const char *operation : {"get", "update", "remove"})
            QTest::addRow("%s %s", operation, kind) << s(kind) << s(operation);
    }
    QTest::addRow("retire agent") << s("agent") << s("retire");
}

void TestRegistry::notFound()
{
    QFETCH(QString, kind);
    QFETCH(QString, operation);
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    QSignalSpy spy(&registry, &Registry::changed);
    const QString ghost = s("ghost");

    Error error;
    const auto attempt = [&](auto record) {
        using Record = std::decay_t<decltype(record)>;
        record.id = ghost;
        if (operation == QLatin1String("get")) {
            auto result = fetch<Record>(registry, ghost);
            QVERIFY(!result.ok());
            error = result.error();
        } else if (operation == QLatin1String("update")) {
            auto result = registry.update(record, 1, s("me"));
            QVERIFY(!result.ok());
            error = result.error();
        } else if (operation == QLatin1String("remove")) {
            const Status status = registry.remove<Record>(ghost, 1, s("me"));
            QVERIFY(!status.ok());
            error = status.error();
        } else {
            auto result = registry.retireAgent(ghost, 1, s("me"));
            QVERIFY(!result.ok());
            error = result.error();
        }
    };
    if (kind == QLatin1String("human"))
        attempt(makeHuman("x", "x"));
    else if (kind == QLatin1String("machine"))
        attempt(makeMachine("x", "alice"));
    else if (kind == QLatin1String("tool"))
        attempt(makeTool("x", {s("read")}));
    else
        attempt(makeAgent("x", "alice", {s("ticket:read")}));

    QCOMPARE(error.code, s("not_found"));
    QCOMPARE(error.message, QStringLiteral("no %1 \"ghost\"").arg(kind));
    QCOMPARE(spy.size(), 0);
}

void TestRegistry::invalidRecordsAreRefused()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    QSignalSpy spy(&registry, &Registry::changed);

    Agent bad = makeAgent("rogue-agent", "mallory", {s("ticket:read"), s("acount:delete")});
    auto created = registry.create(bad, s("me"));
    QVERIFY(!created.ok());
    QCOMPARE(created.error().code, s("invalid"));
    QCOMPARE(created.error().message, s("agent is invalid: owner: unknown human \"mallory\" (and 1 more)"));
    QCOMPARE(describe(created.error().details),
             (QStringList{s("owner: unknown human \"mallory\""), s("allowedActions[1]: unknown action \"acount:delete\"")}));
    QCOMPARE(registry.agent(s("rogue-agent")).error().code, s("not_found"));

    Agent support = registry.agent(s("support-agent")).value();
    support.trustLevel = 9;
    auto updated = registry.update(support, 1, s("me"));
    QVERIFY(!updated.ok());
    QCOMPARE(updated.error().code, s("invalid"));
    QCOMPARE(updated.error().message, s("agent is invalid: trustLevel: must be between 0 and 4, got 9"));
    QCOMPARE(updated.error().details.size(), size_t(1));

    Machine machine = makeMachine("orphan", "nobody");
    auto machineCreated = registry.create(machine, s("me"));
    QVERIFY(!machineCreated.ok());
    QCOMPARE(machineCreated.error().message, s("machine is invalid: owner: unknown human \"nobody\""));

    Tool tool = makeTool("crm", {s("read")});
    tool.actions[0].name = s("ticket:read");
    auto toolCreated = registry.create(tool, s("me"));
    QVERIFY(!toolCreated.ok());
    QCOMPARE(toolCreated.error().message, s("tool is invalid: actions[0].name: \"ticket:read\" must start with the tool id \"crm:\""));

    QCOMPARE(spy.size(), 0);
    QCOMPARE(f->snapshot(), before);
}

void TestRegistry::removeRefusedWhileInUse_data()
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

void TestRegistry::removeRefusedWhileInUse()
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

void TestRegistry::removeAfterReferencesGone()
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

void TestRegistry::updateToolKeepsActionsInUse()
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

void TestRegistry::retireAgent()
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

void TestRegistry::filters_data()
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

void TestRegistry::filters()
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

void TestRegistry::changedSignal()
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

void TestRegistry::corruptStoredRecordIsReported()
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

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
