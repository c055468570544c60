// SPDX-License-Identifier: Apache-2.0
#include "LineageEdgeItem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace mandate::ui {

namespace {

constexpr qreal kArrow = 7;
constexpr qreal kLabelDetail = 0.6;
constexpr int kLabelPixels = 11;
constexpr qreal kLabelWidth = 150;
constexpr qreal kStraightRatio = 8;

QFont labelFont()
{
    QFont font;
    font.setPixelSize(kLabelPixels);
    return font;
}

} // namespace

LineageEdgeItem::LineageEdgeItem(const QList<QPointF> &route, const QString &kind, const QString &decision,
                                 const LineageStyle &style)
    : m_route(route), m_kind(kind), m_decision(decision), m_style(style)
{
    setZValue(-1);
    if (m_route.size() < 2)
        return;
    // Horizontal tangents at every bend: an S-curve per layer gap, like Graphviz splines.
    m_path.moveTo(m_route.first());
    for (qsizetype i = 1; i < m_route.size(); ++i) {
        const QPointF a = m_route[i - 1];
        const QPointF b = m_route[i];
        const qreal dx = (b.x() - a.x()) / 2;
        // A segment far steeper than the layer gap looks straight anyway; a line is much
        // cheaper to stroke than a long curve (edges of an agent shared across the graph).
        if (std::abs(b.y() - a.y()) > kStraightRatio * std::abs(b.x() - a.x())) {
            m_path.lineTo(a + QPointF(dx / 2, (b.y() - a.y()) / 12));
            m_path.lineTo(b - QPointF(dx / 2, (b.y() - a.y()) / 12));
            m_path.lineTo(b);
        } else {
            m_path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b);
        }
    }
    m_bounds = m_path.boundingRect().adjusted(-kArrow, -kArrow, kArrow, kArrow);
}

void LineageEdgeItem::setLabel(const QString &label)
{
    prepareGeometryChange();
    m_label = label;
    setToolTip(label);
    m_labelRect = {};
    if (m_label.isEmpty() || m_route.size() < 2)
        return;
    // Wrapped into the gap between two layers, above the middle of the last segment.
    const QFontMetricsF metrics(labelFont());
    const QPointF a = m_route[m_route.size() - 2];
    const QPointF b = m_route.last();
    const qreal width = std::min<qreal>(metrics.horizontalAdvance(m_label) + 8, kLabelWidth);
    const QRectF text = metrics.boundingRect(QRectF(0, 0, width - 8, 200), Qt::TextWordWrap, m_label);
    const QPointF middle = (a + b) / 2;
    m_labelRect = QRectF(middle.x() - width / 2, std::min(a.y(), b.y()) - text.height() - 8, width, text.height() + 4);
}

QRectF LineageEdgeItem::boundingRect() const
{
    return m_labelRect.isEmpty() ? m_bounds : m_bounds.united(m_labelRect);
}

void LineageEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    if (m_route.size() < 2)
        return;
    const qreal detail = option->levelOfDetailFromTransform(painter->worldTransform());
    if (detail < LineageStyle::kOverviewDetail)
        return;  // the overview item draws the whole graph at once
    const QColor color = m_style.edge(m_kind, m_decision);
    if (detail < kLabelDetail) {
        // Zoomed out: a thin unsmoothed polyline costs a fraction of an antialiased curve.
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setPen(QPen(color, 0));
        painter->drawPolyline(m_route.constData(), int(m_route.size()));
        painter->setRenderHint(QPainter::Antialiasing, true);
        return;
    }
    QPen pen(color, m_kind == QLatin1String("delegated") ? 2 : 1.3);
    if (m_kind == QLatin1String("called") && m_decision != QLatin1String("allow"))
        pen.setStyle(Qt::DashLine);
    // Cosmetic strokes are clipped segment by segment; a scaled stroke outlines the whole curve
    // first, which is what made edges from a shared agent across the graph slow to pan.
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);

    const QPointF tip = m_route.last();
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawPolygon(QPolygonF{tip, tip + QPointF(-kArrow * 1.4, -kArrow / 1.6), tip + QPointF(-kArrow * 1.4, kArrow / 1.6)});

    if (m_label.isEmpty() || detail < kLabelDetail)
        return;
    const QRectF box = m_labelRect;
    QColor back = m_style.background();
    back.setAlphaF(0.85);
    painter->setBrush(back);
    painter->drawRoundedRect(box, 3, 3);
    painter->setPen(m_style.label());
    painter->setFont(labelFont());
    painter->drawText(box.adjusted(4, 2, -4, -2), Qt::AlignCenter | Qt::TextWordWrap, m_label);
}

} // namespace mandate::ui
