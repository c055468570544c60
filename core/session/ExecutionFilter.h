// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace mandate::session {

/// Narrows an execution listing. Empty fields do not filter.
struct ExecutionFilter
{
    QString status;    ///< effective status: active | completed | expired | revoked
    QString agent;
    QString rootHuman; ///< the human at the root of the chain ("alice")
    QString parent;    ///< direct children of this execution
    int limit = 500;   ///< newest first; clamped to [1, 5000]
};

} // namespace mandate::session
