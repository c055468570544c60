// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

namespace mandate::ui {

/// Stands in for a view that a later version brings, saying plainly what it will do.
class PlannedView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlannedView)

public:
    PlannedView(const QString &title, const QString &description, QWidget *parent = nullptr);
};

} // namespace mandate::ui
