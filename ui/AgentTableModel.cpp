// SPDX-License-Identifier: Apache-2.0
#include "AgentTableModel.h"

#include "RegistryDocument.h"

namespace mandate::ui {

using identity::Agent;

AgentTableModel::AgentTableModel(RegistryDocument *document, QObject *parent)
    : RecordTableModel(document, RecordKind::Agent, ColumnCount, parent)
{
}

int AgentTableModel::recordCount() const
{
    return static_cast<int>(document()->agents().size());
}

RecordTableModel::RowState AgentTableModel::rowState(int row) const
{
    const AgentEntry &entry = document()->agents()[static_cast<size_t>(row)];
    return {entry.uid, entry.change};
}

int AgentTableModel::rowOfUid(quint64 uid) const
{
    return document()->agentRow(uid);
}

QVariant AgentTableModel::cell(int row, int column, int role) const
{
    const AgentEntry &entry = document()->agents()[static_cast<size_t>(row)];
    const Agent &agent = entry.record;
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (column) {
        case IdColumn: return agent.id;
        case NameColumn: return agent.displayName;
        case OwnerColumn: return agent.owner;
        case StatusColumn: return Agent::statusName(agent.status);
        case TrustColumn: return agent.trustLevel;
        case ActionsColumn: return role == SortRole ? QVariant(static_cast<int>(agent.allowedActions.size())) : QVariant(agent.allowedActions.join(QStringLiteral(", ")));
        case VersionColumn: return versionCell(entry, role);
        }
        break;
    case Qt::ToolTipRole:
        if (column == ActionsColumn)
            return agent.allowedActions.join(u'\n');
        return agent.description.isEmpty() ? QVariant() : QVariant(agent.description);
    case Qt::TextAlignmentRole:
        if (column == TrustColumn || column == VersionColumn)
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default: break;
    }
    return {};
}

QString AgentTableModel::columnTitle(int column) const
{
    switch (column) {
    case IdColumn: return tr("Id");
    case NameColumn: return tr("Name");
    case OwnerColumn: return tr("Owner");
    case StatusColumn: return tr("Status");
    case TrustColumn: return tr("Trust");
    case ActionsColumn: return tr("Allowed actions");
    case VersionColumn: return tr("Version");
    }
    return {};
}

} // namespace mandate::ui
