// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Ast.h"
#include "policy/EntityStore.h"
#include "policy/Request.h"

#include <stdexcept>
#include <string>

namespace mandate::policy {

/// An error raised while evaluating an expression (type error, overflow, missing attribute...).
struct EvalError
{
    std::string message;
};

/// Evaluates policy conditions against one request and entity store. Cheap to construct; holds
/// no state of its own beyond references, so one per request is fine.
class Evaluator
{
public:
    Evaluator(const EntityStore &entities, const Request &request) : m_entities(entities), m_request(request) {}

    /// Throws EvalError.
    Value eval(const Expr &e) const;
    /// True when the policy's scope matches the request (scope checks never error).
    bool scopeMatches(const Policy &policy) const;
    /// Evaluates a whole policy: scope and conditions. Throws EvalError.
    bool satisfied(const Policy &policy) const;

    /// Applies extension function or method `name` (e.g. "decimal", "offset") to `args`, the
    /// receiver first; used for `__extn` values in JSON. Throws EvalError.
    static Value applyExtension(const std::string &name, const std::vector<Value> &args);

    /// Cedar's `like`: `*` (0xFFFFFFFF in the pattern) matches any sequence of characters.
    static bool wildcardMatch(const std::string &text, const std::u32string &pattern);

private:
    bool matchConstraint(const ScopeConstraint &c, EntityRef target) const;
    bool evalBool(const Expr &e) const;
    Value evalExt(const Expr &e) const;
    bool inValue(EntityRef lhs, const Value &rhs) const;

    const EntityStore &m_entities;
    const Request &m_request;
};

} // namespace mandate::policy
