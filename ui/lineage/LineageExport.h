// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/AuditPage.h"
#include "common/Result.h"

#include <QString>

#include <vector>

class QGraphicsScene;

namespace mandate::ui {

/// Writes the lineage graph as it is shown (PNG, SVG) and its underlying records (JSON lines,
/// exactly as the gateway exported them, one per line, for a SIEM or a ticket).
class LineageExport
{
public:
    /// At most this many pixels on the longer side: a 10,000-node graph still fits in memory.
    static constexpr int kMaxPngSide = 12'000;
    /// And at most this many pixels, so that image readers (Qt's default limit is 128 MB) open it.
    static constexpr qreal kMaxPngPixels = 24e6;

    static Status png(QGraphicsScene &scene, const QString &path);
    static Status svg(QGraphicsScene &scene, const QString &path, const QString &title);
    static Status jsonLines(const std::vector<client::AuditEntry> &entries, const QString &path);
};

} // namespace mandate::ui
