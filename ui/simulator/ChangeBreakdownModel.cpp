// SPDX-License-Identifier: Apache-2.0
#include "ChangeBreakdownModel.h"

#include "SimulatorColors.h"

#include <algorithm>

namespace mandate::ui {

ChangeBreakdownModel::ChangeBreakdownModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ChangeBreakdownModel::setDimension(Dimension dimension)
{
    m_dimension = dimension;
}

void ChangeBreakdownModel::setSummary(const simulate::ReplaySummary &summary)
{
    const std::map<QString, simulate::ChangeCounts> *source = nullptr;
    switch (m_dimension) {
    case Dimension::Agent: source = &summary.byAgent; break;
    case Dimension::Tool: source = &summary.byTool; break;
    case Dimension::Action: source = &summary.byAction; break;
    case Dimension::Policy: source = &summary.byPolicy; break;
    }
    beginResetModel();
    m_rows.assign(source->begin(), source->end());
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const auto &a, const auto &b) {
        const qint64 changedA = a.second.newlyDenied + a.second.newlyAllowed;
        const qint64 changedB = b.second.newlyDenied + b.second.newlyAllowed;
        if (changedA != changedB)
            return changedA > changedB;
        return a.second.total() > b.second.total();
    });
    endResetModel();
}

void ChangeBreakdownModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int ChangeBreakdownModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ChangeBreakdownModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChangeBreakdownModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &[key, counts] = m_rows[size_t(index.row())];
    if (role == Qt::DisplayRole || role == Qt::UserRole) {
        switch (index.column()) {
        case Key: return key.isEmpty() ? tr("(none)") : key;
        case NewlyDenied: return counts.newlyDenied;
        case NewlyAllowed: return counts.newlyAllowed;
        case Unchanged: return counts.unchanged;
        case Total: return counts.total();
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != Key)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole) {
        if (index.column() == NewlyDenied && counts.newlyDenied > 0)
            return SimulatorColors::newlyDenied();
        if (index.column() == NewlyAllowed && counts.newlyAllowed > 0)
            return SimulatorColors::newlyAllowed();
    }
    return {};
}

QVariant ChangeBreakdownModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Key:
        switch (m_dimension) {
        case Dimension::Agent: return tr("Agent");
        case Dimension::Tool: return tr("Tool");
        case Dimension::Action: return tr("Action");
        case Dimension::Policy: return tr("Determining policy");
        }
        return {};
    case NewlyDenied: return tr("Newly denied");
    case NewlyAllowed: return tr("Newly allowed");
    case Unchanged: return tr("Unchanged");
    case Total: return tr("Total");
    default: return {};
    }
}

} // namespace mandate::ui
