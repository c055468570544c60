// SPDX-License-Identifier: Apache-2.0
#include "LineageGraphView.h"

#include "LineageNodeItem.h"

#include <QKeyEvent>
#include <QPainter>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace mandate::ui {

namespace {

constexpr qreal kMinZoom = 0.01;
constexpr qreal kMaxZoom = 4;
constexpr qreal kReadableZoom = 0.55;  // node labels stay legible down to here

} // namespace

LineageGraphView::LineageGraphView(QWidget *parent) : QGraphicsView(parent)
{
    setObjectName(QStringLiteral("lineageGraph"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(ScrollHandDrag);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    // Items paint inside their bounds and restore what they change: skip Qt's safety work.
    setOptimizationFlags(DontSavePainterState | DontAdjustForAntialiasing);
    setViewportUpdateMode(SmartViewportUpdate);
    setFocusPolicy(Qt::StrongFocus);
}

void LineageGraphView::zoomBy(qreal factor)
{
    const qreal target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    scale(target / zoom(), target / zoom());
    Q_EMIT viewportMoved();
}

void LineageGraphView::fitGraph()
{
    if (!scene())
        return;
    fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    // Small graphs are not blown up beyond their natural size.
    if (zoom() > 1)
        setTransform(QTransform());
    centerOn(scene()->sceneRect().center());
    Q_EMIT viewportMoved();
}

void LineageGraphView::showReadable(const QGraphicsItem *focus)
{
    fitGraph();
    if (!scene() || zoom() >= kReadableZoom)
        return;
    const QRectF bounds = scene()->sceneRect();
    const qreal widthZoom = viewport()->width() / std::max<qreal>(1, bounds.width());
    const qreal target = std::clamp(widthZoom, kReadableZoom, qreal(1));
    setTransform(QTransform::fromScale(target, target));
    if (focus)
        centerOn(focus);
    else
        centerOn(bounds.left() + viewport()->width() / target / 2, bounds.center().y());
    Q_EMIT viewportMoved();
}

void LineageGraphView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoomBy(std::pow(1.0015, delta));
    event->accept();
}

void LineageGraphView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1.25);
        return;
    case Qt::Key_Minus:
        zoomBy(0.8);
        return;
    case Qt::Key_0:
        fitGraph();
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (scene()) {
            for (QGraphicsItem *item : scene()->selectedItems()) {
                if (auto *node = dynamic_cast<LineageNodeItem *>(item)) {
                    Q_EMIT nodeActivated(node->nodeId());
                    return;
                }
            }
        }
        break;
    default:
        break;
    }
    QGraphicsView::keyPressEvent(event);
}

void LineageGraphView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (auto *node = dynamic_cast<LineageNodeItem *>(itemAt(event->position().toPoint()))) {
        Q_EMIT nodeActivated(node->nodeId());
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void LineageGraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    Q_EMIT viewportMoved();
}

void LineageGraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    Q_EMIT viewportMoved();
}

LineageMinimap::LineageMinimap(LineageGraphView *main, QWidget *parent) : QGraphicsView(parent), m_main(main)
{
    setObjectName(QStringLiteral("lineageMinimap"));
    setScene(main->scene());
    setInteractive(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setOptimizationFlags(DontSavePainterState | DontAdjustForAntialiasing);
    setFrameShape(QFrame::Box);
    setFocusPolicy(Qt::NoFocus);
    connect(main, &LineageGraphView::viewportMoved, viewport(), qOverload<>(&QWidget::update));
}

void LineageMinimap::refit()
{
    if (scene())
        fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    viewport()->update();
}

void LineageMinimap::drawForeground(QPainter *painter, const QRectF &)
{
    const QRectF visible = m_main->mapToScene(m_main->viewport()->rect()).boundingRect();
    QColor fill = palette().color(QPalette::Highlight);
    fill.setAlphaF(0.15);
    painter->setBrush(fill);
    painter->setPen(QPen(palette().color(QPalette::Highlight), 0));
    painter->drawRect(visible);
}

void LineageMinimap::mousePressEvent(QMouseEvent *event)
{
    m_main->centerOn(mapToScene(event->position().toPoint()));
}

void LineageMinimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        m_main->centerOn(mapToScene(event->position().toPoint()));
}

void LineageMinimap::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    refit();
}

} // namespace mandate::ui
