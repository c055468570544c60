// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "policy/Schema.h"

#include <functional>
#include <memory>

namespace mandate::ui {

/// The Cedar schema the gateway builds its requests against. The console asks the gateway for
/// it (GET /v1/policies/schema); load() is the copy compiled into the console, for gateways that
/// do not serve theirs.
class SimulatorSchema final
{
public:
    using Provider = std::function<Result<std::shared_ptr<const policy::Schema>>()>;

    static Result<std::shared_ptr<const policy::Schema>> load();
    /// A gateway's schema text.
    static Result<std::shared_ptr<const policy::Schema>> parse(const QString &source);
};

} // namespace mandate::ui
