// SPDX-License-Identifier: Apache-2.0
#include "ExecutionFilterProxyModel.h"

#include "ExecutionTableModel.h"

namespace mandate::ui {

ExecutionFilterProxyModel::ExecutionFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ExecutionTableModel::SortRole);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

bool ExecutionFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QRegularExpression pattern = filterRegularExpression();
    if (pattern.pattern().isEmpty())
        return true;
    const QAbstractItemModel *model = sourceModel();
    const QModelIndex first = model->index(sourceRow, 0, sourceParent);
    if (first.data(ExecutionTableModel::IdRole).toString().contains(pattern))
        return true;
    for (int column : {ExecutionTableModel::Agent, ExecutionTableModel::RootHuman, ExecutionTableModel::Purpose,
                       ExecutionTableModel::Actions}) {
        if (model->index(sourceRow, column, sourceParent).data().toString().contains(pattern))
            return true;
    }
    return false;
}

} // namespace mandate::ui
