// SPDX-License-Identifier: Apache-2.0
#include "AgentTableModel.h"

#include "RegistryDocument.h"

#include <QBrush>
#include <QFont>
#include <QPalette>

namespace mandate::ui {

using identity::Agent;

AgentTableModel::AgentTableModel(RegistryDocument *document, QObject *parent)
    : QAbstractTableModel(parent), m_document(document)
{
    connect(document, &RegistryDocument::aboutToReset, this, [this] { beginResetModel(); });
    connect(document, &RegistryDocument::reset, this, [this] { endResetModel(); });
    connect(document, &RegistryDocument::rowAboutToBeInserted, this, [this](RecordKind kind, int row) {
        if (kind == RecordKind::Agent)
            beginInsertRows({}, row, row);
    });
    connect(document, &RegistryDocument::rowInserted, this, [this](RecordKind kind, int) {
        if (kind == RecordKind::Agent)
            endInsertRows();
    });
    connect(document, &RegistryDocument::rowAboutToBeRemoved, this, [this](RecordKind kind, int row) {
        if (kind == RecordKind::Agent)
            beginRemoveRows({}, row, row);
    });
    connect(document, &RegistryDocument::rowRemoved, this, [this](RecordKind kind, int) {
        if (kind == RecordKind::Agent)
            endRemoveRows();
    });
    connect(document, &RegistryDocument::rowChanged, this, [this](RecordKind kind, int row, quint64) {
        if (kind == RecordKind::Agent)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
}

int AgentTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_document->agents().size());
}

int AgentTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AgentTableModel::changeName(PendingChange change)
{
    switch (change) {
    case PendingChange::None: return {};
    case PendingChange::Created: return tr("new");
    case PendingChange::Modified: return tr("modified");
    case PendingChange::Deleted: return tr("deleted");
    }
    return {};
}

QVariant AgentTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AgentEntry &entry = m_document->agents()[static_cast<size_t>(index.row())];
    const Agent &agent = entry.record;
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case IdColumn: return agent.id;
        case NameColumn: return agent.displayName;
        case OwnerColumn: return agent.owner;
        case StatusColumn: return Agent::statusName(agent.status);
        case TrustColumn: return agent.trustLevel;
        case ActionsColumn: return role == SortRole ? QVariant(static_cast<int>(agent.allowedActions.size())) : QVariant(agent.allowedActions.join(QStringLiteral(", ")));
        case VersionColumn:
            if (role == SortRole)
                return agent.version;
            return entry.base ? QVariant(entry.base->version) : QVariant(QStringLiteral("–"));
        case ChangeColumn: return changeName(entry.change);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ActionsColumn)
            return agent.allowedActions.join(u'\n');
        return agent.description.isEmpty() ? QVariant() : QVariant(agent.description);
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
        if (index.column() == TrustColumn || index.column() == VersionColumn)
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case UidRole: return entry.uid;
    case ChangeRole: return static_cast<int>(entry.change);
    default: break;
    }
    return {};
}

QVariant AgentTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("Id");
    case NameColumn: return tr("Name");
    case OwnerColumn: return tr("Owner");
    case StatusColumn: return tr("Status");
    case TrustColumn: return tr("Trust");
    case ActionsColumn: return tr("Allowed actions");
    case VersionColumn: return tr("Version");
    case ChangeColumn: return tr("Pending");
    }
    return {};
}

QModelIndex AgentTableModel::indexOfUid(quint64 uid) const
{
    const int row = m_document->agentRow(uid);
    return row < 0 ? QModelIndex() : index(row, 0);
}

} // namespace mandate::ui
