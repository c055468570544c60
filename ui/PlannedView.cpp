// SPDX-License-Identifier: Apache-2.0
#include "PlannedView.h"

#include <QLabel>
#include <QVBoxLayout>

namespace mandate::ui {

PlannedView::PlannedView(const QString &title, const QString &description, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    auto *heading = new QLabel(title, this);
    QFont font = heading->font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    heading->setFont(font);
    heading->setAlignment(Qt::AlignHCenter);
    layout->addWidget(heading);
    auto *status = new QLabel(tr("Not available yet: this view comes in a later version of Mandate."), this);
    status->setObjectName(QStringLiteral("plannedStatus"));
    status->setAlignment(Qt::AlignHCenter);
    QFont statusFont = status->font();
    statusFont.setItalic(true);
    status->setFont(statusFont);
    layout->addWidget(status);
    layout->addSpacing(12);
    auto *text = new QLabel(description, this);
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignHCenter);
    text->setFixedWidth(560);  // a fixed width lets the wrapped label compute its height
    text->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(text, 0, Qt::AlignHCenter);
    layout->addStretch(3);
}

} // namespace mandate::ui
