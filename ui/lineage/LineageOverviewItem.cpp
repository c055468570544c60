// SPDX-License-Identifier: Apache-2.0
#include "LineageOverviewItem.h"

#include "LineageEdgeItem.h"
#include "LineageNodeItem.h"
#include "LineageScene.h"

#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace mandate::ui {

namespace {

constexpr int kMaxSide = 4096;

} // namespace

LineageOverviewItem::LineageOverviewItem(const LineageScene &scene, const QRectF &bounds) : m_scene(scene), m_bounds(bounds)
{
    setZValue(-2);
    setAcceptedMouseButtons(Qt::NoButton);
}

void LineageOverviewItem::render()
{
    // Built on first use, from the items' geometry: flat rectangles and one-pixel lines.
    const qreal scale = std::min<qreal>(1.0, kMaxSide / std::max<qreal>(1, std::max(m_bounds.width(), m_bounds.height())));
    m_image = QImage(std::max(1, qRound(m_bounds.width() * scale)), std::max(1, qRound(m_bounds.height() * scale)),
                     QImage::Format_ARGB32_Premultiplied);
    m_image.fill(Qt::transparent);
    QPainter painter(&m_image);
    painter.scale(scale, scale);
    painter.translate(-m_bounds.topLeft());
    for (const LineageEdgeItem *edge : m_scene.edgeItems()) {
        painter.setPen(QPen(edge->color(), 0));
        painter.drawPolyline(edge->route().constData(), int(edge->route().size()));
    }
    for (const LineageNodeItem *node : m_scene.nodeItems()) {
        QRectF r = node->rect().translated(node->pos());
        // At least a pixel, so that no node disappears.
        if (r.height() * scale < 1)
            r.setHeight(1 / scale);
        painter.fillRect(r, node->overviewColor());
    }
}

void LineageOverviewItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    if (option->levelOfDetailFromTransform(painter->worldTransform()) >= LineageStyle::kOverviewDetail)
        return;
    if (m_image.isNull())
        render();
    painter->setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter->drawImage(m_bounds, m_image);
}

} // namespace mandate::ui
