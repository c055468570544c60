// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "policy/Schema.h"

#include <memory>

namespace mandate::ui {

/// The Cedar schema the gateway builds its requests against. The admin API does not serve it;
/// the console is built from the same resources (:/mandate/schema) as the gateway it ships with,
/// so it reads the compiled-in copy once.
class SimulatorSchema final
{
public:
    static Result<std::shared_ptr<const policy::Schema>> load();
};

} // namespace mandate::ui
