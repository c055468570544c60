// SPDX-License-Identifier: Apache-2.0
#include "identity/Agent.h"

#include "identity/FieldReader.h"

#include <QJsonArray>

namespace mandate::identity {

QString MemoryScope::modeName(Mode mode)
{
    switch (mode) {
    case Mode::Read: return QStringLiteral("read");
    case Mode::Write: return QStringLiteral("write");
    case Mode::ReadWrite: return QStringLiteral("read-write");
    }
    return {};
}

std::optional<MemoryScope::Mode> MemoryScope::modeFromName(const QString &name)
{
    for (Mode mode : {Mode::Read, Mode::Write, Mode::ReadWrite}) {
        if (modeName(mode) == name)
            return mode;
    }
    return std::nullopt;
}

QString Agent::statusName(Status status)
{
    switch (status) {
    case Status::Active: return QStringLiteral("active");
    case Status::Suspended: return QStringLiteral("suspended");
    case Status::Retired: return QStringLiteral("retired");
    }
    return {};
}

std::optional<Agent::Status> Agent::statusFromName(const QString &name)
{
    for (Status status : {Status::Active, Status::Suspended, Status::Retired}) {
        if (statusName(status) == name)
            return status;
    }
    return std::nullopt;
}

QJsonObject Agent::toJson() const
{
    QJsonArray scopes;
    for (const MemoryScope &scope : memoryScopes) {
        scopes.append(QJsonObject{{QStringLiteral("name"), scope.name},
                                  {QStringLiteral("mode"), MemoryScope::modeName(scope.mode)}});
    }
    QJsonObject labelObject;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        labelObject.insert(it.key(), it.value());
    return {{QStringLiteral("id"), id},
            {QStringLiteral("displayName"), displayName},
            {QStringLiteral("owner"), owner},
            {QStringLiteral("description"), description},
            {QStringLiteral("allowedActions"), QJsonArray::fromStringList(allowedActions)},
            {QStringLiteral("trustLevel"), trustLevel},
            {QStringLiteral("policies"), QJsonArray::fromStringList(policies)},
            {QStringLiteral("memoryScopes"), scopes},
            {QStringLiteral("maxDelegationDepth"), maxDelegationDepth},
            {QStringLiteral("defaultTtl"), defaultTtlSecs},
            {QStringLiteral("maxTtl"), maxTtlSecs},
            {QStringLiteral("maxBudget"), maxBudget.toJson()},
            {QStringLiteral("delegators"), QJsonArray::fromStringList(delegators)},
            {QStringLiteral("status"), statusName(status)},
            {QStringLiteral("version"), version},
            {QStringLiteral("labels"), labelObject}};
}

Agent Agent::fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors)
{
    FieldReader reader(json, path, errors);
    Agent agent;
    agent.id = reader.string("id", FieldReader::Required);
    agent.displayName = reader.string("displayName", FieldReader::Optional, agent.id);
    agent.owner = reader.string("owner", FieldReader::Required);
    agent.description = reader.string("description");
    agent.allowedActions = reader.stringList("allowedActions", FieldReader::Required);
    agent.trustLevel = reader.integer32("trustLevel", FieldReader::Optional, 1);
    agent.policies = reader.stringList("policies");
    agent.maxDelegationDepth = reader.integer32("maxDelegationDepth", FieldReader::Optional, 1);
    agent.defaultTtlSecs = reader.integer("defaultTtl", FieldReader::Optional, 900);
    agent.maxTtlSecs = reader.integer("maxTtl", FieldReader::Optional, 3600);
    agent.maxBudget = Budget::fromJson(reader.object("maxBudget", FieldReader::Required),
                                       reader.pathOf("maxBudget"), errors);
    agent.delegators = reader.stringList("delegators");
    agent.version = reader.integer("version");

    const QString status = reader.string("status", FieldReader::Optional, QStringLiteral("active"));
    if (const auto parsed = statusFromName(status))
        agent.status = *parsed;
    else
        reader.fail("status", QStringLiteral("must be one of active, suspended, retired; got \"%1\"").arg(status));

    const QJsonArray scopes = reader.array("memoryScopes");
    for (qsizetype i = 0; i < scopes.size(); ++i) {
        const QString scopePath = reader.pathOf("memoryScopes") + u'[' + QString::number(i) + u']';
        if (!scopes[i].isObject()) {
            errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("expected an object"), scopePath});
            continue;
        }
        FieldReader scopeReader(scopes[i].toObject(), scopePath, errors);
        MemoryScope scope;
        scope.name = scopeReader.string("name", FieldReader::Required);
        const QString mode = scopeReader.string("mode", FieldReader::Optional, QStringLiteral("read"));
        if (const auto parsed = MemoryScope::modeFromName(mode))
            scope.mode = *parsed;
        else
            scopeReader.fail("mode", QStringLiteral("must be one of read, write, read-write; got \"%1\"").arg(mode));
        scopeReader.rejectUnknown({"name", "mode"});
        agent.memoryScopes.append(scope);
    }

    const QJsonObject labelObject = reader.object("labels");
    for (auto it = labelObject.constBegin(); it != labelObject.constEnd(); ++it) {
        if (!it->isString()) {
            errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("label values must be strings"),
                                   reader.pathOf("labels") + u'.' + it.key()});
            continue;
        }
        agent.labels.insert(it.key(), it->toString());
    }
    reader.rejectUnknown({"id", "displayName", "owner", "description", "allowedActions", "trustLevel",
                          "policies", "memoryScopes", "maxDelegationDepth", "defaultTtl", "maxTtl",
                          "maxBudget", "delegators", "status", "version", "labels"});
    return agent;
}

} // namespace mandate::identity
