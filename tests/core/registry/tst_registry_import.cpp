// SPDX-License-Identifier: Apache-2.0
// Registry import/export as JSON: round trip into a fresh database, all-or-nothing imports that
// report every invalid record with its path, updates that bump versions, and the demo data.
#include "RegistryFixture.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTest>

#include <functional>

using namespace mandate;
using namespace mandate::testing;

class TestRegistryImport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void exportImportRoundTrip();
    void importReportsEveryInvalidRecord();
    void importIsAllOrNothingOnWriteFailure();
    void importUpdatesBumpVersions();
    void importRefusesRecordsChangedSinceTheDocument();
    void importOfADeletedRecordContinuesItsVersions();
    void importStructure_data();
    void importStructure();
    void importToolMustKeepActionsInUse();
    void demoRegistryImports();

private:
    std::unique_ptr<Fixture> f;
};

void TestRegistryImport::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false"));
}

void TestRegistryImport::init()
{
    f = std::make_unique<Fixture>();
}

void TestRegistryImport::cleanup()
{
    f.reset();
}

void TestRegistryImport::exportImportRoundTrip()
{
    QVERIFY(f->seed());
    Agent support = f->registry->agent(s("support-agent")).value();
    support.memoryScopes = {{s("customer-notes"), MemoryScope::Mode::ReadWrite}};
    support.maxBudget.amount = *Amount::parse(s("12.3456"));
    QVERIFY(f->registry->update(support, 1, s("admin")).ok());
    const QJsonObject exported = f->snapshot();

    QCOMPARE(exported.value(s("format")).toString(), s("mandate-registry/1"));
    QCOMPARE(exported.value(s("humans")).toArray().size(), 2);
    QCOMPARE(exported.value(s("machines")).toArray().size(), 1);
    QCOMPARE(exported.value(s("tools")).toArray().size(), 2);
    QCOMPARE(exported.value(s("agents")).toArray().size(), 2);
    QCOMPARE(versionsIn(exported), (QList<qint64>{1, 1, 1, 1, 1, 2, 1}));

    // Through text into a fresh database.
    const QJsonObject document = QJsonDocument::fromJson(QJsonDocument(exported).toJson()).object();
    Fixture fresh;
    QSignalSpy spy(fresh.registry.get(), &Registry::changed);
    QVERIFY(fresh.registry->validateImport(document).ok());
    auto imported = fresh.registry->importJson(document, s("import"));
    QVERIFY2(imported.ok(), imported.ok() ? "" : qPrintable(imported.error().toString()));
    QCOMPARE(imported->created, 7);
    QCOMPARE(imported->updated, 0);

    const QJsonObject reexported = fresh.snapshot();
    QCOMPARE(withoutVersions(reexported), withoutVersions(exported));
    QCOMPARE(versionsIn(reexported), (QList<qint64>{1, 1, 1, 1, 1, 1, 1}));
    QCOMPARE(fresh.registry->agent(s("support-agent"))->maxBudget.amount.toString(), s("12.3456"));

    QCOMPARE(spy.size(), 7);
    QStringList order;
    for (qsizetype i = 0; i < spy.size(); ++i) {
        const RegistryChange change = changeAt(spy, i);
        QCOMPARE(change.operation, RegistryChange::Operation::Created);
        QCOMPARE(change.actor, s("import"));
        QCOMPARE(change.version, qint64(1));
        order << change.kind + u':' + change.id;
    }
    QCOMPARE(order, (QStringList{s("human:alice"), s("human:bob"), s("machine:nightly-ci"), s("tool:refund"),
                                 s("tool:ticket"), s("agent:support-agent"), s("agent:triage-agent")}));
}

