// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSortFilterProxyModel>

namespace mandate::ui {

/// Filters active executions by a fixed string matched against agent, root human, purpose,
/// actions and id; sorting uses ExecutionTableModel::SortRole so numbers sort as numbers.
class ExecutionFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExecutionFilterProxyModel)

public:
    explicit ExecutionFilterProxyModel(QObject *parent = nullptr);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
};

} // namespace mandate::ui
