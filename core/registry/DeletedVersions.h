// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "store/Database.h"

#include <QString>

namespace mandate::registry {

/// The last version of each deleted registry record (table registry_deleted). A record created
/// again under the same id continues from there, so that an ETag (If-Match) taken from the
/// deleted record never matches its successor. Callers run these inside their transaction.
class DeletedVersions
{
public:
    explicit DeletedVersions(const store::Database &database) : m_db(database) {}

    /// The version `kind` `id` had when it was last deleted; 0 if it never was.
    Result<qint64> of(const QString &kind, const QString &id) const;
    /// Records that `kind` `id` was deleted at `version` (a lower one never replaces a higher).
    Status remember(const QString &kind, const QString &id, qint64 version) const;

private:
    const store::Database &m_db;
};

} // namespace mandate::registry