void TestRegistryImport::importReportsEveryInvalidRecord()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    QJsonObject document = before;

    QJsonArray humans = document.value(s("humans")).toArray();
    humans.append(parseObject(R"({"id":"carol","issuer":"https://idp.example.com","displayName":"Carol"})"));
    humans.append(parseObject(R"({"id":"Eve","issuer":"https://idp.example.com"})"));
    document.insert(s("humans"), humans);

    QJsonArray machines = document.value(s("machines")).toArray();
    machines.append(parseObject(R"({"id":"robot-1","kind":"robot","owner":"carol"})"));
    document.insert(s("machines"), machines);

    QJsonArray tools = document.value(s("tools")).toArray();
    tools.append(parseObject(R"({"id":"account","actions":[{"name":"account:read","method":"GET","path":"/accounts"}]})"));
    tools.append(parseObject(R"({"id":"crm","actions":[{"name":"ticket:close","method":"POST","path":"/close"}]})"));
    document.insert(s("tools"), tools);

    QJsonArray agents = document.value(s("agents")).toArray(); // [0] support-agent, [1] triage-agent
    agents.append(parseObject(R"({"id":"helper-agent","owner":"carol","allowedActions":["account:read"],"maxBudget":{"calls":5}})"));
    agents.append(parseObject(R"({"id":"billing-agent","owner":"alice","allowedActions":["refund:read","acount:delete"],"maxBudget":{"calls":5}})"));
    agents.append(parseObject(R"({"id":"shady-agent","owner":"mallory","trustLevel":7,"allowedActions":["ticket:read"],"maxBudget":{"calls":5}})"));
    agents.append(parseObject(R"({"id":"typo-agent","owner":"alice","allowedAction":["ticket:read"],"maxBudget":{"calls":5,"amount":"1e3"}})"));
    QJsonObject triage = agents[1].toObject();
    triage.insert(s("delegators"), QJsonArray{s("ghost-agent")});
    agents[1] = triage;
    document.insert(s("agents"), agents);

    QSignalSpy spy(&registry, &Registry::changed);
    auto imported = registry.importJson(document, s("import"));
    QVERIFY(!imported.ok());
    const Error &error = imported.error();

    const QStringList expected{
        // Parsing, section by section.
        s("agents[5].allowedActions: is required"),
        s("agents[5].maxBudget.amount: expected a decimal amount like \"100.00\", got \"1e3\""),
        s("agents[5].allowedAction: unknown field"),
        // Validation against the registry as it would be after the import.
        s("humans[3].id: \"Eve\" must be 2 to 64 characters: lowercase letters, digits and single hyphens, "
          "starting with a letter and not ending with a hyphen"),
        s("machines[1].kind: must be one of service, pipeline, oauth-client; got \"robot\""),
        s("tools[3].actions[0].name: \"ticket:close\" must start with the tool id \"crm:\""),
        s("agents[1].delegators[0]: unknown agent \"ghost-agent\""),
        s("agents[3].allowedActions[1]: unknown action \"acount:delete\""),
        s("agents[4].owner: unknown human \"mallory\""),
        s("agents[4].trustLevel: must be between 0 and 4, got 7"),
        s("agents[5].allowedActions: must name at least one action"),
    };
    QCOMPARE(describe(error.details), expected);
    QCOMPARE(error.code, s("invalid"));
    QCOMPARE(error.message, s("11 invalid record field(s); nothing was imported"));
    QCOMPARE(error.toString(), error.message);
    for (const Error &detail : error.details) {
        QCOMPARE(detail.code, s("invalid"));
        QVERIFY(!detail.path.isEmpty());
    }
    QCOMPARE(error.details[7].path, s("agents[3].allowedActions[1]"));
    QCOMPARE(error.details[7].message, s("unknown action \"acount:delete\""));

    // Dry run says the same.
    const Status validated = registry.validateImport(document);
    QVERIFY(!validated.ok());
    QCOMPARE(describe(validated.error().details), expected);

    // Nothing changed: not the valid records of the document either.
    QCOMPARE(spy.size(), 0);
    QCOMPARE(f->snapshot(), before);
    QCOMPARE(registry.human(s("carol")).error().code, s("not_found"));
    QCOMPARE(registry.tool(s("account")).error().code, s("not_found"));
}

void TestRegistryImport::importIsAllOrNothingOnWriteFailure()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    // A valid document whose last write fails in SQLite: earlier writes must be rolled back.
    {
        QSqlQuery trigger(f->db->connection());
        QVERIFY(trigger.exec(QStringLiteral(
            "CREATE TRIGGER refuse_agent BEFORE INSERT ON agents WHEN NEW.id = 'late-agent' "
            "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END")));
    }
    const QJsonObject document = parseObject(R"({"format":"mandate-registry/1",
        "humans":[{"id":"carol","issuer":"https://idp.example.com"},{"id":"alice","displayName":"Alice 2","issuer":"https://idp.example.com"}],
        "agents":[{"id":"late-agent","owner":"carol","allowedActions":["ticket:read"],"maxBudget":{"calls":1}}]})");
    QSignalSpy spy(&registry, &Registry::changed);
    auto imported = registry.importJson(document, s("import"));
    QVERIFY(!imported.ok());
    QCOMPARE(imported.error().code, s("store_error"));
    QVERIFY2(imported.error().message.contains(s("refused by test trigger")), qPrintable(imported.error().message));
    QCOMPARE(spy.size(), 0);
    QCOMPARE(f->snapshot(), before);
}

void TestRegistryImport::importRefusesRecordsChangedSinceTheDocument()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject exported = f->snapshot();  // every record at version 1
    // Since the export: support-agent retired, alice's department corrected, a machine deleted.
    QVERIFY(registry.retireAgent(s("support-agent"), 1, s("admin")).ok());
    Human alice = registry.human(s("alice")).value();
    alice.department = s("Support");
    QVERIFY(registry.update(alice, 1, s("admin")).ok());
    QVERIFY(registry.remove<Machine>(s("nightly-ci"), 1, s("admin")).ok());

    // Re-importing the old export would switch the retired agent back on: refused, whole.
    QSignalSpy spy(&registry, &Registry::changed);
    auto refused = registry.importJson(exported, s("import:ops"));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, s("conflict"));
    QCOMPARE(refused.error().details.size(), size_t(3));
    QStringList paths;
    for (const Error &detail : refused.error().details)
        paths << detail.path;
    paths.sort();
    QVERIFY2(paths.size() == 3 && paths[0].startsWith(s("agents[")) && paths[1].startsWith(s("humans["))
                 && paths[2].startsWith(s("machines[")), qPrintable(paths.join(u',')));
    QCOMPARE(spy.size(), 0);
    QVERIFY(!registry.machine(s("nightly-ci")).ok());  // not brought back
    // Validation says so too, before anything is tried.
    const Status validated = registry.validateImport(exported);
    QVERIFY(!validated);
    QCOMPARE(validated.error().code, s("conflict"));
    QCOMPARE(validated.error().details.size(), size_t(3));
    QCOMPARE(registry.agent(s("support-agent"))->status, Agent::Status::Retired);
    QCOMPARE(registry.human(s("alice"))->department, s("Support"));
    QCOMPARE(registry.human(s("bob"))->version, qint64(1));  // untouched, though it had not changed

    // Without versions the document replaces what is stored, as the operator asked; into a
    // database without the records, the export imports as it is.
    Fixture fresh;
    QVERIFY2(fresh.registry->importJson(exported, s("import")).ok(), "an export imports into an empty registry");
    QJsonObject unversioned = exported;
    QJsonArray humans;
    for (const QJsonValue &human : exported.value(s("humans")).toArray()) {
        QJsonObject record = human.toObject();
        record.remove(s("version"));
        humans.append(record);
    }
    unversioned.insert(s("humans"), humans);
    unversioned.remove(s("agents"));
    unversioned.remove(s("machines"));
    auto replaced = registry.importJson(unversioned, s("import:ops"));
    QVERIFY2(replaced.ok(), replaced.ok() ? "" : qPrintable(replaced.error().toString()));
    QVERIFY(registry.human(s("alice"))->department.isEmpty());
}

