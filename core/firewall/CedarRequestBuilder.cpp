// SPDX-License-Identifier: Apache-2.0
#include "firewall/CedarRequestBuilder.h"

#include "policy/JsonFormats.h"

#include <QJsonArray>

namespace mandate::firewall {

using identity::Execution;

namespace {

// The type as a literal QString: a Latin-1 one would be converted (allocated) on every call.
QJsonObject uid(const QString &type, const QString &id)
{
    return {{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
}

QJsonObject executionEntity(const Execution &execution)
{
    QJsonArray parents{uid(QStringLiteral("Agent"), execution.agent)};
    if (!execution.parent.isEmpty())
        parents.append(uid(QStringLiteral("Execution"), execution.parent));
    return {{QStringLiteral("uid"), uid(QStringLiteral("Execution"), execution.id)},
            {QStringLiteral("attrs"), QJsonObject{{QStringLiteral("purpose"), execution.purpose},
                                                  {QStringLiteral("depth"), execution.depth()}}},
            {QStringLiteral("parents"), parents}};
}

} // namespace

void CedarRequestBuilder::Input::addAgent(identity::Agent agent)
{
    for (const identity::Agent &known : agents) {
        if (known.id == agent.id)
            return;
    }
    agents.push_back(std::move(agent));
}

QJsonObject CedarRequestBuilder::toJson(const Input &input)
{
    return toJson(input, entitiesJson(input));
}

QJsonArray CedarRequestBuilder::entitiesJson(const Input &input)
{
    const ExecutionView &view = *input.view;
    const Execution &execution = view.execution;

    QJsonArray entities{executionEntity(execution)};
    for (const Execution &ancestor : view.ancestors)
        entities.append(executionEntity(ancestor));
    QStringList owners;
    for (const identity::Agent &agent : input.agents) {
        entities.append(QJsonObject{{QStringLiteral("uid"), uid(QStringLiteral("Agent"), agent.id)},
                                    {QStringLiteral("attrs"), QJsonObject{{QStringLiteral("owner"), uid(QStringLiteral("User"), agent.owner)},
                                                                          {QStringLiteral("trustLevel"), agent.trustLevel}}},
                                    {QStringLiteral("parents"), QJsonArray()}});
        owners.append(agent.owner);
    }
    owners.append(execution.rootHuman());
    owners.removeDuplicates();
    for (const QString &owner : owners) {
        entities.append(QJsonObject{{QStringLiteral("uid"), uid(QStringLiteral("User"), owner)},
                                    {QStringLiteral("attrs"), QJsonObject()},
                                    {QStringLiteral("parents"), QJsonArray()}});
    }
    entities.append(QJsonObject{{QStringLiteral("uid"), uid(QStringLiteral("Tool"), input.tool)},
                                {QStringLiteral("attrs"), QJsonObject()},
                                {QStringLiteral("parents"), QJsonArray()}});
    return entities;
}

QJsonObject CedarRequestBuilder::toJson(const Input &input, const QJsonArray &entities)
{
    const ExecutionView &view = *input.view;
    const Execution &execution = view.execution;

    QJsonObject context{
        {QStringLiteral("delegation"), QJsonObject{{QStringLiteral("root"), execution.rootHuman()},
                                                   {QStringLiteral("chain"), QJsonArray::fromStringList(execution.chain)},
                                                   {QStringLiteral("depth"), execution.depth()}}},
        {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), view.remaining.calls},
                                               {QStringLiteral("tokens"), view.remaining.tokens},
                                               {QStringLiteral("amount"), view.remaining.amount.toString()}}},
        {QStringLiteral("risk"), QJsonObject{{QStringLiteral("score"), view.riskScore},
                                             {QStringLiteral("ceiling"), execution.riskCeiling}}},
        {QStringLiteral("session"), QJsonObject{{QStringLiteral("calls"), view.sessionCalls},
                                                {QStringLiteral("denied"), view.sessionDenied},
                                                {QStringLiteral("actions"), QJsonArray::fromStringList(view.sessionActions)}}},
        {QStringLiteral("args"), input.args},
        {QStringLiteral("now"), input.now.toUTC().toString(Qt::ISODateWithMs)},
    };
    if (input.confidence)
        context.insert(QStringLiteral("confidence"), *input.confidence);

    return {{QStringLiteral("principal"), uid(QStringLiteral("Execution"), execution.id)},
            {QStringLiteral("action"), uid(QStringLiteral("Action"), input.action)},
            {QStringLiteral("resource"), uid(QStringLiteral("Tool"), input.tool)},
            {QStringLiteral("context"), context},
            {QStringLiteral("entities"), entities}};
}

Result<policy::Request> CedarRequestBuilder::parseRequest(const QJsonObject &json, const policy::Schema *schema)
{
    auto uids = std::make_shared<policy::UidLease>();
    const policy::UidLease::Scope scope(*uids);
    const auto entityRef = [&](const char *field) -> Result<policy::EntityRef> {
        Result<policy::EntityRef> ref = policy::JsonFormats::entityUid(json.value(QLatin1String(field)));
        if (!ref)
            return Error{QStringLiteral("request"), QStringLiteral("%1: %2").arg(QLatin1String(field), ref.error().toString())};
        return ref;
    };
    auto principal = entityRef("principal");
    if (!principal)
        return principal.error();
    auto action = entityRef("action");
    if (!action)
        return action.error();
    auto resource = entityRef("resource");
    if (!resource)
        return resource.error();
    auto context = policy::JsonFormats::context(json.value(QStringLiteral("context")), schema, action.value());
    if (!context)
        return Error{QStringLiteral("request"), QStringLiteral("context: ") + context.error().toString()};
    return policy::Request{principal.value(), action.value(), resource.value(), std::move(context).value(), std::move(uids)};
}

Result<CedarCall> CedarRequestBuilder::parse(const QJsonObject &json, const policy::Schema *schema)
{
    Result<policy::Request> request = parseRequest(json, schema);
    if (!request)
        return request.error();
    auto entities = policy::JsonFormats::entities(json.value(QStringLiteral("entities")), schema);
    if (!entities)
        return Error{QStringLiteral("request"), QStringLiteral("entities: ") + entities.error().toString()};
    CedarCall call;
    call.json = json;
    call.request = std::move(request).value();
    call.entities = std::move(entities).value();
    return call;
}

} // namespace mandate::firewall
