// SPDX-License-Identifier: Apache-2.0
#include "ExecutionTableModel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QHash>

#include <algorithm>

namespace mandate::ui {

using client::ActiveExecution;

ExecutionTableModel::ExecutionTableModel(QObject *parent)
    : QAbstractTableModel(parent), m_now(QDateTime::currentDateTimeUtc())
{
}

int ExecutionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ExecutionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

qint64 ExecutionTableModel::secondsLeft(const ActiveExecution &row) const
{
    return row.expiresAt.isValid() ? std::max<qint64>(0, m_now.secsTo(row.expiresAt)) : 0;
}

QString ExecutionTableModel::timeLeftText(const ActiveExecution &row) const
{
    const qint64 left = secondsLeft(row);
    if (left <= 0)
        return tr("expired");
    return tr("%1:%2").arg(left / 60).arg(left % 60, 2, 10, QLatin1Char('0'));
}

QVariant ExecutionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ActiveExecution &row = m_rows[static_cast<std::size_t>(index.row())];
    if (role == IdRole)
        return row.id;
    if (role == ParentRole)
        return row.parent;
    if (role == Qt::ForegroundRole && m_revoked.contains(row.id))
        return QBrush(QColor(0xc6, 0x28, 0x28));
    if (role == Qt::FontRole && m_revoked.contains(row.id)) {
        QFont font;
        font.setStrikeOut(true);
        return font;
    }
    if (role == Qt::TextAlignmentRole && index.column() >= BudgetLeft)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return tr("Execution %1").arg(row.id);
    if (role == SortRole) {
        switch (index.column()) {
        case Actions: return static_cast<int>(row.actions.size());
        case BudgetLeft: return row.amountLeft.toDouble();
        case Risk: return row.risk;
        case TimeLeft: return secondsLeft(row);
        case Depth: return row.depth;
        default: break;
        }
        role = Qt::DisplayRole;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Agent: return row.agent;
    case RootHuman: return row.rootHuman;
    case Purpose: return row.purpose;
    case Actions: return row.actions.join(QStringLiteral(", "));
    case BudgetLeft: return tr("%1 · %n call(s)", nullptr, static_cast<int>(row.callsLeft)).arg(row.amountLeft);
    case Risk: return tr("%1 / %2").arg(row.risk).arg(row.riskCeiling);
    case TimeLeft: return timeLeftText(row);
    case Depth: return row.depth;
    default: return {};
    }
}

QVariant ExecutionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Agent: return tr("Agent");
    case RootHuman: return tr("Root human");
    case Purpose: return tr("Purpose");
    case Actions: return tr("Actions");
    case BudgetLeft: return tr("Budget left");
    case Risk: return tr("Risk");
    case TimeLeft: return tr("Time left");
    case Depth: return tr("Depth");
    default: return {};
    }
}

int ExecutionTableModel::rowOf(const QString &id) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].id == id)
            return static_cast<int>(i);
    }
    return -1;
}

void ExecutionTableModel::setExecutions(const std::vector<ActiveExecution> &rows)
{
    QHash<QString, const ActiveExecution *> incoming;
    for (const ActiveExecution &row : rows)
        incoming.insert(row.id, &row);
    // Remove from the bottom up so that row numbers stay valid.
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        if (!incoming.contains(m_rows[static_cast<std::size_t>(i)].id)) {
            beginRemoveRows({}, i, i);
            m_revoked.remove(m_rows[static_cast<std::size_t>(i)].id);
            m_rows.erase(m_rows.begin() + i);
            endRemoveRows();
        }
    }
    QSet<QString> kept;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        m_rows[i] = *incoming.value(m_rows[i].id);
        kept.insert(m_rows[i].id);
    }
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    std::vector<ActiveExecution> added;
    for (const ActiveExecution &row : rows) {
        if (!kept.contains(row.id))
            added.push_back(row);
    }
    if (!added.empty()) {
        const int first = rowCount();
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        m_rows.insert(m_rows.end(), added.begin(), added.end());
        endInsertRows();
    }
}

void ExecutionTableModel::markRevoked(const QStringList &ids)
{
    for (const QString &id : ids) {
        const int row = rowOf(id);
        if (row < 0)
            continue;
        m_revoked.insert(id);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

void ExecutionTableModel::removeExecutions(const QStringList &ids)
{
    for (const QString &id : ids) {
        const int row = rowOf(id);
        if (row < 0)
            continue;
        beginRemoveRows({}, row, row);
        m_rows.erase(m_rows.begin() + row);
        m_revoked.remove(id);
        endRemoveRows();
    }
}

void ExecutionTableModel::setNow(const QDateTime &now)
{
    m_now = now;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, TimeLeft), index(rowCount() - 1, TimeLeft), {Qt::DisplayRole, SortRole});
}

} // namespace mandate::ui
