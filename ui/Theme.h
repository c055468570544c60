// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ConsoleSettings.h"

#include <QPalette>

class QApplication;

namespace mandate::ui {

/// Fusion style with a light or dark palette. "System" keeps the palette the platform theme
/// gives (so a dark desktop gives a dark console) and follows it when it changes.
class Theme final
{
public:
    /// Call once, before any window exists: sets Fusion and remembers the system palette.
    static void initialize(QApplication &app);
    static void apply(ConsoleSettings::Theme theme);
    static bool isDark(const QPalette &palette);
    static QPalette lightPalette();
    static QPalette darkPalette();
};

} // namespace mandate::ui
