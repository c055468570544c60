// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordTableModel.h"

namespace mandate::ui {

/// The tools of a RegistryDocument as a read-only table.
class ToolTableModel final : public RecordTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolTableModel)

public:
    enum Column { IdColumn, NameColumn, ActionsColumn, UpstreamColumn, RiskColumn, RateLimitColumn, InspectionColumn, VersionColumn, ChangeColumn, ColumnCount };

    explicit ToolTableModel(RegistryDocument *document, QObject *parent = nullptr);

private:
    int recordCount() const override;
    RowState rowState(int row) const override;
    int rowOfUid(quint64 uid) const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
};

} // namespace mandate::ui
