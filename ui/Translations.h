// SPDX-License-Identifier: Apache-2.0
#pragma once

class QCoreApplication;

namespace mandate::ui {

/// Installs the console's translators on `app`, for its lifetime: the English plural forms
/// ("1 call", "2 calls") first, so that they are the fallback, then the console's strings for
/// the system locale (embedded under :/i18n by the application) and Qt's own.
void installTranslators(QCoreApplication &app);

} // namespace mandate::ui
