// SPDX-License-Identifier: Apache-2.0
// How fast the lineage view is on a 10,000-node graph: the layout alone, the whole scene build
// (filter, layout, items), and frames while panning, zoomed out (labels dropped) and at 100 %.
// Prints figures; asserts only that the work was done (speed is not a unit-test verdict).
#include "LineageSample.h"

#include "LineageGraphView.h"
#include "LineageLayout.h"
#include "LineageScene.h"
#include "LineageStyle.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QImage>
#include <QPainter>
#include <QScrollBar>
#include <QTest>

#include <algorithm>

using namespace mandate;
using namespace mandate::ui;

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

class tst_LineageBench final : public QObject
{
    Q_OBJECT

private slots:
    void layoutOf10000Nodes()
    {
        const audit::LineageGraph graph = sampleLineage(10'000, 5, 3);
        QHash<QString, int> index;
        std::vector<QSizeF> sizes;
        for (const auto &node : graph.nodes) {
            index.insert(node.id, int(sizes.size()));
            sizes.push_back(LineageStyle::nodeSize(node.kind));
        }
        std::vector<std::pair<int, int>> edges;
        for (const auto &edge : graph.edges)
            edges.push_back({index.value(edge.from), index.value(edge.to)});
        std::vector<double> runs;
        LineageLayout::Result result;
        for (int i = 0; i < 5; ++i) {
            QElapsedTimer timer;
            timer.start();
            result = LineageLayout().run(sizes, edges);
            runs.push_back(double(timer.nsecsElapsed()) / 1e6);
        }
        QCOMPARE(result.centers.size(), sizes.size());
        std::printf("lineage layout: %zu nodes, %zu edges, %d crossings: median %.1f ms (min %.1f, max %.1f) of 5 runs\n",
                    sizes.size(), edges.size(), result.crossings, median(runs), *std::min_element(runs.begin(), runs.end()),
                    *std::max_element(runs.begin(), runs.end()));
    }

    void sceneAndPanning()
    {
        audit::LineageGraph graph = sampleLineage(10'000, 5, 3);
        const size_t nodes = graph.nodes.size();
        LineageScene scene;
        QElapsedTimer timer;
        timer.start();
        scene.setGraph(std::move(graph));
        const double buildMs = double(timer.nsecsElapsed()) / 1e6;
        QCOMPARE(size_t(scene.nodeItems().size()), nodes);
        std::printf("lineage scene: %zu nodes, %lld edge items: build %.1f ms (layout %lld ms of it)\n", nodes,
                    qlonglong(scene.edgeItems().size()), buildMs, scene.lastLayoutMs());

        LineageGraphView view;
        view.setScene(&scene);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QImage frame(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        const auto pan = [&](const char *what) {
            std::vector<double> frames;
            for (int i = 0; i < 30; ++i) {
                view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + 37);
                view.verticalScrollBar()->setValue(view.verticalScrollBar()->value() + 53);
                QElapsedTimer t;
                t.start();
                QPainter painter(&frame);
                view.render(&painter, QRectF(), view.viewport()->rect());
                painter.end();
                frames.push_back(double(t.nsecsElapsed()) / 1e6);
            }
            std::printf("lineage pan, %s (zoom %.3f): median %.2f ms per frame, worst %.2f ms (%.0f fps at the median)\n", what,
                        view.zoom(), median(frames), *std::max_element(frames.begin(), frames.end()), 1000.0 / median(frames));
        };
        view.fitGraph();
        pan("whole graph, labels dropped");
        view.setTransform(QTransform::fromScale(0.3, 0.3));
        view.centerOn(scene.sceneRect().center());
        pan("30 %, labels dropped");
        view.setTransform(QTransform());
        view.centerOn(scene.sceneRect().center());
        pan("100 %, with labels");
    }
};

QTEST_MAIN(tst_LineageBench)
#include "tst_lineage_bench.moc"
