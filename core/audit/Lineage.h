// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/LineageGraph.h"
#include "common/Result.h"
#include "store/Database.h"

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

namespace mandate::audit {

/// Builds provenance graphs from the audit log: for one execution (its ancestors up to the
/// human, its sub-executions and every tool call), for a human, or for an agent. Index lookups
/// only, so one execution among millions of records answers in milliseconds.
class Lineage
{
public:
    static constexpr int kMaxRecords = 20'000; ///< beyond this the graph is marked truncated

    explicit Lineage(const store::Database &database) : m_db(database) {}

    Result<LineageGraph> forExecution(const QString &execution) const;
    Result<LineageGraph> forHuman(const QString &human) const;
    Result<LineageGraph> forAgent(const QString &agent) const;
    /// The executions with a record in this W3C trace, with their ancestors and sub-executions.
    Result<LineageGraph> forTrace(const QString &traceId) const;
    /// The executions with a record in [from, to), with their ancestors and sub-executions.
    Result<LineageGraph> forTimeRange(const QDateTime &from, const QDateTime &to) const;

private:
    /// The executions given plus all their descendants.
    Result<QStringList> withDescendants(const QStringList &roots) const;
    Result<QStringList> ancestors(const QString &execution) const;
    Result<QStringList> executionsWhere(const char *column, const QString &value) const;
    /// The executions of the records matching `condition` (SQL with ? for `values`).
    Result<QStringList> distinctExecutions(const QString &condition, const QVariantList &values) const;
    Result<QStringList> executionsBetween(const QDateTime &from, const QDateTime &to) const;
    /// `executions` and their descendants in full, their ancestors as context.
    Result<LineageGraph> around(const QStringList &executions, const QString &notFound) const;
    /// Adds every record of `executions` (and the delegation records of `contextOnly`) to `graph`.
    Status addRecords(LineageGraph &graph, const QStringList &executions, const QStringList &contextOnly) const;

    const store::Database &m_db;
};

} // namespace mandate::audit
