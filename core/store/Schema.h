// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/Migration.h"

#include <QList>

namespace mandate::store {

/// The gateway database's schema history, oldest first. Append, never edit: databases in the
/// field were created by the earlier steps.
class Schema
{
public:
    static const QList<Migration> &migrations();
    static int currentVersion();
};

} // namespace mandate::store
