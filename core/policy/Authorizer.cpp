// SPDX-License-Identifier: Apache-2.0
#include "policy/Authorizer.h"

#include "policy/Evaluator.h"

namespace mandate::policy {

QStringList Decision::reasonIds() const
{
    QStringList ids;
    for (const Policy *p : reasons)
        ids << p->id;
    return ids;
}

QStringList Decision::errorIds() const
{
    QStringList ids;
    for (const PolicyError &e : errors)
        ids << e.policy->id;
    return ids;
}

QStringList Decision::errorMessages() const
{
    QStringList out;
    for (const PolicyError &e : errors)
        out << e.policy->id + QStringLiteral(": ") + QString::fromStdString(e.message);
    return out;
}

void Authorizer::isAuthorized(const PolicySet &policies, const EntityStore &entities, const Request &request,
                              Decision &decision)
{
    thread_local std::vector<const Policy *> candidates;
    candidates.clear();
    policies.candidates(request, entities, candidates);
    decision.allowed = false;
    decision.reasons.clear();
    decision.errors.clear();
    const Evaluator evaluator(entities, request);
    bool forbidden = false;
    for (const Policy *p : candidates) {
        bool satisfied;
        try {
            satisfied = evaluator.satisfied(*p);
        } catch (const EvalError &error) {
            decision.errors.push_back({p, error.message});
            continue;
        }
        if (!satisfied)
            continue;
        if (p->effect == Policy::Effect::Forbid) {
            if (!forbidden) {
                forbidden = true;
                decision.reasons.clear();
            }
            decision.reasons.push_back(p);
        } else if (!forbidden) {
            decision.reasons.push_back(p);
        }
    }
    decision.allowed = !forbidden && !decision.reasons.empty();
}

Decision Authorizer::isAuthorized(const PolicySet &policies, const EntityStore &entities, const Request &request)
{
    Decision d;
    isAuthorized(policies, entities, request, d);
    return d;
}

} // namespace mandate::policy
