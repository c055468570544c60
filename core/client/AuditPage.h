// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace mandate::client {

/// One record of GET /v1/audit: the typed record, its place in the hash chain, and the JSON
/// exactly as the gateway exported it (for JSON-lines export and SIEM hand-off).
struct AuditEntry
{
    audit::AuditRecord record;
    qint64 sequence = 0;
    QString hash;           ///< hex
    QString prevHash;       ///< hex
    QJsonObject exported;   ///< the record plus the mandate.audit.* chain fields
};

/// One page of GET /v1/audit and the cursor of the next (empty at the end).
struct AuditPage
{
    std::vector<AuditEntry> entries;
    QString nextCursor;

    bool atEnd() const { return nextCursor.isEmpty(); }
};

} // namespace mandate::client
