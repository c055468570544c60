// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/StreamEvents.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QSet>

#include <vector>

namespace mandate::ui {

/// The gateway's active executions, one per row, merged in place on each refresh so that the
/// selection and sort survive. Time left counts down against the clock given by setNow().
class ExecutionTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExecutionTableModel)

public:
    enum Column { Agent, RootHuman, Purpose, Actions, BudgetLeft, Risk, TimeLeft, Depth, ColumnCount };
    enum Role { IdRole = Qt::UserRole, SortRole, ParentRole };

    explicit ExecutionTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Replaces the rows with `rows`: removes the gone, updates the kept, appends the new.
    void setExecutions(const std::vector<client::ActiveExecution> &rows);
    /// Marks executions as being revoked (shown struck through in red) before they leave.
    void markRevoked(const QStringList &ids);
    void removeExecutions(const QStringList &ids);
    void setNow(const QDateTime &now);
    int rowOf(const QString &id) const;
    const client::ActiveExecution &execution(int row) const { return m_rows[static_cast<std::size_t>(row)]; }

private:
    QString timeLeftText(const client::ActiveExecution &row) const;
    qint64 secondsLeft(const client::ActiveExecution &row) const;

    std::vector<client::ActiveExecution> m_rows;
    QSet<QString> m_revoked;
    QDateTime m_now;
};

} // namespace mandate::ui
