// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"
#include "identity/Execution.h"

namespace mandate::session {

/// The errors ExecutionStore's lookups and endings share.
inline Error notFound(const QString &id)
{
    return Error{QStringLiteral("not_found"), QStringLiteral("no execution %1").arg(id)};
}

inline Error inactive(const QString &id, identity::Execution::Status status)
{
    return Error{QStringLiteral("inactive"),
                 QStringLiteral("execution %1 is %2").arg(id, identity::Execution::statusName(status))};
}

} // namespace mandate::session
