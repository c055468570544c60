// SPDX-License-Identifier: Apache-2.0
// Schema::parseJson: the JSON schema format.
#include "policy/Schema.h"

#include <QJsonArray>
#include <QJsonObject>

namespace mandate::policy {

namespace {

struct JsonFailure
{
    QString message;
};

std::string utf8(const QString &s)
{
    return s.toStdString();
}

SchemaTypePtr readType(const QJsonValue &json, const std::string &ns, int depth)
{
    if (depth > 64)
        throw JsonFailure{QStringLiteral("type is nested too deeply")};
    const QJsonObject obj = json.toObject();
    const QString type = obj.value(QLatin1String("type")).toString();
    if (!json.isObject() || type.isEmpty())
        throw JsonFailure{QStringLiteral("a type must be an object with a `type`")};
    auto t = std::make_shared<SchemaType>();
    if (type == QLatin1String("Set")) {
        t->kind = SchemaType::Kind::Set;
        t->element = readType(obj.value(QLatin1String("element")), ns, depth + 1);
    } else if (type == QLatin1String("Record")) {
        t->kind = SchemaType::Kind::Record;
        const QJsonObject attrs = obj.value(QLatin1String("attributes")).toObject();
        for (auto it = attrs.begin(); it != attrs.end(); ++it) {
            SchemaType::Attribute a;
            a.name = utf8(it.key());
            a.type = readType(it.value(), ns, depth + 1);
            a.required = it.value().toObject().value(QLatin1String("required")).toBool(true);
            t->attributes.push_back(std::move(a));
        }
    } else if (type == QLatin1String("Entity") || type == QLatin1String("Extension")
               || type == QLatin1String("EntityOrCommon")) {
        t->kind = SchemaType::Kind::Named;
        t->name = utf8(obj.value(QLatin1String("name")).toString());
        t->ns = ns;
        if (type == QLatin1String("Extension"))
            t->name = "__cedar::" + t->name;
    } else {
        t->kind = SchemaType::Kind::Named;
        t->name = type == QLatin1String("Boolean") ? std::string("Bool") : utf8(type);
        t->ns = ns;
    }
    return t;
}

std::vector<std::string> names(const QJsonValue &json)
{
    std::vector<std::string> out;
    for (const QJsonValue &v : json.toArray())
        out.push_back(utf8(v.toString()));
    return out;
}

} // namespace

Result<Schema> Schema::parseJson(const QJsonValue &json)
{
    if (!json.isObject())
        return Error{QStringLiteral("schema"), QStringLiteral("a JSON schema must be an object of namespaces"), {}};
    auto uids = std::make_shared<UidLease>();
    const UidLease::Scope scope(*uids);
    Schema schema;
    schema.m_uids = uids;
    try {
        const QJsonObject namespaces = json.toObject();
        for (auto nsIt = namespaces.begin(); nsIt != namespaces.end(); ++nsIt) {
            const std::string ns = utf8(nsIt.key());
            const QJsonObject body = nsIt.value().toObject();
            const QJsonObject common = body.value(QLatin1String("commonTypes")).toObject();
            for (auto it = common.begin(); it != common.end(); ++it)
                schema.declareCommonType(ns.empty() ? utf8(it.key()) : ns + "::" + utf8(it.key()),
                                         readType(it.value(), ns, 0));
            const QJsonObject entityTypes = body.value(QLatin1String("entityTypes")).toObject();
            for (auto it = entityTypes.begin(); it != entityTypes.end(); ++it) {
                const QJsonObject e = it.value().toObject();
                EntityTypeDecl decl;
                decl.type = UidTable::type(ns.empty() ? utf8(it.key()) : ns + "::" + utf8(it.key()));
                if (e.contains(QLatin1String("shape")))
                    decl.shape = readType(e.value(QLatin1String("shape")), ns, 0);
                else {
                    decl.shape = std::make_shared<SchemaType>();
                    decl.shape->kind = SchemaType::Kind::Record;
                }
                if (e.contains(QLatin1String("tags")))
                    decl.tags = readType(e.value(QLatin1String("tags")), ns, 0);
                decl.enumIds = names(e.value(QLatin1String("enum")));
                schema.declareEntityType(std::move(decl), ns, names(e.value(QLatin1String("memberOfTypes"))));
            }
            const QJsonObject actions = body.value(QLatin1String("actions")).toObject();
            const TypeId actionType = UidTable::type(ns.empty() ? std::string("Action") : ns + "::Action");
            for (auto it = actions.begin(); it != actions.end(); ++it) {
                const QJsonObject a = it.value().toObject();
                ActionDecl decl;
                decl.uid = UidTable::uid(actionType, utf8(it.key()));
                std::vector<std::pair<std::string, std::string>> memberOf;
                for (const QJsonValue &m : a.value(QLatin1String("memberOf")).toArray()) {
                    const QJsonObject ref = m.toObject();
                    memberOf.emplace_back(utf8(ref.value(QLatin1String("type")).toString()),
                                          utf8(ref.value(QLatin1String("id")).toString()));
                }
                std::vector<std::string> principals, resources;
                if (a.contains(QLatin1String("appliesTo"))) {
                    const QJsonObject applies = a.value(QLatin1String("appliesTo")).toObject();
                    decl.appliesTo = true;
                    principals = names(applies.value(QLatin1String("principalTypes")));
                    resources = names(applies.value(QLatin1String("resourceTypes")));
                    if (applies.contains(QLatin1String("context")))
                        decl.context = readType(applies.value(QLatin1String("context")), ns, 0);
                }
                if (!decl.context) {
                    decl.context = std::make_shared<SchemaType>();
                    decl.context->kind = SchemaType::Kind::Record;
                }
                schema.declareAction(std::move(decl), ns, std::move(memberOf), std::move(principals),
                                     std::move(resources));
            }
        }
    } catch (const JsonFailure &f) {
        return Error{QStringLiteral("schema"), f.message, {}};
    }
    if (const Status s = schema.resolve(); !s)
        return s.error();
    return schema;
}

} // namespace mandate::policy
