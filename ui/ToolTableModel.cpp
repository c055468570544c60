// SPDX-License-Identifier: Apache-2.0
#include "ToolTableModel.h"

#include "AgentTableModel.h"
#include "RegistryDocument.h"

#include <QBrush>
#include <QFont>
#include <QPalette>

namespace mandate::ui {

using identity::Tool;

ToolTableModel::ToolTableModel(RegistryDocument *document, QObject *parent)
    : QAbstractTableModel(parent), m_document(document)
{
    connect(document, &RegistryDocument::aboutToReset, this, [this] { beginResetModel(); });
    connect(document, &RegistryDocument::reset, this, [this] { endResetModel(); });
    connect(document, &RegistryDocument::rowAboutToBeInserted, this, [this](RecordKind kind, int row) {
        if (kind == RecordKind::Tool)
            beginInsertRows({}, row, row);
    });
    connect(document, &RegistryDocument::rowInserted, this, [this](RecordKind kind, int) {
        if (kind == RecordKind::Tool)
            endInsertRows();
    });
    connect(document, &RegistryDocument::rowAboutToBeRemoved, this, [this](RecordKind kind, int row) {
        if (kind == RecordKind::Tool)
            beginRemoveRows({}, row, row);
    });
    connect(document, &RegistryDocument::rowRemoved, this, [this](RecordKind kind, int) {
        if (kind == RecordKind::Tool)
            endRemoveRows();
    });
    connect(document, &RegistryDocument::rowChanged, this, [this](RecordKind kind, int row, quint64) {
        if (kind == RecordKind::Tool)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
}

int ToolTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_document->tools().size());
}

int ToolTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ToolTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ToolEntry &entry = m_document->tools()[static_cast<size_t>(index.row())];
    const Tool &tool = entry.record;
    QStringList actions;
    for (const identity::ToolAction &action : tool.actions)
        actions.append(action.name);
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case IdColumn: return tool.id;
        case NameColumn: return tool.displayName;
        case ActionsColumn: return role == SortRole ? QVariant(static_cast<int>(actions.size())) : QVariant(actions.join(QStringLiteral(", ")));
        case UpstreamColumn: return tool.upstream;
        case RiskColumn: return tool.riskWeight;
        case RateLimitColumn: return tool.rateLimitPerMinute;
        case InspectionColumn: return Tool::inspectionName(tool.inspection);
        case VersionColumn:
            if (role == SortRole)
                return tool.version;
            return entry.base ? QVariant(entry.base->version) : QVariant(QStringLiteral("–"));
        case ChangeColumn: return AgentTableModel::changeName(entry.change);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ActionsColumn)
            return actions.join(u'\n');
        return tool.description.isEmpty() ? QVariant() : QVariant(tool.description);
    case Qt::FontRole:
        if (entry.change == PendingChange::Deleted) {
            QFont font;
            font.setStrikeOut(true);
            return font;
        }
        if (entry.change != PendingChange::None) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == RiskColumn || index.column() == RateLimitColumn || index.column() == VersionColumn)
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case UidRole: return entry.uid;
    case ChangeRole: return static_cast<int>(entry.change);
    default: break;
    }
    return {};
}

QVariant ToolTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("Id");
    case NameColumn: return tr("Name");
    case ActionsColumn: return tr("Actions");
    case UpstreamColumn: return tr("Upstream");
    case RiskColumn: return tr("Risk");
    case RateLimitColumn: return tr("Rate/min");
    case InspectionColumn: return tr("Inspection");
    case VersionColumn: return tr("Version");
    case ChangeColumn: return tr("Pending");
    }
    return {};
}

QModelIndex ToolTableModel::indexOfUid(quint64 uid) const
{
    const int row = m_document->toolRow(uid);
    return row < 0 ? QModelIndex() : index(row, 0);
}

} // namespace mandate::ui