void TestRegistryImport::importOfADeletedRecordContinuesItsVersions()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    Human dana = makeHuman("dana", "Dana");
    QVERIFY(registry.create(dana, s("admin")).ok());
    dana.department = s("Ops");
    QVERIFY(registry.update(dana, 1, s("admin")).ok());
    QVERIFY(registry.remove<Human>(s("dana"), 2, s("admin")).ok());
    const QJsonObject document = parseObject(R"({"format":"mandate-registry/1",
        "humans":[{"id":"dana","displayName":"Dana","issuer":"https://idp.example.com","subject":"sub-dana"}]})");
    QVERIFY(registry.importJson(document, s("import")).ok());
    QCOMPARE(registry.human(s("dana"))->version, qint64(3));  // not 1: If-Match "1" of the deleted dana must not match
}

void TestRegistryImport::importUpdatesBumpVersions()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    Human alice = registry.human(s("alice")).value();
    alice.department = s("Support");
    QVERIFY(registry.update(alice, 1, s("admin")).ok()); // alice at version 2

    const QJsonObject document = parseObject(R"({"format":"mandate-registry/1",
        "humans":[{"id":"alice","displayName":"Alice L.","issuer":"https://idp.example.com","subject":"sub-alice","version":2}],
        "tools":[{"id":"crm","actions":[{"name":"crm:read","method":"GET","path":"/contacts"}]}],
        "agents":[{"id":"support-agent","owner":"alice","allowedActions":["refund:create","crm:read"],
                   "trustLevel":3,"maxBudget":{"calls":20,"amount":"5.00"}}]})");
    QSignalSpy spy(&registry, &Registry::changed);
    f->clock.advanceSecs(3600);
    auto imported = registry.importJson(document, s("import:ops"));
    QVERIFY2(imported.ok(), imported.ok() ? "" : qPrintable(imported.error().toString()));
    QCOMPARE(imported->created, 1);
    QCOMPARE(imported->updated, 2);

    QCOMPARE(registry.human(s("alice"))->version, qint64(3));
    QCOMPARE(registry.human(s("alice"))->displayName, s("Alice L."));
    QVERIFY(registry.human(s("alice"))->department.isEmpty()); // replaced, not merged
    QCOMPARE(registry.tool(s("crm"))->version, qint64(1));
    const Agent support = registry.agent(s("support-agent")).value();
    QCOMPARE(support.version, qint64(2));
    QCOMPARE(support.trustLevel, 3);
    QCOMPARE(support.allowedActions, (QStringList{s("refund:create"), s("crm:read")}));
    QCOMPARE(registry.human(s("bob"))->version, qint64(1));
    QCOMPARE(registry.agent(s("triage-agent"))->version, qint64(1));

    QCOMPARE(spy.size(), 3);
    const RegistryChange first = changeAt(spy, 0);
    QCOMPARE(first.kind, s("human"));
    QCOMPARE(first.operation, RegistryChange::Operation::Updated);
    QCOMPARE(first.actor, s("import:ops"));
    QCOMPARE(first.version, qint64(3));
    QCOMPARE(first.before.value(s("department")).toString(), s("Support"));
    QCOMPARE(first.before.value(s("version")).toInteger(), 2);
    QCOMPARE(first.after.value(s("displayName")).toString(), s("Alice L."));
    QCOMPARE(first.at, f->clock.now());
    QCOMPARE(changeAt(spy, 1).operation, RegistryChange::Operation::Created);
    QCOMPARE(changeAt(spy, 1).id, s("crm"));
    QCOMPARE(changeAt(spy, 2).operation, RegistryChange::Operation::Updated);
    QCOMPARE(changeAt(spy, 2).id, s("support-agent"));
    QCOMPARE(changeAt(spy, 2).version, qint64(2));
}

