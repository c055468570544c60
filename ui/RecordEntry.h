// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

#include <optional>

namespace mandate::ui {

/// What kind of registry record a document change concerns.
enum class RecordKind { Agent, Tool };

/// How a working copy differs from the gateway's record it started from.
enum class PendingChange { None, Created, Modified, Deleted };

/// One record in the console's working copy of the registry: the local edit and, when the record
/// exists on the gateway, the version it was loaded (or last pushed) as. `uid` is local and
/// stable, so that even the id of a not-yet-pushed record can be edited.
template<typename Record>
struct RecordEntry
{
    quint64 uid = 0;
    Record record;
    std::optional<Record> base;
    bool deleted = false;
    PendingChange change = PendingChange::None; ///< kept up to date by the document

    PendingChange computeChange() const
    {
        if (!base)
            return PendingChange::Created;
        if (deleted)
            return PendingChange::Deleted;
        return record.toJson() == base->toJson() ? PendingChange::None : PendingChange::Modified;
    }
};

} // namespace mandate::ui
