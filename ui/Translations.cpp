// SPDX-License-Identifier: Apache-2.0
#include "Translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace mandate::ui {

void installTranslators(QCoreApplication &app)
{
    // The last installed translator is asked first: the locale's own plural forms win over the
    // English ones, which only stand in for "%n call(s)" where nothing else translates it.
    auto *plurals = new QTranslator(&app);
    if (plurals->load(QStringLiteral(":/i18n/mandate_en.qm")))
        QCoreApplication::installTranslator(plurals);
    auto *console = new QTranslator(&app);
    if (console->load(QLocale(), QStringLiteral("mandate"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(console);
    auto *qt = new QTranslator(&app);
    if (qt->load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

} // namespace mandate::ui
