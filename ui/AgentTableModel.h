// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordTableModel.h"

namespace mandate::ui {

/// The agents of a RegistryDocument as a read-only table.
class AgentTableModel final : public RecordTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentTableModel)

public:
    enum Column { IdColumn, NameColumn, OwnerColumn, StatusColumn, TrustColumn, ActionsColumn, VersionColumn, ChangeColumn, ColumnCount };

    explicit AgentTableModel(RegistryDocument *document, QObject *parent = nullptr);

private:
    int recordCount() const override;
    RowState rowState(int row) const override;
    int rowOfUid(quint64 uid) const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
};

} // namespace mandate::ui
