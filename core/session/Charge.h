// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Budget.h"

namespace mandate::session {

/// What one call costs: tool calls, model tokens and money. The same three dimensions as a
/// budget, so a Budget is a Charge (the per-call pipeline passes its cost as is).
using Charge = identity::Budget;

} // namespace mandate::session
