// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/BodyColumnReader.h"
#include "audit/ChainCursor.h"
#include "common/Result.h"

#include <QSqlDatabase>

#include <optional>

namespace mandate::audit {

/// A stored query column as read: SQL NULL, or its bytes and whether they were stored as TEXT.
struct StoredColumn
{
    bool null = true;
    bool text = false;
    QByteArrayView bytes;
};

/// The first query column that disagrees with the body (ChainRow::badColumn). The indexes
/// answer queries and lineage from these columns alone, so a column changed after the fact
/// would hide a record from (or add it to) an investigation while the chain still verifies.
/// Only the verifier sees every row, so the check is here rather than in AuditQuery or Lineage.
/// `stored(c)` gives the stored value of column c.
template <typename Stored>
int disagreeingColumn(BodyColumnReader &reader, QByteArrayView body, Stored &&stored)
{
    if (!reader.read(body))
        return kBodyUnreadable;
    for (int c = 0; c < AuditColumns::Count; ++c) {
        const QByteArrayView expected = reader.value(AuditColumns::Column(c));
        const StoredColumn column = stored(c);
        if (column.null != expected.isNull())
            return c;
        if (!column.null && (!column.text || column.bytes.size() != expected.size()
                             || !BodyColumnReader::sameBytes(column.bytes.data(), expected.data(), expected.size())))
            return c;
    }
    return kColumnsAgree;
}

/// "seq, prev_hash, hash, body" and the query columns, in that order: what both walks select.
QByteArray chainColumnsSql();

/// Walks one gateway's chain on SQLite, reading the columns in place through the driver's
/// native handle (as QSqlDriver::handle() documents): no QVariant and no copy per value.
///
/// Records hash independently, so the id range is cut into parts of `partIds` ids that one
/// thread per core reads and checks on its own read-only connection, opened for the walk and
/// reading the file ahead in pieces (store::readSequentially(); where Mandate's VFS is off, the
/// connections map the file and the calling thread reads on `db`), claiming parts in turn; the parts
/// are then joined in id order (ChainCursor::join), which checks the links between them and
/// finds the same first fault that one sequential walk would. Records are append-only, so
/// every connection sees the same records up to the last id read at the start. A database
/// without a file, or a connection inside a transaction (whose uncommitted records the other
/// connections would not see), is walked on the calling thread's connection alone.
///
/// nullopt when `db` is not SQLite; an Error when SQLite fails.
std::optional<Result<ChainCursor>> walkChainNative(const QSqlDatabase &db, const QByteArray &gatewayUtf8, qint64 partIds);

} // namespace mandate::audit
