// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QDialog>

#include <vector>

namespace mandate::ui {

/// Lists every invalid record of a registry file the gateway refused (its 422 errors),
/// each with its path (agents[3].allowedActions[1]) and what is wrong.
class ImportReportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportReportDialog)

public:
    ImportReportDialog(const QString &file, const QString &summary, const std::vector<Error> &errors, QWidget *parent = nullptr);
};

} // namespace mandate::ui
