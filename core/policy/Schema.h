// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "policy/EntityStore.h"
#include "policy/Request.h"
#include "policy/Value.h"

#include <QJsonValue>
#include <QStringList>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mandate::policy {

struct Policy;

/// A type in a Cedar schema. Named references are resolved once the whole schema is read.
struct SchemaType
{
    enum class Kind : uint8_t { Long, String, Bool, Set, Record, Entity, Extension, Named };
    struct Attribute
    {
        std::string name;
        std::shared_ptr<SchemaType> type;
        bool required = true;
    };

    Kind kind = Kind::Long;
    std::shared_ptr<SchemaType> element;  ///< Set
    std::vector<Attribute> attributes;    ///< Record
    TypeId entityType = 0;              ///< Entity
    Value::Kind extension = Value::Kind::Decimal; ///< Extension
    std::string name;                     ///< Named: the reference as written
    std::string ns;                       ///< Named: namespace it was written in
};
using SchemaTypePtr = std::shared_ptr<SchemaType>;

/// A Cedar schema (human-readable `.cedarschema` or JSON): entity types, actions, common types.
/// Used to read entities and contexts the way Cedar does (strings become extension values where
/// the schema says so) and to provide the action entities and their groups.
class Schema
{
public:
    struct EntityTypeDecl
    {
        TypeId type = 0;
        std::vector<TypeId> memberOf;
        SchemaTypePtr shape;  ///< a Record
        SchemaTypePtr tags;   ///< null when the type has no tags
        std::vector<std::string> enumIds; ///< non-empty for enumerated entity types
    };
    struct ActionDecl
    {
        EntityRef uid;
        std::vector<EntityRef> memberOf;
        std::vector<TypeId> principalTypes;
        std::vector<TypeId> resourceTypes;
        SchemaTypePtr context; ///< a Record
        bool appliesTo = false;
    };

    /// Human-readable format; errors carry "line:column".
    static Result<Schema> parseCedar(std::string_view source);
    /// JSON format (an object of namespaces).
    static Result<Schema> parseJson(const QJsonValue &json);
    /// Either format, chosen by content (JSON starts with `{`).
    static Result<Schema> parse(const QByteArray &text);

    const EntityTypeDecl *entityType(TypeId type) const;
    const ActionDecl *action(EntityRef uid) const;
    const std::map<TypeId, EntityTypeDecl> &entityTypes() const { return m_entityTypes; }
    const std::map<UidId, ActionDecl> &actions() const { return m_actions; }

    /// Adds every action of the schema, with its action groups as parents.
    void addActionEntities(EntityStore &store) const;
    /// Checks principal/resource types and action against the schema (not the context).
    Status validateRequest(const Request &request) const;
    /// Light policy validation: every entity type and action named in the policy's scope must be
    /// declared. Returns one message per problem (full type checking of conditions is not done).
    QStringList checkPolicyScope(const Policy &policy) const;

    // Used by the two readers while building a schema.
    void declareCommonType(const std::string &qualifiedName, SchemaTypePtr type);
    void declareEntityType(EntityTypeDecl decl, const std::string &ns, std::vector<std::string> memberOfNames);
    void declareAction(ActionDecl decl, const std::string &ns, std::vector<std::pair<std::string, std::string>> memberOf,
                       std::vector<std::string> principals, std::vector<std::string> resources);
    /// Resolves every named reference; called once after reading.
    Status resolve();

private:
    Result<SchemaTypePtr> resolveType(const SchemaTypePtr &type, int depth);
    std::optional<TypeId> resolveEntityTypeName(const std::string &name, const std::string &ns) const;

    std::shared_ptr<const UidLease> m_uids;  ///< what reading the schema interned
    std::map<TypeId, EntityTypeDecl> m_entityTypes;
    std::map<UidId, ActionDecl> m_actions;
    std::unordered_map<std::string, SchemaTypePtr> m_commonTypes;
    struct Pending
    {
        uint64_t key;  ///< the action's UidId, or the entity type's TypeId
        bool isAction;
        std::string ns;
        std::vector<std::string> memberOf;
        std::vector<std::pair<std::string, std::string>> actionMemberOf; // (type or "", id)
        std::vector<std::string> principals, resources;
    };
    std::vector<Pending> m_pending;
};

} // namespace mandate::policy
