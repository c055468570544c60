// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditQuery.h"
#include "common/Result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

struct sqlite3;

namespace mandate::simulate {

/// Rows of the audit log read in place through SQLite's native API, for a replay: the sequence,
/// gateway and body of each record an AuditFilter selects, in id order, in batches whose bodies
/// share one buffer. AuditQuery builds a StoredRecord per row (four copies and a QString), which
/// was a large part of reading a million records. The statement is AuditQuery::find's, with the
/// same filter fragments and bound values, so both select the same records.
class AuditRowReader
{
public:
    struct Row
    {
        qint64 sequence = 0;
        int gateway = 0;        ///< index into Batch::gateways
        qsizetype offset = 0;   ///< of the body in Batch::bodies
        qsizetype size = 0;
    };
    struct Batch
    {
        QByteArray bodies;
        QStringList gateways;   ///< the distinct gateway ids of the batch
        std::vector<Row> rows;
        QByteArrayView body(const Row &row) const { return QByteArrayView(bodies).sliced(row.offset, row.size); }
    };

    ~AuditRowReader();
    AuditRowReader(const AuditRowReader &) = delete;
    AuditRowReader &operator=(const AuditRowReader &) = delete;

    /// A reader on `connection`'s native SQLite handle, or (`ownConnection`) on a read-only
    /// connection of its own to the same file, which another thread may then use; null when
    /// the driver is not SQLite, the statement does not prepare, or no connection of its own
    /// can be had (an in-memory database, an open transaction).
    static std::unique_ptr<AuditRowReader> open(const QSqlDatabase &connection, const audit::AuditFilter &filter, bool ownConnection);

    /// Reads the next rows, at most `limit`, into `batch` (replacing what it held). An empty
    /// batch means the end; an SQLite error is a "store_error".
    Status next(int limit, Batch &batch);

private:
    AuditRowReader() = default;

    ::sqlite3 *m_db = nullptr;
    bool m_owned = false;
    QByteArray m_sql;
    std::vector<QByteArray> m_before; ///< bound values before `id > ?` (the execution tree's root)
    std::vector<QByteArray> m_after;  ///< the filter's other values, after it
    qint64 m_afterId = 0;
    qint64 m_bodyBytes = 0;           ///< read so far, to size the next batch's buffer
    qint64 m_rows = 0;
    bool m_done = false;
};

} // namespace mandate::simulate
