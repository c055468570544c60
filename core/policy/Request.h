// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Value.h"

#include <memory>

namespace mandate::policy {

/// One authorization request: who (principal) wants to do what (action) to which resource, with
/// the context record.
struct Request
{
    EntityRef principal;
    EntityRef action;
    EntityRef resource;
    Value context = Value::record({});
    /// The lease its refs were interned under, when it was built from a caller's input.
    std::shared_ptr<const UidLease> uids;
};

} // namespace mandate::policy
