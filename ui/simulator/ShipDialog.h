// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "simulate/Replay.h"

#include <QDialog>

class QLineEdit;

namespace mandate::ui {

/// Asks before the candidate policy set goes live, showing what the replay found: how many
/// recorded decisions it changes and for which agents. The old version stays restorable.
class ShipDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ShipDialog)

public:
    ShipDialog(const simulate::ReplaySummary &summary, qint64 baseVersion, const QString &gateway, QWidget *parent = nullptr);

    QString comment() const;

private:
    QLineEdit *m_comment;
};

} // namespace mandate::ui
