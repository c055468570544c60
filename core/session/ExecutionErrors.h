// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"
#include "identity/Execution.h"
#include "session/Charge.h"

#include <optional>

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

/// Why `charge` does not fit in `remaining`, naming the first dimension it exceeds; nothing when
/// it fits. `what` names the budget's owner ("execution", "parent execution").
inline std::optional<Error> overBudget(const QString &what, const QString &id, const Charge &charge,
                                       const identity::Budget &remaining)
{
    const auto exhausted = [&](const char *dimension, const QString &need, const QString &left) {
        return Error{QStringLiteral("budget_exhausted"),
                     QStringLiteral("%1 %2: budget.%3 exhausted (needs %4, %5 left)")
                         .arg(what, id, QLatin1String(dimension), need, left),
                     QLatin1String(dimension)};
    };
    if (charge.calls > remaining.calls)
        return exhausted("calls", QString::number(charge.calls), QString::number(remaining.calls));
    if (charge.tokens > remaining.tokens)
        return exhausted("tokens", QString::number(charge.tokens), QString::number(remaining.tokens));
    if (charge.amount > remaining.amount)
        return exhausted("amount", charge.amount.toString(), remaining.amount.toString());
    return std::nullopt;
}

} // namespace mandate::session
