// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "policy/Schema.h"

#include <memory>

namespace mandate::gateway {

/// The files compiled into the gateway (resources/): the Cedar schema of the requests it builds.
class Resources
{
public:
    static Result<std::shared_ptr<const policy::Schema>> schema();
};

} // namespace mandate::gateway
