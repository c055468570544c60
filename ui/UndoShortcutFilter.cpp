// SPDX-License-Identifier: Apache-2.0
#include "UndoShortcutFilter.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>

namespace mandate::ui {

UndoShortcutFilter::UndoShortcutFilter(QObject *parent)
    : QObject(parent)
{
}

void UndoShortcutFilter::installOn(QWidget *form)
{
    auto *filter = new UndoShortcutFilter(form);
    for (QLineEdit *edit : form->findChildren<QLineEdit *>())
        edit->installEventFilter(filter);
    for (QPlainTextEdit *edit : form->findChildren<QPlainTextEdit *>())
        edit->installEventFilter(filter);
}

bool UndoShortcutFilter::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo)) {
            // Stopping the override unaccepted lets the window's Undo/Redo action fire; a key press
            // that still arrives is swallowed so the field never runs its own undo.
            event->ignore();
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace mandate::ui
