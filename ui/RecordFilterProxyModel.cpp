// SPDX-License-Identifier: Apache-2.0
#include "RecordFilterProxyModel.h"

#include "RecordTableModel.h"

namespace mandate::ui {

RecordFilterProxyModel::RecordFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(RecordTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void RecordFilterProxyModel::setText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateFilter();
}

void RecordFilterProxyModel::setPendingOnly(bool pendingOnly)
{
    if (pendingOnly == m_pendingOnly)
        return;
    m_pendingOnly = pendingOnly;
    invalidateFilter();
}

bool RecordFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    if (m_pendingOnly) {
        const int change = source->index(sourceRow, 0, sourceParent).data(RecordTableModel::ChangeRole).toInt();
        if (change == static_cast<int>(PendingChange::None))
            return false;
    }
    if (m_text.isEmpty())
        return true;
    for (int column = 0; column < source->columnCount(sourceParent); ++column) {
        if (source->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace mandate::ui
