// SPDX-License-Identifier: Apache-2.0
// The registry on a real SQLite file: CRUD for the four record kinds, versions and optimistic
// concurrency, duplicates, missing records and invalid ones (the rest: tst_registry_integrity).
#include "RegistryFixture.h"

#include <QLoggingCategory>
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

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
