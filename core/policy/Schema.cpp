// SPDX-License-Identifier: Apache-2.0
#include "policy/Schema.h"

#include "json/JsonReader.h"
#include "policy/Ast.h"

#include <algorithm>

namespace mandate::policy {

namespace {

Error schemaError(const QString &message)
{
    return Error{QStringLiteral("schema"), message, {}};
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

std::string qualify(const std::string &ns, const std::string &name)
{
    return ns.empty() ? name : ns + "::" + name;
}

SchemaTypePtr builtin(const std::string &name)
{
    auto t = std::make_shared<SchemaType>();
    if (name == "Long") t->kind = SchemaType::Kind::Long;
    else if (name == "String") t->kind = SchemaType::Kind::String;
    else if (name == "Bool" || name == "Boolean") t->kind = SchemaType::Kind::Bool;
    else {
        t->kind = SchemaType::Kind::Extension;
        if (name == "decimal") t->extension = Value::Kind::Decimal;
        else if (name == "ipaddr") t->extension = Value::Kind::IpAddr;
        else if (name == "datetime") t->extension = Value::Kind::DateTime;
        else if (name == "duration") t->extension = Value::Kind::Duration;
        else return nullptr;
    }
    return t;
}

} // namespace

Result<Schema> Schema::parse(const QByteArray &text)
{
    const QByteArray trimmed = text.trimmed();
    if (trimmed.startsWith('{')) {
        json::Limits limits;
        limits.maxBytes = 64 << 20;
        auto doc = json::parse(text, limits);
        if (!doc)
            return doc.error();
        return parseJson(doc.value());
    }
    return parseCedar(std::string_view(text.constData(), size_t(text.size())));
}

const Schema::EntityTypeDecl *Schema::entityType(TypeId type) const
{
    const auto it = m_entityTypes.find(type);
    return it == m_entityTypes.end() ? nullptr : &it->second;
}

const Schema::ActionDecl *Schema::action(EntityRef uid) const
{
    const auto it = m_actions.find(uid.uid);
    return it == m_actions.end() ? nullptr : &it->second;
}

void Schema::declareCommonType(const std::string &qualifiedName, SchemaTypePtr type)
{
    m_commonTypes[qualifiedName] = std::move(type);
}

void Schema::declareEntityType(EntityTypeDecl decl, const std::string &ns, std::vector<std::string> memberOfNames)
{
    m_pending.push_back({decl.type, false, ns, std::move(memberOfNames), {}, {}, {}});
    m_entityTypes[decl.type] = std::move(decl);
}

void Schema::declareAction(ActionDecl decl, const std::string &ns, std::vector<std::pair<std::string, std::string>> memberOf,
                           std::vector<std::string> principals, std::vector<std::string> resources)
{
    m_pending.push_back({decl.uid.uid, true, ns, {}, std::move(memberOf), std::move(principals), std::move(resources)});
    m_actions[decl.uid.uid] = std::move(decl);
}

std::optional<TypeId> Schema::resolveEntityTypeName(const std::string &name, const std::string &ns) const
{
    if (name.find("::") == std::string::npos && !ns.empty()) {
        const TypeId t = UidTable::type(qualify(ns, name));
        if (m_entityTypes.count(t))
            return t;
    }
    const TypeId t = UidTable::type(name);
    if (m_entityTypes.count(t))
        return t;
    return std::nullopt;
}

Result<SchemaTypePtr> Schema::resolveType(const SchemaTypePtr &type, int depth)
{
    if (!type)
        return type;
    if (depth > 64)
        return schemaError(QStringLiteral("type definitions are nested too deeply or refer to themselves"));
    switch (type->kind) {
    case SchemaType::Kind::Set: {
        auto element = resolveType(type->element, depth + 1);
        if (!element)
            return element.error();
        auto t = std::make_shared<SchemaType>(*type);
        t->element = element.value();
        return t;
    }
    case SchemaType::Kind::Record: {
        auto t = std::make_shared<SchemaType>(*type);
        for (auto &attr : t->attributes) {
            auto resolved = resolveType(attr.type, depth + 1);
            if (!resolved)
                return resolved.error();
            attr.type = resolved.value();
        }
        std::sort(t->attributes.begin(), t->attributes.end(),
                  [](const auto &a, const auto &b) { return a.name < b.name; });
        return t;
    }
    case SchemaType::Kind::Named: {
        const std::string &name = type->name;
        if (name.rfind("__cedar::", 0) == 0) {
            if (auto b = builtin(name.substr(9)))
                return b;
            return schemaError(QStringLiteral("unknown built-in type `%1`").arg(q(name)));
        }
        std::vector<std::string> candidates;
        if (name.find("::") == std::string::npos && !type->ns.empty())
            candidates.push_back(qualify(type->ns, name));
        candidates.push_back(name);
        for (const std::string &candidate : candidates) {
            if (const auto it = m_commonTypes.find(candidate); it != m_commonTypes.end())
                return resolveType(it->second, depth + 1);
            const TypeId t = UidTable::type(candidate);
            if (m_entityTypes.count(t)) {
                auto e = std::make_shared<SchemaType>();
                e->kind = SchemaType::Kind::Entity;
                e->entityType = t;
                return e;
            }
        }
        if (auto b = builtin(name))
            return b;
        return schemaError(QStringLiteral("unknown type `%1`").arg(q(name)));
    }
    default: return type;
    }
}

Status Schema::resolve()
{
    for (auto &[name, type] : m_commonTypes) {
        auto resolved = resolveType(type, 0);
        if (!resolved)
            return resolved.error();
    }
    for (auto &[key, decl] : m_entityTypes) {
        auto shape = resolveType(decl.shape, 0);
        if (!shape)
            return shape.error();
        decl.shape = shape.value();
        auto tags = resolveType(decl.tags, 0);
        if (!tags)
            return tags.error();
        decl.tags = tags.value();
    }
    for (auto &[key, decl] : m_actions) {
        auto context = resolveType(decl.context, 0);
        if (!context)
            return context.error();
        decl.context = context.value();
        if (decl.context && decl.context->kind != SchemaType::Kind::Record)
            return schemaError(QStringLiteral("the context of action %1 must be a record")
                                   .arg(q(UidTable::display(decl.uid))));
    }
    auto entityTypes = [this](const std::vector<std::string> &names, const std::string &ns,
                              std::vector<TypeId> &out) -> Status {
        for (const std::string &name : names) {
            const auto t = resolveEntityTypeName(name, ns);
            if (!t)
                return schemaError(QStringLiteral("undeclared entity type `%1`").arg(q(name)));
            out.push_back(*t);
        }
        return {};
    };
    for (const Pending &p : m_pending) {
        if (!p.isAction) {
            if (const Status s = entityTypes(p.memberOf, p.ns, m_entityTypes[p.key].memberOf); !s)
                return s;
            continue;
        }
        ActionDecl &decl = m_actions[p.key];
        if (const Status s = entityTypes(p.principals, p.ns, decl.principalTypes); !s)
            return s;
        if (const Status s = entityTypes(p.resources, p.ns, decl.resourceTypes); !s)
            return s;
        for (const auto &[type, id] : p.actionMemberOf) {
            std::string typeName = type.empty() ? qualify(p.ns, "Action") : type;
            if (type == "Action" && !p.ns.empty()
                && !m_actions.count(UidTable::uid(type, id).uid))
                typeName = qualify(p.ns, "Action");
            const EntityRef parent = UidTable::uid(typeName, id);
            if (!m_actions.count(parent.uid))
                return schemaError(QStringLiteral("action %1 is a member of the undeclared action %2")
                                       .arg(q(UidTable::display(decl.uid)), q(UidTable::display(parent))));
            decl.memberOf.push_back(parent);
        }
    }
    m_pending.clear();
    // As Cedar: actions that are members of each other leave `in` without a meaning.
    EntityStore actions;
    addActionEntities(actions);
    if (EntityRef cycle; !actions.finalize(&cycle))
        return schemaError(QStringLiteral("the actions' memberOf form a cycle through %1").arg(q(UidTable::display(cycle))));
    return {};
}

void Schema::addActionEntities(EntityStore &store) const
{
    store.keep(m_uids);
    for (const auto &[key, decl] : m_actions) {
        Entity e;
        e.uid = decl.uid;
        e.parents = decl.memberOf;
        store.insert(std::move(e));
    }
}

Status Schema::validateRequest(const Request &request) const
{
    const ActionDecl *action = this->action(request.action);
    if (!action)
        return schemaError(QStringLiteral("request's action %1 is not declared in the schema")
                               .arg(q(UidTable::display(request.action))));
    auto check = [](const std::vector<TypeId> &allowed, EntityRef e, const char *what) -> Status {
        if (std::find(allowed.begin(), allowed.end(), e.type) != allowed.end())
            return {};
        return schemaError(QStringLiteral("%1 %2 is not valid for this action")
                               .arg(QLatin1String(what), q(UidTable::display(e))));
    };
    if (const Status s = check(action->principalTypes, request.principal, "principal"); !s)
        return s;
    return check(action->resourceTypes, request.resource, "resource");
}

QStringList Schema::checkPolicyScope(const Policy &policy) const
{
    QStringList problems;
    auto checkType = [&](TypeId type, const char *slot) {
        if (!m_entityTypes.count(type))
            problems << QStringLiteral("%1 scope names the undeclared entity type `%2`")
                            .arg(QLatin1String(slot), q(UidTable::typeName(type)));
    };
    for (const auto &[c, slot] : {std::pair{&policy.principal, "principal"}, std::pair{&policy.resource, "resource"}}) {
        using K = ScopeConstraint::Kind;
        if ((c->kind == K::Eq || c->kind == K::In || c->kind == K::IsIn) && !c->slot)
            checkType(c->entity.type, slot);
        if (c->kind == K::Is || c->kind == K::IsIn)
            checkType(c->type, slot);
    }
    std::vector<EntityRef> actions = policy.action.entities;
    if (policy.action.kind == ScopeConstraint::Kind::Eq || policy.action.kind == ScopeConstraint::Kind::In)
        actions.push_back(policy.action.entity);
    for (const EntityRef a : actions)
        if (!m_actions.count(a.uid))
            problems << QStringLiteral("action scope names the undeclared action %1").arg(q(UidTable::display(a)));
    return problems;
}

} // namespace mandate::policy
