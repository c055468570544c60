// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"
#include "identity/Agent.h"
#include "identity/Execution.h"
#include "identity/Human.h"
#include "identity/Machine.h"
#include "identity/Tool.h"

#include <vector>

namespace mandate::identity {

/// What validation needs to know about the rest of the registry (owners, actions, agents).
class ValidationContext
{
public:
    virtual ~ValidationContext() = default;
    virtual bool hasHuman(const QString &id) const = 0;
    virtual bool hasAgent(const QString &id) const = 0;
    virtual bool hasAction(const QString &action) const = 0;
};

/// The registry's rules for each principal kind. Returns every violation, each with its path
/// relative to `path` and a message that says what is allowed.
class Validator
{
public:
    // Bounds, in one place so that forms and docs can quote them.
    static constexpr int MaxIdLength = 64;
    static constexpr int MaxTrustLevel = 4;
    static constexpr int MaxDelegationDepth = 8;
    static constexpr qint64 MinTtlSecs = 60;
    static constexpr qint64 MaxTtlSecs = 24 * 3600;
    static constexpr qint64 MaxCalls = 1'000'000;
    static constexpr qint64 MaxModelTokens = 10'000'000'000;
    static constexpr int MaxRiskWeight = 100;

    static bool isValidId(const QString &id);
    static bool isValidAction(const QString &action);
    static bool isValidScopeName(const QString &name);

    static std::vector<Error> validate(const Agent &agent, const ValidationContext &context, const QString &path = {});
    static std::vector<Error> validate(const Tool &tool, const QString &path = {});
    static std::vector<Error> validate(const Human &human, const QString &path = {});
    static std::vector<Error> validate(const Machine &machine, const ValidationContext &context, const QString &path = {});
    static std::vector<Error> validate(const Execution &execution, const QString &path = {});
};

} // namespace mandate::identity
