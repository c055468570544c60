// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

namespace mandate::ui {

/// Text fields have their own little undo; in the registry forms Ctrl+Z must reach the
/// document's undo stack instead, or the two histories disagree. Installed on a form's
/// editors, this lets Undo/Redo key presses through to the window's actions.
class UndoShortcutFilter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UndoShortcutFilter)

public:
    explicit UndoShortcutFilter(QObject *parent = nullptr);

    /// Installs the filter on every text editor inside `form` (spin boxes included).
    static void installOn(QWidget *form);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
};

} // namespace mandate::ui
