// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Value.h"

namespace mandate::policy {

/// One authorization request: who (principal) wants to do what (action) to which resource, with
/// the context record.
struct Request
{
    EntityRef principal;
    EntityRef action;
    EntityRef resource;
    Value context = Value::record({});
};

} // namespace mandate::policy
