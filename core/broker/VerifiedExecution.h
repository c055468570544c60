// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/VerifiedTokenCache.h"
#include "session/ExecutionState.h"

namespace mandate::broker {

/// An execution token that verified, with its execution's live state (active, not expired).
struct VerifiedExecution
{
    crypto::VerifiedToken token;
    session::ExecutionState state;
};

} // namespace mandate::broker
