// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditColumns.h"

#include <string_view>
#include <utility>

namespace mandate::audit {

namespace {

struct ColumnSpec
{
    const char *sqlName;
    std::string_view jsonKey;
};

constexpr std::array<ColumnSpec, AuditColumns::Count> kSpecs{{
    {"time", "time"},
    {"event", "mandate.event.type"},
    {"human", "mandate.delegation.root"},
    {"agent", "mandate.agent.id"},
    {"execution", "mandate.execution.id"},
    {"parent_execution", "mandate.execution.parent_id"},
    {"tool", "mandate.tool.id"},
    {"action", "mandate.action"},
    {"decision", "mandate.decision"},
    {"trace_id", "trace_id"},
}};

/// UTF-8 of `value`, appended; ids are ASCII, so the common case needs no temporary.
void appendUtf8(QByteArray &out, const QString &value)
{
    const qsizetype at = out.size();
    out.resize(at + value.size());
    char *to = out.data() + at;
    for (const QChar c : value) {
        if (c.unicode() >= 0x80) {
            out.resize(at);
            out.append(value.toUtf8());
            return;
        }
        *to++ = char(c.unicode());
    }
}

} // namespace

const char *AuditColumns::sqlName(Column column)
{
    return kSpecs.at(column).sqlName;
}

namespace {

/// Schema 11's bucket of a name, as the audit_human index computes it from `operand`.
QByteArray humanBucketSql(const char *operand)
{
    QByteArray sql = "(";
    const std::array<std::pair<int, int>, 6> mixed{{{1, 1}, {3, 2}, {5, 3}, {7, -1}, {11, -2}, {13, -3}}};
    for (const auto &[weight, position] : mixed) {
        if (sql.size() > 1)
            sql += " + ";
        if (weight != 1)
            sql += QByteArray::number(weight) + " * ";
        sql += "coalesce(unicode(substr(" + QByteArray(operand) + ", " + QByteArray::number(position) + ", 1)), 0)";
    }
    return sql + " + 17 * length(" + operand + ")) % 64";
}

} // namespace

QLatin1StringView AuditColumns::humanMatch()
{
    static const QByteArray sql = humanBucketSql("human") + " = (SELECT " + humanBucketSql("h") + " FROM (SELECT ? AS h)) AND +human = ?";
    return QLatin1StringView(sql);
}

QByteArrayView AuditColumns::jsonKey(Column column)
{
    const std::string_view key = kSpecs.at(column).jsonKey;
    return QByteArrayView(key.data(), qsizetype(key.size()));
}

AuditColumns::Values AuditColumns::fromRecord(const AuditRecord &record)
{
    Values values;
    values.m_text.reserve(256);
    // Empty strings are left out of the body, so they are NULL here too.
    const auto put = [&](Column column, const auto &append) {
        values.m_offset[column] = values.m_text.size();
        append(values.m_text);
        values.m_size[column] = values.m_text.size() - values.m_offset[column];
    };
    const auto putString = [&](Column column, const QString &value) {
        if (value.isEmpty())
            values.m_size[column] = -1;
        else
            put(column, [&](QByteArray &out) { appendUtf8(out, value); });
    };
    put(Time, [&](QByteArray &out) { appendRecordTime(out, record.time); });
    put(Event, [&](QByteArray &out) { out.append(eventTypeName(record.event).toLatin1()); });
    putString(Human, record.rootHuman);
    putString(Agent, record.agent);
    putString(Execution, record.execution);
    putString(ParentExecution, record.parentExecution);
    putString(Tool, record.tool);
    putString(Action, record.action);
    putString(Decision, record.decision);
    putString(TraceId, record.traceId);
    return values;
}

} // namespace mandate::audit
