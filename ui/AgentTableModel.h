// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordEntry.h"

#include <QAbstractTableModel>

namespace mandate::ui {

class RegistryDocument;

/// The agents of a RegistryDocument as a read-only table. Edits go through the document's undo
/// stack; this model only translates the document's change signals into model signals.
class AgentTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentTableModel)

public:
    enum Column { IdColumn, NameColumn, OwnerColumn, StatusColumn, TrustColumn, ActionsColumn, VersionColumn, ChangeColumn, ColumnCount };
    enum Role { UidRole = Qt::UserRole + 1, ChangeRole, SortRole };

    explicit AgentTableModel(RegistryDocument *document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QModelIndex indexOfUid(quint64 uid) const;
    static QString changeName(PendingChange change);

private:
    RegistryDocument *m_document;
};

} // namespace mandate::ui
