// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LineageStyle.h"

#include <QGraphicsItem>
#include <QString>

namespace mandate::ui {

/// One node of the lineage graph: its shape says the principal kind (pill human, hexagon agent,
/// rounded box execution, tagged box tool call), its colour the decision. Labels are dropped
/// when zoomed far out, so that a 10,000-node graph pans smoothly.
class LineageNodeItem final : public QGraphicsItem
{
public:
    struct Content
    {
        QString id;
        QString kind;
        QString title;
        QString subtitle;
        QString decision;
        bool flagged = false;
        bool revoked = false;
        int hiddenBelow = -1;   ///< collapsed: how many nodes it hides; -1 when expanded
    };

    LineageNodeItem(Content content, const LineageStyle &style);

    const Content &content() const { return m_content; }
    QString nodeId() const { return m_content.id; }

    /// The flat colour the node has in the overview.
    QColor overviewColor() const;
    QRectF rect() const;

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QPainterPath outline() const;

    Content m_content;
    LineageStyle m_style;
    QSizeF m_size;
};

} // namespace mandate::ui
