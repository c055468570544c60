// SPDX-License-Identifier: Apache-2.0
#include "ToolTableModel.h"

#include "RegistryDocument.h"

namespace mandate::ui {

using identity::Tool;

ToolTableModel::ToolTableModel(RegistryDocument *document, QObject *parent)
    : RecordTableModel(document, RecordKind::Tool, ColumnCount, parent)
{
}

int ToolTableModel::recordCount() const
{
    return static_cast<int>(document()->tools().size());
}

RecordTableModel::RowState ToolTableModel::rowState(int row) const
{
    const ToolEntry &entry = document()->tools()[static_cast<size_t>(row)];
    return {entry.uid, entry.change};
}

int ToolTableModel::rowOfUid(quint64 uid) const
{
    return document()->toolRow(uid);
}

QVariant ToolTableModel::cell(int row, int column, int role) const
{
    const ToolEntry &entry = document()->tools()[static_cast<size_t>(row)];
    const Tool &tool = entry.record;
    const auto actionNames = [&tool] {
        QStringList names;
        for (const identity::ToolAction &action : tool.actions)
            names.append(action.name);
        return names;
    };
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (column) {
        case IdColumn: return tool.id;
        case NameColumn: return tool.displayName;
        case ActionsColumn: return role == SortRole ? QVariant(static_cast<int>(tool.actions.size())) : QVariant(actionNames().join(QStringLiteral(", ")));
        case UpstreamColumn: return tool.upstream;
        case RiskColumn: return tool.riskWeight;
        case RateLimitColumn: return tool.rateLimitPerMinute;
        case InspectionColumn: return Tool::inspectionName(tool.inspection);
        case VersionColumn: return versionCell(entry, role);
        }
        break;
    case Qt::ToolTipRole:
        if (column == ActionsColumn)
            return actionNames().join(u'\n');
        return tool.description.isEmpty() ? QVariant() : QVariant(tool.description);
    case Qt::TextAlignmentRole:
        if (column == RiskColumn || column == RateLimitColumn || column == VersionColumn)
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default: break;
    }
    return {};
}

QString ToolTableModel::columnTitle(int column) const
{
    switch (column) {
    case IdColumn: return tr("Id");
    case NameColumn: return tr("Name");
    case ActionsColumn: return tr("Actions");
    case UpstreamColumn: return tr("Upstream");
    case RiskColumn: return tr("Risk");
    case RateLimitColumn: return tr("Rate/min");
    case InspectionColumn: return tr("Inspection");
    case VersionColumn: return tr("Version");
    }
    return {};
}

} // namespace mandate::ui
