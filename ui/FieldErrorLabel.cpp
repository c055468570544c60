// SPDX-License-Identifier: Apache-2.0
#include "FieldErrorLabel.h"

namespace mandate::ui {

FieldErrorLabel::FieldErrorLabel(QWidget *parent)
    : QLabel(parent)
{
    setWordWrap(true);
    setTextFormat(Qt::PlainText);
    QPalette palette = this->palette();
    // A red that stays readable on both light and dark windows.
    palette.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
    setPalette(palette);
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    setFont(font);
    hide();
}

void FieldErrorLabel::setErrors(const QStringList &messages)
{
    setText(messages.join(u'\n'));
    setVisible(!messages.isEmpty());
}

} // namespace mandate::ui
