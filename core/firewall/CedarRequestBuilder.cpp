// SPDX-License-Identifier: Apache-2.0
#include "firewall/CedarRequestBuilder.h"

#include "policy/JsonFormats.h"

#include <QJsonArray>
#include <QSet>

namespace mandate::firewall {

using identity::Execution;

namespace {

QJsonObject uid(const char *type, const QString &id)
{
    return {{QStringLiteral("type"), QLatin1String(type)}, {QStringLiteral("id"), id}};
}

QJsonObject executionEntity(const Execution &execution)
{
    QJsonArray parents{uid("Agent", execution.agent)};
    if (!execution.parent.isEmpty())
        parents.append(uid("Execution", execution.parent));
    return {{QStringLiteral("uid"), uid("Execution", execution.id)},
            {QStringLiteral("attrs"), QJsonObject{{QStringLiteral("purpose"), execution.purpose},
                                                  {QStringLiteral("depth"), execution.depth()}}},
            {QStringLiteral("parents"), parents}};
}

} // namespace

QJsonObject CedarRequestBuilder::toJson(const Input &input)
{
    const ExecutionView &view = *input.view;
    const Execution &execution = view.execution;

    QJsonArray entities{executionEntity(execution)};
    for (const Execution &ancestor : view.ancestors)
        entities.append(executionEntity(ancestor));
    QSet<QString> owners;
    for (auto it = input.agents.cbegin(); it != input.agents.cend(); ++it) {
        entities.append(QJsonObject{{QStringLiteral("uid"), uid("Agent", it->id)},
                                    {QStringLiteral("attrs"), QJsonObject{{QStringLiteral("owner"), uid("User", it->owner)},
                                                                          {QStringLiteral("trustLevel"), it->trustLevel}}},
                                    {QStringLiteral("parents"), QJsonArray()}});
        owners.insert(it->owner);
    }
    owners.insert(execution.rootHuman());
    for (const QString &owner : owners) {
        entities.append(QJsonObject{{QStringLiteral("uid"), uid("User", owner)},
                                    {QStringLiteral("attrs"), QJsonObject()},
                                    {QStringLiteral("parents"), QJsonArray()}});
    }
    entities.append(QJsonObject{{QStringLiteral("uid"), uid("Tool", input.tool)},
                                {QStringLiteral("attrs"), QJsonObject()},
                                {QStringLiteral("parents"), QJsonArray()}});

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

    return {{QStringLiteral("principal"), uid("Execution", execution.id)},
            {QStringLiteral("action"), uid("Action", input.action)},
            {QStringLiteral("resource"), uid("Tool", input.tool)},
            {QStringLiteral("context"), context},
            {QStringLiteral("entities"), entities}};
}

Result<CedarCall> CedarRequestBuilder::parse(const QJsonObject &json, const policy::Schema *schema)
{
    CedarCall call;
    call.json = json;
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
    auto entities = policy::JsonFormats::entities(json.value(QStringLiteral("entities")), schema);
    if (!entities)
        return Error{QStringLiteral("request"), QStringLiteral("entities: ") + entities.error().toString()};
    call.request = policy::Request{principal.value(), action.value(), resource.value(), std::move(context).value()};
    call.entities = std::move(entities).value();
    return call;
}

} // namespace mandate::firewall
