// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>

namespace mandate::ui {

/// The simulator's colours for its three outcomes, the same in tables, cards and charts
/// (the monitor's allowed green and denied red, readable on light and dark palettes).
struct SimulatorColors
{
    static QColor newlyDenied() { return {0xc6, 0x28, 0x28}; }
    static QColor newlyAllowed() { return {0x2e, 0x7d, 0x32}; }
    static QColor unchanged() { return {0x90, 0xa4, 0xae}; }
};

} // namespace mandate::ui
