// SPDX-License-Identifier: Apache-2.0
#include "LineageExport.h"

#include "json/JsonWriter.h"

#include <QCoreApplication>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace mandate::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("mandate::ui::LineageExport", text);
}

} // namespace

Status LineageExport::png(QGraphicsScene &scene, const QString &path)
{
    const QRectF source = scene.sceneRect();
    const qreal area = std::max<qreal>(1, source.width() * source.height());
    const qreal scale = std::min({2.0, kMaxPngSide / std::max<qreal>(1, std::max(source.width(), source.height())),
                                  std::sqrt(kMaxPngPixels / area)});
    QImage image(std::max(1, qRound(source.width() * scale)), std::max(1, qRound(source.height() * scale)), QImage::Format_ARGB32);
    image.fill(scene.backgroundBrush().color());
    {
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        const QList<QGraphicsItem *> selected = scene.selectedItems();
        scene.clearSelection();  // an export shows the graph, not what was clicked
        scene.render(&painter, QRectF(image.rect()), source);
        for (QGraphicsItem *item : selected)
            item->setSelected(true);
    }
    if (!image.save(path, "PNG"))
        return Error{QStringLiteral("export"), tr("cannot write %1").arg(path)};
    return Status::success();
}

Status LineageExport::svg(QGraphicsScene &scene, const QString &path, const QString &title)
{
    const QRectF source = scene.sceneRect();
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setTitle(title);
    generator.setDescription(tr("Delegation lineage exported by the Mandate console"));
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), source.size()));
    QPainter painter;
    if (!painter.begin(&generator))
        return Error{QStringLiteral("export"), tr("cannot write %1").arg(path)};
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    const QList<QGraphicsItem *> selected = scene.selectedItems();
    scene.clearSelection();
    scene.render(&painter, QRectF(QPointF(0, 0), source.size()), source);
    for (QGraphicsItem *item : selected)
        item->setSelected(true);
    if (!painter.end())
        return Error{QStringLiteral("export"), tr("cannot write %1").arg(path)};
    return Status::success();
}

Status LineageExport::jsonLines(const std::vector<client::AuditEntry> &entries, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("export"), tr("cannot write %1: %2").arg(path, file.errorString())};
    for (const client::AuditEntry &entry : entries) {
        file.write(json::writeCompact(entry.exported));
        file.write("\n");
    }
    if (!file.commit())
        return Error{QStringLiteral("export"), tr("cannot write %1: %2").arg(path, file.errorString())};
    return Status::success();
}

} // namespace mandate::ui
