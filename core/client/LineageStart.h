// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QString>
#include <QUrlQuery>

namespace mandate::client {

/// Where a lineage graph starts: one execution, human, agent or W3C trace, or every execution
/// delegated in a time range. Turns into the query items of GET /v1/lineage.
struct LineageStart
{
    enum class Kind { Execution, Human, Agent, Trace, TimeRange };

    Kind kind = Kind::Execution;
    QString id;           ///< execution, human, agent or trace id
    QDateTime from;       ///< TimeRange: inclusive
    QDateTime to;         ///< TimeRange: exclusive

    static LineageStart execution(const QString &id) { return {Kind::Execution, id, {}, {}}; }
    static LineageStart human(const QString &id) { return {Kind::Human, id, {}, {}}; }
    static LineageStart agent(const QString &id) { return {Kind::Agent, id, {}, {}}; }
    static LineageStart trace(const QString &id) { return {Kind::Trace, id, {}, {}}; }
    static LineageStart timeRange(const QDateTime &from, const QDateTime &to) { return {Kind::TimeRange, {}, from, to}; }

    QUrlQuery toQuery() const;
};

} // namespace mandate::client
