// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QGraphicsItem>
#include <QImage>

namespace mandate::ui {

class LineageScene;

/// The whole graph as one cached image, painted instead of the individual items when zoomed
/// so far out that nodes are a few pixels tall (the minimap, "fit" on a 10,000-node graph):
/// one image blit instead of 20,000 item paints.
class LineageOverviewItem final : public QGraphicsItem
{
public:
    explicit LineageOverviewItem(const LineageScene &scene, const QRectF &bounds);

    QRectF boundingRect() const override { return m_bounds; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    void render();

    const LineageScene &m_scene;
    QRectF m_bounds;
    QImage m_image;
};

} // namespace mandate::ui
