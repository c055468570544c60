// SPDX-License-Identifier: Apache-2.0
// Must compile with core's include paths: the control for widgets_probe.cpp.
#include <QObject>
int probe() { return 0; }
