// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordEntry.h"

#include <QAbstractTableModel>

namespace mandate::ui {

class RegistryDocument;

/// The tools of a RegistryDocument as a read-only table. Edits go through the document's undo
/// stack; this model only translates the document's change signals into model signals.
class ToolTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolTableModel)

public:
    enum Column { IdColumn, NameColumn, ActionsColumn, UpstreamColumn, RiskColumn, RateLimitColumn, InspectionColumn, VersionColumn, ChangeColumn, ColumnCount };
    enum Role { UidRole = Qt::UserRole + 1, ChangeRole, SortRole };

    explicit ToolTableModel(RegistryDocument *document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QModelIndex indexOfUid(quint64 uid) const;

private:
    RegistryDocument *m_document;
};

} // namespace mandate::ui
