// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "PushController.h"

#include <QDialog>

namespace mandate::ui {

/// A 412 during push: the local edit and the gateway's current record side by side, the fields
/// that differ highlighted, and the admin decides. Nothing is overwritten before that.
class ConflictDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConflictDialog)

public:
    ConflictDialog(const QString &recordLabel, const QJsonObject &base, const QJsonObject &mine,
                   const QJsonObject &theirs, qint64 theirsVersion, QWidget *parent = nullptr);

Q_SIGNALS:
    void resolved(mandate::ui::PushController::Resolution resolution);
};

} // namespace mandate::ui
