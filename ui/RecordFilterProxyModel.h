// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSortFilterProxyModel>

namespace mandate::ui {

/// Sorting and filtering for the registry tables: a case-insensitive text that must occur in
/// one of the columns, optionally only records with pending changes. Only filterAcceptsRow is
/// overridden; sorting uses the source's SortRole so numbers sort as numbers.
class RecordFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordFilterProxyModel)

public:
    explicit RecordFilterProxyModel(QObject *parent = nullptr);

    void setText(const QString &text);
    QString text() const { return m_text; }
    void setPendingOnly(bool pendingOnly);
    bool pendingOnly() const { return m_pendingOnly; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_pendingOnly = false;
};

} // namespace mandate::ui
