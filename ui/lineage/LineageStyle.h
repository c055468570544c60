// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QSizeF>
#include <QString>

class QPalette;

namespace mandate::ui {

/// Colours and sizes of the lineage graph, one place for each kind of node and edge, in a light
/// and a dark variant that follow the console's Theme.
struct LineageStyle
{
    struct Colors
    {
        QColor fill;
        QColor border;
        QColor text;
    };

    /// Below this scale single items are not painted; one cached overview image is.
    static constexpr qreal kOverviewDetail = 0.06;

    bool dark = false;

    static LineageStyle forPalette(const QPalette &palette);
    /// human, agent, execution, call (allowed), denied, flagged.
    Colors node(const QString &kind, const QString &decision = {}, bool flagged = false) const;
    QColor edge(const QString &kind, const QString &decision = {}) const;
    QColor background() const;
    QColor label() const;
    QColor selection() const;

    static QSizeF nodeSize(const QString &kind);
};

} // namespace mandate::ui
