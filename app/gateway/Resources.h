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
    /// The schema's text, as served to consoles at GET /v1/policies/schema.
    static QByteArray schemaText();
};

} // namespace mandate::gateway
