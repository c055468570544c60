// SPDX-License-Identifier: Apache-2.0
// Must NOT compile with core's include paths: see CMakeLists.txt.
#include <QWidget>
int probe() { return 0; }