void TestRegistryImport::importStructure_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QStringList>("expected"); // empty: the import succeeds

    QTest::addRow("empty document") << QByteArray("{}") << QStringList();
    QTest::addRow("format only") << QByteArray(R"({"format":"mandate-registry/1"})") << QStringList();
    QTest::addRow("unsupported format") << QByteArray(R"({"format":"mandate-registry/2"})")
                                        << QStringList{s("format: unsupported format \"mandate-registry/2\" (expected \"mandate-registry/1\")")};
    QTest::addRow("unknown section") << QByteArray(R"({"policies":[]})") << QStringList{s("policies: unknown field")};
    QTest::addRow("section not an array") << QByteArray(R"({"agents":{}})") << QStringList{s("agents: expected an array")};
    QTest::addRow("record not an object") << QByteArray(R"({"humans":[5]})") << QStringList{s("humans[0]: expected an object")};
    QTest::addRow("duplicate id in a section")
        << QByteArray(R"({"humans":[{"id":"carol","issuer":"i"},{"id":"carol","issuer":"j"}]})")
        << QStringList{s("humans[1].id: duplicate id \"carol\"")};
    QTest::addRow("forward references within the document")
        << QByteArray(R"({"agents":[{"id":"a-agent","owner":"dan","allowedActions":["crm:read"],"maxBudget":{"calls":1},"delegators":["b-agent"]},
                                   {"id":"b-agent","owner":"dan","allowedActions":["crm:read"],"maxBudget":{"calls":1}}],
                         "tools":[{"id":"crm","actions":[{"name":"crm:read"}]}],
                         "humans":[{"id":"dan","issuer":"i"}]})")
        << QStringList();
}

