// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"

#include <QByteArray>

#include <array>

namespace mandate::audit {

/// The query columns of `audit_records` (schema 7): plain copies of top-level body fields,
/// written by the AuditLog next to the body so that the indexes need no json_extract. The
/// body is what the chain protects; AuditVerifier reports a column that disagrees with it.
class AuditColumns
{
public:
    enum Column { Time, Event, Human, Agent, Execution, ParentExecution, Tool, Action, Decision, TraceId, Count };

    /// The column's name in SQL.
    static const char *sqlName(Column column);
    /// The body attribute it copies (a top-level key of the canonical JSON).
    static QByteArrayView jsonKey(Column column);

    /// The values of one record, UTF-8, in one buffer: an append allocates once for them.
    class Values
    {
    public:
        /// The value, or a null view where the body leaves the field out (SQL NULL).
        QByteArrayView value(Column column) const
        {
            return m_size[column] < 0 ? QByteArrayView() : QByteArrayView(m_text.constData() + m_offset[column], m_size[column]);
        }

    private:
        friend class AuditColumns;
        QByteArray m_text;
        std::array<qsizetype, Count> m_offset{};
        std::array<qsizetype, Count> m_size{};
    };
    /// The values as AuditRecord::canonicalBytes() writes them into the body.
    static Values fromRecord(const AuditRecord &record);

    /// The SQL condition that finds a trace id; bind the id to both placeholders. The index
    /// orders entries by the id's first byte, then by record (schema 9): trace ids are random,
    /// so an index in id order took each append at a random page, about one page written per
    /// record; this way a commit writes at most 256 of them. The + keeps SQLite from folding
    /// the equality into the bucket term, which would leave the index unused.
    static constexpr char kTraceIdMatch[] = "substr(trace_id, 1, 2) = substr(?, 1, 2) AND +trace_id = ?";

    /// The SQL condition that finds a root human; bind the human to both placeholders. Entries
    /// for many people interleave, so an index in name order took each append at a scattered
    /// page; schema 11 orders it by a mix of the name's first and last three characters and its
    /// length, in 64 buckets, then by record, so a commit adds to at most 64 runs. The condition
    /// repeats the index's expression: computed by SQLite on both sides, it matches every name
    /// alike, and an index whose stored expression was edited no longer serves the query.
    static QLatin1StringView humanMatch();
};

} // namespace mandate::audit
