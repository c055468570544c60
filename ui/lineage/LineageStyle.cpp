// SPDX-License-Identifier: Apache-2.0
#include "LineageStyle.h"

#include "Theme.h"

#include <QPalette>

namespace mandate::ui {

LineageStyle LineageStyle::forPalette(const QPalette &palette)
{
    LineageStyle style;
    style.dark = Theme::isDark(palette);
    return style;
}

LineageStyle::Colors LineageStyle::node(const QString &kind, const QString &decision, bool flagged) const
{
    const QColor text = dark ? QColor(0xe8, 0xea, 0xed) : QColor(0x20, 0x24, 0x2a);
    if (kind == QLatin1String("human"))
        return dark ? Colors{QColor(0x1d, 0x3b, 0x5a), QColor(0x64, 0xa0, 0xdc), text}
                    : Colors{QColor(0xdb, 0xe9, 0xf6), QColor(0x3d, 0x7a, 0xb8), text};
    if (kind == QLatin1String("agent"))
        return dark ? Colors{QColor(0x3a, 0x2a, 0x4d), QColor(0xb3, 0x8b, 0xd9), text}
                    : Colors{QColor(0xee, 0xe3, 0xf5), QColor(0x86, 0x56, 0xa8), text};
    if (kind == QLatin1String("execution"))
        return dark ? Colors{QColor(0x2e, 0x33, 0x38), QColor(0x90, 0xa4, 0xae), text}
                    : Colors{QColor(0xf5, 0xf7, 0xf8), QColor(0x60, 0x7d, 0x8b), text};
    if (flagged)
        return dark ? Colors{QColor(0x4a, 0x33, 0x14), QColor(0xff, 0x9f, 0x40), text}
                    : Colors{QColor(0xff, 0xec, 0xd2), QColor(0xe6, 0x6a, 0x00), text};
    if (decision == QLatin1String("allow"))
        return dark ? Colors{QColor(0x1e, 0x3d, 0x25), QColor(0x66, 0xbb, 0x6a), text}
                    : Colors{QColor(0xe3, 0xf4, 0xe3), QColor(0x2e, 0x7d, 0x32), text};
    return dark ? Colors{QColor(0x5a, 0x1f, 0x1f), QColor(0xff, 0x6b, 0x6b), text}
                : Colors{QColor(0xfb, 0xdc, 0xdc), QColor(0xc6, 0x28, 0x28), text};
}

QColor LineageStyle::edge(const QString &kind, const QString &decision) const
{
    if (kind == QLatin1String("called"))
        return decision == QLatin1String("allow") ? node(QStringLiteral("call"), decision).border
                                                  : node(QStringLiteral("call"), QStringLiteral("deny")).border;
    if (kind == QLatin1String("delegated"))
        return node(QStringLiteral("agent")).border;
    return dark ? QColor(0x8a, 0x94, 0x9e) : QColor(0x78, 0x84, 0x8f);
}

QColor LineageStyle::background() const
{
    return dark ? QColor(0x23, 0x26, 0x29) : QColor(0xfb, 0xfc, 0xfd);
}

QColor LineageStyle::label() const
{
    return dark ? QColor(0xc8, 0xcd, 0xd2) : QColor(0x45, 0x4f, 0x5a);
}

QColor LineageStyle::selection() const
{
    return dark ? QColor(0xff, 0xd5, 0x4f) : QColor(0x1a, 0x73, 0xe8);
}

QSizeF LineageStyle::nodeSize(const QString &kind)
{
    if (kind == QLatin1String("human"))
        return {150, 46};
    if (kind == QLatin1String("agent"))
        return {176, 50};
    if (kind == QLatin1String("execution"))
        return {200, 58};
    return {180, 42};
}

} // namespace mandate::ui
