// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "simulate/Replay.h"

#include <QAbstractTableModel>

#include <vector>

namespace mandate::ui {

/// One breakdown of a replay (by agent, tool, action or determining policy): a row per key with
/// how many of its requests kept their decision, became denied or became allowed. Rows with
/// changes sort first so that the analyst sees what matters without scrolling.
class ChangeBreakdownModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangeBreakdownModel)

public:
    enum Column { Key, NewlyDenied, NewlyAllowed, Unchanged, Total, ColumnCount };
    enum class Dimension { Agent, Tool, Action, Policy };

    explicit ChangeBreakdownModel(QObject *parent = nullptr);

    void setDimension(Dimension dimension);
    Dimension dimension() const { return m_dimension; }
    /// Takes the rows of the current dimension from `summary`.
    void setSummary(const simulate::ReplaySummary &summary);
    void clear();

    QString key(int row) const { return m_rows.at(size_t(row)).first; }
    const simulate::ChangeCounts &counts(int row) const { return m_rows.at(size_t(row)).second; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Dimension m_dimension = Dimension::Agent;
    std::vector<std::pair<QString, simulate::ChangeCounts>> m_rows;
};

} // namespace mandate::ui
