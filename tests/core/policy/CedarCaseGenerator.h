// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <random>
#include <string>
#include <vector>

namespace mandate::policy::test {

/// A random Cedar expression as a tree of text templates ("$0 + $1"), so that a failing case
/// can be shrunk by replacing a node with one of its children or a literal.
struct GenNode
{
    std::string pattern; ///< text with $0..$9 standing for the children
    std::vector<GenNode> kids;
    std::string render() const;
    size_t size() const;
};

/// One random authorization case: policies, entities and a request, with no schema.
struct GenCase
{
    struct Condition
    {
        bool when = true;
        GenNode expr;
    };
    struct GenPolicy
    {
        bool permit = true;
        std::string principal, action, resource;
        std::vector<Condition> conditions;
    };
    std::vector<GenPolicy> policies;
    QJsonArray entities;
    QJsonObject principal, action, resource;
    QJsonObject context;

    std::string policyText() const;
    /// The JSON line the oracle reads.
    QByteArray toJsonLine() const;
    /// Smaller variants of this case, for shrinking.
    std::vector<GenCase> shrinkCandidates() const;
};

/// Generates random cases covering the language: scope forms, hierarchy, attributes, tags,
/// records, sets, every operator and extension function, and expressions that error. Data
/// integers stay below 2^53 (the wasm engine reads JSON numbers as doubles).
class CedarCaseGenerator
{
public:
    explicit CedarCaseGenerator(uint32_t seed) : m_rng(seed) {}
    GenCase next();

private:
    enum class Ty { Bool, Long, String, Entity, Set, Record, Ext, Any };
    GenNode gen(Ty type, int depth);
    GenNode leaf(Ty type);
    QJsonValue dataValue(int depth);
    QJsonObject uid(const char *type, const std::string &id) const;
    std::string entityLiteral();
    std::string scope(const char *var);
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(m_rng); }
    bool chance(int percent) { return pick(100) < percent; }

    std::mt19937 m_rng;
};

} // namespace mandate::policy::test
