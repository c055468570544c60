// SPDX-License-Identifier: Apache-2.0
#include "ChangedDecisionModel.h"

#include "SimulatorColors.h"

#include <QLocale>

namespace mandate::ui {

ChangedDecisionModel::ChangedDecisionModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ChangedDecisionModel::update(const simulate::ReplaySummary &summary)
{
    const size_t shown = m_changes.size();
    if (summary.changes.size() <= shown)
        return;
    beginInsertRows({}, int(shown), int(summary.changes.size()) - 1);
    m_changes.insert(m_changes.end(), summary.changes.begin() + qsizetype(shown), summary.changes.end());
    endInsertRows();
}

void ChangedDecisionModel::clear()
{
    beginResetModel();
    m_changes.clear();
    endResetModel();
}

QString ChangedDecisionModel::changeName(simulate::Change change)
{
    switch (change) {
    case simulate::Change::NewlyDenied: return tr("newly denied");
    case simulate::Change::NewlyAllowed: return tr("newly allowed");
    case simulate::Change::Unchanged: return tr("unchanged");
    }
    return {};
}

int ChangedDecisionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_changes.size());
}

int ChangedDecisionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChangedDecisionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const simulate::ReplayedRequest &row = m_changes[size_t(index.row())];
    const simulate::RecordedRequest &recorded = row.recorded;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Time: return QLocale().toString(recorded.time.toLocalTime(), QStringLiteral("HH:mm:ss"));
        case Change: return changeName(row.change);
        case Agent: return recorded.agent;
        case Tool: return recorded.tool;
        case Action: return recorded.action;
        case Human: return recorded.human;
        case Before: return row.before.explanation;
        case After: return row.after.explanation;
        default: return {};
        }
    }
    if (role == Qt::UserRole)  // sorting: times as times, the rest as shown
        return index.column() == Time ? QVariant(recorded.time) : data(index, Qt::DisplayRole);
    if (role == Qt::ForegroundRole && index.column() == Change)
        return row.change == simulate::Change::NewlyDenied ? SimulatorColors::newlyDenied() : SimulatorColors::newlyAllowed();
    if (role == Qt::ToolTipRole) {
        const simulate::Outcome &outcome = index.column() == After ? row.after : row.before;
        if (index.column() == Before || index.column() == After) {
            QString tip = outcome.explanation;
            if (!outcome.errors.isEmpty())
                tip += u'\n' + tr("Errors: %1").arg(outcome.errors.join(QStringLiteral("; ")));
            return tip;
        }
        return tr("Decision %1 of execution %2, %3")
            .arg(recorded.decisionId, recorded.execution, QLocale().toString(recorded.time.toLocalTime(), QLocale::LongFormat));
    }
    return {};
}

QVariant ChangedDecisionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Change: return tr("Change");
    case Agent: return tr("Agent");
    case Tool: return tr("Tool");
    case Action: return tr("Action");
    case Human: return tr("On behalf of");
    case Before: return tr("Recorded decision");
    case After: return tr("Under the candidate");
    default: return {};
    }
}

} // namespace mandate::ui
