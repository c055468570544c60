// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditColumns.h"

#include <string_view>

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

int AuditColumns::humanBucket(QStringView human)
{
    // Schema 10's human_bucket: (u(1) + 3 u(2) + 5 u(3) + 7 u(-1) + 11 u(-2) + 13 u(-3)
    // + 17 length) % 64, where u(p) is the code point at SQLite's substr() position p, or 0.
    const QList<uint> points = human.toUcs4();
    const qsizetype n = points.size();
    const auto u = [&](qsizetype position) -> qint64 {
        const qsizetype at = position > 0 ? position - 1 : n + position;
        return at >= 0 && at < n ? qint64(points.at(at)) : 0;
    };
    return int((u(1) + 3 * u(2) + 5 * u(3) + 7 * u(-1) + 11 * u(-2) + 13 * u(-3) + 17 * qint64(n)) % 64);
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
