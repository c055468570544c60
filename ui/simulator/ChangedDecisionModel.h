// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "simulate/Replay.h"

#include <QAbstractTableModel>

#include <vector>

namespace mandate::ui {

/// The recorded requests whose decision the candidate changes, with the recorded and the new
/// explanation next to each other.
class ChangedDecisionModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangedDecisionModel)

public:
    enum Column { Time, Change, Agent, Tool, Action, Human, Before, After, ColumnCount };

    explicit ChangedDecisionModel(QObject *parent = nullptr);

    /// Shows the changes of `summary` that are not shown yet (a replay only ever adds changes).
    void update(const simulate::ReplaySummary &summary);
    void clear();
    const simulate::ReplayedRequest &change(int row) const { return m_changes.at(size_t(row)); }

    static QString changeName(simulate::Change change);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<simulate::ReplayedRequest> m_changes;
};

} // namespace mandate::ui
