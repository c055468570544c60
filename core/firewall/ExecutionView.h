// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Budget.h"
#include "identity/Execution.h"

#include <QStringList>

#include <vector>

namespace mandate::firewall {

/// What the per-call pipeline knows about the calling execution at decision time.
struct ExecutionView
{
    identity::Execution execution;
    std::vector<identity::Execution> ancestors;  ///< parent first, up to the root execution
    identity::Budget remaining;
    int riskScore = 0;
    int sessionCalls = 0;
    int sessionDenied = 0;
    QStringList sessionActions;                  ///< distinct actions called so far
};

} // namespace mandate::firewall
