// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLabel>

namespace mandate::ui {

/// The inline validation message under a form field: hidden while the field is valid, a short
/// message in the palette's error colour otherwise.
class FieldErrorLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FieldErrorLabel)

public:
    explicit FieldErrorLabel(QWidget *parent = nullptr);

    void setErrors(const QStringList &messages);
};

} // namespace mandate::ui
