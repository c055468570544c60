// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/EntityStore.h"
#include "policy/PolicySet.h"
#include "policy/Request.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace mandate::policy {

/// A policy that could not be evaluated, and why. Such a policy is skipped.
struct PolicyError
{
    const Policy *policy = nullptr;
    std::string message;
};

/// The outcome of one request: the decision, the policies that determined it (the satisfied
/// forbids on deny, the satisfied permits on allow) and every policy that errored.
struct Decision
{
    bool allowed = false;
    std::vector<const Policy *> reasons;
    std::vector<PolicyError> errors;

    QStringList reasonIds() const;
    QStringList errorIds() const;
    /// "policyN: message" per error.
    QStringList errorMessages() const;
};

/// Cedar's authorization semantics: default deny, forbid overrides permit, erroring policies are
/// skipped and reported.
class Authorizer
{
public:
    /// Reuses `decision`'s buffers, so a caller looping over requests does not allocate.
    static void isAuthorized(const PolicySet &policies, const EntityStore &entities, const Request &request,
                             Decision &decision);
    static Decision isAuthorized(const PolicySet &policies, const EntityStore &entities, const Request &request);
};

} // namespace mandate::policy
