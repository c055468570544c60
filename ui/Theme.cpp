// SPDX-License-Identifier: Apache-2.0
#include "Theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace mandate::ui {

namespace {

QPalette &systemPalette()
{
    static QPalette palette;
    return palette;
}

} // namespace

void Theme::initialize(QApplication &app)
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    // The platform theme's palette (GTK/KDE/portal colour scheme), before we ever override it.
    systemPalette() = app.palette();
}

bool Theme::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QPalette Theme::lightPalette()
{
    return QApplication::style()->standardPalette();
}

QPalette Theme::darkPalette()
{
    QPalette p;
    const QColor window(0x3a, 0x3c, 0x40);  // light enough that Fusion's darker outlines stay visible
    const QColor base(0x25, 0x26, 0x29);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    const QColor highlight(0x2f, 0x6f, 0xd0);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2c));
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x3c, 0x3f, 0x43));
    p.setColor(QPalette::Midlight, QColor(0x35, 0x37, 0x3a));
    p.setColor(QPalette::Mid, QColor(0x25, 0x26, 0x28));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x50));
    return p;
}

void Theme::apply(ConsoleSettings::Theme theme)
{
    switch (theme) {
    case ConsoleSettings::Theme::System:
        QApplication::setPalette(systemPalette());
        break;
    case ConsoleSettings::Theme::Light:
        QApplication::setPalette(lightPalette());
        break;
    case ConsoleSettings::Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    }
}

} // namespace mandate::ui
