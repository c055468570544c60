// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Value.h"

#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace mandate::policy {

/// Extension functions and methods known to the parser; checked for arity at parse time.
enum class ExtFn : uint8_t {
    Decimal, Ip, DateTime, Duration,                       // constructors
    LessThan, LessThanOrEqual, GreaterThan, GreaterThanOrEqual, // decimal
    IsIpv4, IsIpv6, IsLoopback, IsMulticast, IsInRange,     // ipaddr
    Offset, DurationSince, ToDate, ToTime,                  // datetime
    ToMilliseconds, ToSeconds, ToMinutes, ToHours, ToDays,  // duration
};

/// One node of a policy condition. Children are owned; literal sub-trees are folded into `value`.
struct Expr
{
    enum class Op : uint8_t {
        Literal, Var, If, And, Or, Not, Neg, Eq, NotEq, Lt, Le, Gt, Ge, Add, Sub, Mul, In, Has, Attr, Like,
        Is, IsIn, SetLit, RecordLit, Contains, ContainsAll, ContainsAny, IsEmpty, GetTag, HasTag, Ext
    };
    enum class Var : uint8_t { Principal, Action, Resource, Context };

    Op op = Op::Literal;
    Var var = Var::Principal;
    ExtFn fn = ExtFn::Decimal;
    TypeId type = 0;           ///< Is / IsIn: interned entity type
    Value value;                ///< Literal
    std::string name;           ///< Has / Attr: attribute name
    std::vector<std::string> keys; ///< RecordLit: keys, parallel to kids; Has: the rest of `has a.b.c`
    std::u32string pattern;     ///< Like: code points, 0xFFFFFFFF = wildcard
    std::vector<std::unique_ptr<Expr>> kids;
    bool badArity = false;      ///< Ext: called with the wrong number of arguments (an evaluation error)
    int depth = 1;              ///< height of this sub-tree, bounded by the parser
    int line = 0;
    int column = 0;
};

/// A scope constraint on principal, action or resource.
struct ScopeConstraint
{
    enum class Kind : uint8_t { Any, Eq, In, Is, IsIn, InSet };
    Kind kind = Kind::Any;
    EntityRef entity;             ///< Eq, In, IsIn (unless a slot)
    bool slot = false;            ///< entity is ?principal / ?resource (templates)
    TypeId type = 0;             ///< Is, IsIn
    std::vector<EntityRef> entities; ///< InSet (action only)
};

/// A parsed policy or template. Conditions are shared so that linking a template is cheap.
struct Policy
{
    enum class Effect : uint8_t { Permit, Forbid };
    struct Condition
    {
        bool when = true;
        std::shared_ptr<const Expr> expr;
    };

    QString id;                   ///< policy0..N as Cedar's tools assign them, or the link id
    Effect effect = Effect::Permit;
    ScopeConstraint principal, action, resource;
    std::vector<Condition> conditions;
    std::vector<std::pair<QString, QString>> annotations;
    bool isTemplate = false;
    QString templateId;           ///< for a template-linked policy: the template it came from
    int line = 0;
    int column = 0;

    /// The `@id` annotation, or an empty string.
    QString annotation(const QString &key) const;
};

} // namespace mandate::policy
