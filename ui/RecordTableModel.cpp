// SPDX-License-Identifier: Apache-2.0
#include "RecordTableModel.h"

#include "RegistryDocument.h"

#include <QFont>

namespace mandate::ui {

RecordTableModel::RecordTableModel(RegistryDocument *document, RecordKind kind, int columns, QObject *parent)
    : QAbstractTableModel(parent), m_document(document), m_columns(columns)
{
    connect(document, &RegistryDocument::aboutToReset, this, [this] { beginResetModel(); });
    connect(document, &RegistryDocument::reset, this, [this] { endResetModel(); });
    connect(document, &RegistryDocument::rowAboutToBeInserted, this, [this, kind](RecordKind changed, int row) {
        if (changed == kind)
            beginInsertRows({}, row, row);
    });
    connect(document, &RegistryDocument::rowInserted, this, [this, kind](RecordKind changed, int) {
        if (changed == kind)
            endInsertRows();
    });
    connect(document, &RegistryDocument::rowAboutToBeRemoved, this, [this, kind](RecordKind changed, int row) {
        if (changed == kind)
            beginRemoveRows({}, row, row);
    });
    connect(document, &RegistryDocument::rowRemoved, this, [this, kind](RecordKind changed, int) {
        if (changed == kind)
            endRemoveRows();
    });
    connect(document, &RegistryDocument::rowChanged, this, [this, kind](RecordKind changed, int row, quint64) {
        if (changed == kind)
            Q_EMIT dataChanged(index(row, 0), index(row, m_columns - 1));
    });
}

int RecordTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : recordCount();
}

int RecordTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_columns;
}

QString RecordTableModel::changeName(PendingChange change)
{
    switch (change) {
    case PendingChange::None: return {};
    case PendingChange::Created: return tr("new");
    case PendingChange::Modified: return tr("modified");
    case PendingChange::Deleted: return tr("deleted");
    }
    return {};
}

QVariant RecordTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RowState row = rowState(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        if (index.column() == m_columns - 1)
            return changeName(row.change);
        return cell(index.row(), index.column(), role);
    case Qt::ToolTipRole:
    case Qt::TextAlignmentRole:
        return cell(index.row(), index.column(), role);
    case Qt::FontRole:
        if (row.change != PendingChange::None) {
            QFont font;
            if (row.change == PendingChange::Deleted)
                font.setStrikeOut(true);
            else
                font.setItalic(true);
            return font;
        }
        break;
    case UidRole: return row.uid;
    case ChangeRole: return static_cast<int>(row.change);
    default: break;
    }
    return {};
}

QVariant RecordTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= m_columns)
        return QAbstractTableModel::headerData(section, orientation, role);
    return section == m_columns - 1 ? tr("Pending") : columnTitle(section);
}

QModelIndex RecordTableModel::indexOfUid(quint64 uid) const
{
    const int row = rowOfUid(uid);
    return row < 0 ? QModelIndex() : index(row, 0);
}

} // namespace mandate::ui