void TestRegistryImport::importStructure()
{
    QFETCH(QByteArray, document);
    QFETCH(QStringList, expected);
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    const QJsonObject json = QJsonDocument::fromJson(document).object();
    auto imported = registry.importJson(json, s("import"));
    if (expected.isEmpty()) {
        QVERIFY2(imported.ok(), imported.ok() ? "" : qPrintable(describe(imported.error().details).join(u'\n')));
        QCOMPARE(imported->updated, 0);
    } else {
        QVERIFY(!imported.ok());
        QCOMPARE(describe(imported.error().details), expected);
        QCOMPARE(f->snapshot(), before);
    }
}

void TestRegistryImport::importToolMustKeepActionsInUse()
{
    QVERIFY(f->seed());
    Registry &registry = *f->registry;
    const QJsonObject before = f->snapshot();
    // refund loses refund:create, which the stored support-agent (not in the document) may call.
    const QJsonObject document = parseObject(R"({"tools":[{"id":"refund","actions":[{"name":"refund:read"}]}]})");
    auto imported = registry.importJson(document, s("import"));
    QVERIFY(!imported.ok());
    QCOMPARE(describe(imported.error().details),
             QStringList{s("tools[0].actions: cannot drop action \"refund:create\": it is allowed to agent \"support-agent\"")});
    QCOMPARE(f->snapshot(), before);

    // The same document is fine when it also takes the action away from the agent.
    QJsonObject both = document;
    QJsonObject support = registry.agent(s("support-agent"))->toJson();
    support.insert(s("allowedActions"), QJsonArray{s("ticket:read")});
    both.insert(s("agents"), QJsonArray{support});
    auto importedBoth = registry.importJson(both, s("import"));
    QVERIFY2(importedBoth.ok(), importedBoth.ok() ? "" : qPrintable(describe(importedBoth.error().details).join(u'\n')));
    QCOMPARE(importedBoth->updated, 2);
}

void TestRegistryImport::demoRegistryImports()
{
    // The demo data that `mandated --demo` loads must pass every rule.
    QFile file(QStringLiteral(MANDATE_SOURCE_DIR "/resources/demo/registry.json"));
    if (!file.open(QIODevice::ReadOnly))
        QSKIP("resources/demo/registry.json is not in this tree");
    QJsonParseError parseError{};
    QByteArray text = file.readAll();
    text.replace("${DEMO_UPSTREAM}", "http://127.0.0.1:8080/demo-api"); // as DemoSetup does
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    QVERIFY2(document.isObject(), qPrintable(parseError.errorString()));
    auto imported = f->registry->importJson(document.object(), s("demo"));
    QVERIFY2(imported.ok(), imported.ok() ? "" : qPrintable(describe(imported.error().details).join(u'\n')));
    QVERIFY(imported->created > 0);
    QCOMPARE(imported->updated, 0);
    // Loading it a second time updates every record and creates nothing.
    auto again = f->registry->importJson(document.object(), s("demo"));
    QVERIFY(again.ok());
    QCOMPARE(again->created, 0);
    QCOMPARE(again->updated, imported->created);
}

QTEST_GUILESS_MAIN(TestRegistryImport)
#include "tst_registry_import.moc"
