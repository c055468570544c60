// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QGraphicsView>

namespace mandate::ui {

/// The graph canvas: wheel zooms around the cursor, + / - / 0 zoom in, out and fit, dragging
/// pans, a click selects a node and a double click collapses or expands its subtree.
class LineageGraphView final : public QGraphicsView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LineageGraphView)

public:
    explicit LineageGraphView(QWidget *parent = nullptr);

    void zoomBy(qreal factor);
    void fitGraph();
    /// Fits the graph if its labels stay readable; otherwise zooms to a readable scale and
    /// centres on `focus` (or on the left end of the graph, where the humans are).
    void showReadable(const QGraphicsItem *focus);
    qreal zoom() const { return transform().m11(); }

Q_SIGNALS:
    void nodeActivated(const QString &nodeId);
    void viewportMoved();

protected:
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void resizeEvent(QResizeEvent *event) override;
};

/// An overview of the whole graph with the visible part outlined; click or drag to move there.
class LineageMinimap final : public QGraphicsView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LineageMinimap)

public:
    LineageMinimap(LineageGraphView *main, QWidget *parent = nullptr);

    void refit();

protected:
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    LineageGraphView *m_main;
};

} // namespace mandate::ui
