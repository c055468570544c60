// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LineageStyle.h"

#include <QGraphicsItem>
#include <QList>
#include <QPainterPath>

namespace mandate::ui {

/// One edge of the lineage graph along the layout's route, as a smooth curve with an arrow head
/// and, on delegation hops, a label with the capabilities handed down (drawn only when zoomed
/// in far enough to read it).
class LineageEdgeItem final : public QGraphicsItem
{
public:
    LineageEdgeItem(const QList<QPointF> &route, const QString &kind, const QString &decision, const LineageStyle &style);

    QString kind() const { return m_kind; }
    void setLabel(const QString &label);
    QString label() const { return m_label; }
    const QList<QPointF> &route() const { return m_route; }
    QColor color() const { return m_style.edge(m_kind, m_decision); }
    QPointF start() const { return m_route.isEmpty() ? QPointF() : m_route.first(); }
    QPointF end() const { return m_route.isEmpty() ? QPointF() : m_route.last(); }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QList<QPointF> m_route;
    QString m_kind;
    QString m_decision;
    LineageStyle m_style;
    QPainterPath m_path;
    QString m_label;
    QRectF m_labelRect;
    QRectF m_bounds;
};

} // namespace mandate::ui
