// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "firewall/ExecutionView.h"
#include "identity/Agent.h"
#include "policy/EntityStore.h"
#include "policy/Request.h"
#include "policy/Schema.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

#include <optional>
#include <vector>

namespace mandate::firewall {

/// The per-call Cedar request, in Cedar's JSON form (what the audit log keeps so that the
/// simulator can replay it exactly) and parsed against the schema (what the evaluator runs).
struct CedarCall
{
    QJsonObject json;          ///< {"principal","action","resource","context","entities"}
    policy::Request request;
    policy::EntityStore entities;
};

/// Builds the request the design prescribes: principal Execution::"<id>" whose parents are its
/// agent and its parent execution, action Action::"<tool>:<verb>", resource Tool::"<tool>", and
/// the delegation, budget, risk, session, args, now (and confidence) context.
class CedarRequestBuilder
{
public:
    struct Input
    {
        const ExecutionView *view = nullptr;
        /// Every agent of the execution's chain, each once, in chain order: a handful, so a
        /// vector (a hash table costs an allocation of its own per call).
        std::vector<identity::Agent> agents;
        void addAgent(identity::Agent agent);
        QString tool;
        QString action;
        QJsonObject args;
        QDateTime now;
        std::optional<QString> confidence;       ///< decimal text, when the agent declares it
    };

    /// The JSON form alone.
    static QJsonObject toJson(const Input &input);
    /// The "entities" member of the JSON form. It depends only on the execution, its ancestors,
    /// the chain's agents and the tool (what CedarEntityCache keys on), not on the call's state.
    static QJsonArray entitiesJson(const Input &input);
    /// The JSON form with `entities` built already (toJson(input) is toJson(input, entitiesJson(input))).
    static QJsonObject toJson(const Input &input, const QJsonArray &entities);
    /// Parses a JSON request (fresh or replayed from the audit log) against `schema`.
    static Result<CedarCall> parse(const QJsonObject &json, const policy::Schema *schema);
    /// The request alone (principal, action, resource, context), for a caller that has the
    /// entities parsed already: the "entities" member is not read.
    static Result<policy::Request> parseRequest(const QJsonObject &json, const policy::Schema *schema);
};

} // namespace mandate::firewall
