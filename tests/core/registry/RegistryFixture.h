// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the registry suites: record builders and a registry on a temporary database file.
#include "registry/Registry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

namespace mandate::testing {

using namespace mandate::identity;
using namespace mandate::registry;

inline QString s(const char *text) { return QString::fromUtf8(text); }

inline QJsonObject parseObject(const char *text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(text), &error);
    if (!document.isObject())
        qFatal("test JSON does not parse: %s (%s)", text, qPrintable(error.errorString()));
    return document.object();
}

inline QStringList describe(const std::vector<Error> &errors)
{
    QStringList result;
    for (const Error &error : errors)
        result << error.toString();
    return result;
}

inline Human makeHuman(const char *id, const char *name)
{
    Human human;
    human.id = s(id);
    human.displayName = s(name);
    human.issuer = s("https://idp.example.com");
    human.subject = s("sub-") + s(id);
    human.email = s(id) + s("@example.com");
    return human;
}

inline Tool makeTool(const char *id, QStringList verbs)
{
    Tool tool;
    tool.id = s(id);
    tool.displayName = s(id).toUpper();
    tool.upstream = s("http://127.0.0.1:9000/") + s(id);
    for (const QString &verb : verbs)
        tool.actions.append({s(id) + u':' + verb, s("POST"), u'/' + verb});
    return tool;
}

inline Agent makeAgent(const char *id, const char *owner, QStringList actions)
{
    Agent agent;
    agent.id = s(id);
    agent.displayName = s(id);
    agent.owner = s(owner);
    agent.allowedActions = std::move(actions);
    agent.maxBudget = Budget{100, 10'000, Amount::fromUnits(100 * Amount::Scale)};
    return agent;
}

inline Machine makeMachine(const char *id, const char *owner)
{
    Machine machine;
    machine.id = s(id);
    machine.displayName = s(id);
    machine.machineKind = s("pipeline");
    machine.owner = s(owner);
    return machine;
}

template<typename Record> Result<Record> fetch(const Registry &registry, const QString &id);
template<> inline Result<Human> fetch(const Registry &registry, const QString &id) { return registry.human(id); }
template<> inline Result<Machine> fetch(const Registry &registry, const QString &id) { return registry.machine(id); }
template<> inline Result<Tool> fetch(const Registry &registry, const QString &id) { return registry.tool(id); }
template<> inline Result<Agent> fetch(const Registry &registry, const QString &id) { return registry.agent(id); }

template<typename Record> Result<std::vector<Record>> list(const Registry &registry);
template<> inline Result<std::vector<Human>> list(const Registry &registry) { return registry.humans(); }
template<> inline Result<std::vector<Machine>> list(const Registry &registry) { return registry.machines(); }
template<> inline Result<std::vector<Tool>> list(const Registry &registry) { return registry.tools(); }
template<> inline Result<std::vector<Agent>> list(const Registry &registry) { return registry.agents(); }

template<typename Record>
inline QStringList idsOf(const std::vector<Record> &records)
{
    QStringList ids;
    for (const Record &record : records)
        ids << record.id;
    return ids;
}

inline RegistryChange changeAt(const QSignalSpy &spy, qsizetype index)
{
    return spy.at(index).at(0).value<RegistryChange>();
}

inline QJsonObject withoutVersions(QJsonObject document)
{
    for (const char *section : {"humans", "machines", "tools", "agents"}) {
        QJsonArray records = document.value(QLatin1String(section)).toArray();
        for (qsizetype i = 0; i < records.size(); ++i) {
            QJsonObject record = records[i].toObject();
            record.remove(QStringLiteral("version"));
            records[i] = record;
        }
        document.insert(QLatin1String(section), records);
    }
    return document;
}

inline QList<qint64> versionsIn(const QJsonObject &document)
{
    QList<qint64> versions;
    for (const char *section : {"humans", "machines", "tools", "agents"}) {
        for (const QJsonValue &record : document.value(QLatin1String(section)).toArray())
            versions << record.toObject().value(QStringLiteral("version")).toInteger(-1);
    }
    return versions;
}

/// A registry on its own database file in a temporary directory.
struct Fixture
{
    QTemporaryDir dir;
    ManualClock clock;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<Registry> registry;

    Fixture()
    {
        auto opened = store::Database::open(dir.filePath(QStringLiteral("registry.db")));
        if (!opened)
            qFatal("cannot open the test database: %s", qPrintable(opened.error().toString()));
        db = std::move(opened).value();
        registry = std::make_unique<Registry>(*db, clock);
    }
    ~Fixture()
    {
        registry.reset();
        db.reset();
    }

    /// Two humans, a machine, two tools and two agents, each at version 1:
    /// support-agent (alice) uses refund:create and ticket:read and may be delegated to by
    /// triage-agent (bob), which uses ticket:read; bob owns the nightly-ci machine.
    bool seed()
    {
        Agent support = makeAgent("support-agent", "alice", {s("refund:create"), s("ticket:read")});
        support.description = s("Handles refunds for customers");
        support.delegators = {s("triage-agent")};
        support.labels = {{s("team"), s("payments")}};
        Agent triage = makeAgent("triage-agent", "bob", {s("ticket:read")});
        triage.displayName = s("Ticket triage");
        return registry->create(makeHuman("alice", "Alice"), s("seed")).ok()
            && registry->create(makeHuman("bob", "Bob"), s("seed")).ok()
            && registry->create(makeMachine("nightly-ci", "bob"), s("seed")).ok()
            && registry->create(makeTool("refund", {s("create"), s("read")}), s("seed")).ok()
            && registry->create(makeTool("ticket", {s("read"), s("update")}), s("seed")).ok()
            && registry->create(triage, s("seed")).ok()
            && registry->create(support, s("seed")).ok();
    }

    QJsonObject snapshot() const
    {
        auto exported = registry->exportJson();
        if (!exported)
            qFatal("export failed: %s", qPrintable(exported.error().toString()));
        return exported.value();
    }
};

} // namespace mandate::testing
