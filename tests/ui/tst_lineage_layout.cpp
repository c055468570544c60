// SPDX-License-Identifier: Apache-2.0
// The lineage layout and filter on generated graphs: no two nodes overlap, every edge is routed
// from its source to its target, a tree is drawn without crossings, cycles do not hang it; the
// filter hides what it should and counts what a collapsed node hides.
#include "LineageSample.h"

#include "LineageFilter.h"
#include "LineageLayout.h"
#include "LineageStyle.h"

#include <QHash>
#include <QTest>

#include <algorithm>
#include <numeric>

using namespace mandate;
using namespace mandate::ui;

namespace {

struct Laid
{
    std::vector<QSizeF> sizes;
    std::vector<std::pair<int, int>> edges;
    LineageLayout::Result result;
};

Laid layOut(const audit::LineageGraph &graph)
{
    Laid laid;
    QHash<QString, int> index;
    for (const auto &node : graph.nodes) {
        index.insert(node.id, int(laid.sizes.size()));
        laid.sizes.push_back(LineageStyle::nodeSize(node.kind));
    }
    for (const auto &edge : graph.edges)
        laid.edges.push_back({index.value(edge.from), index.value(edge.to)});
    laid.result = LineageLayout().run(laid.sizes, laid.edges);
    return laid;
}

QRectF box(const Laid &laid, int v)
{
    const QSizeF s = laid.sizes[size_t(v)];
    return QRectF(laid.result.centers[size_t(v)] - QPointF(s.width() / 2, s.height() / 2), s);
}

/// The number of overlapping node pairs (a sweep over x, so that large graphs stay quick).
int overlaps(const Laid &laid)
{
    std::vector<int> order(laid.sizes.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return box(laid, a).left() < box(laid, b).left(); });
    int count = 0;
    for (size_t i = 0; i < order.size(); ++i) {
        const QRectF a = box(laid, order[i]);
        for (size_t j = i + 1; j < order.size() && box(laid, order[j]).left() < a.right(); ++j) {
            if (a.intersects(box(laid, order[j])))
                ++count;
        }
    }
    return count;
}

} // namespace

class tst_LineageLayout final : public QObject
{
    Q_OBJECT

private slots:
    void generatedGraphs_data()
    {
        QTest::addColumn<int>("nodes");
        QTest::addColumn<int>("depth");
        QTest::addRow("small, one level") << 30 << 1;
        QTest::addRow("sub-delegations") << 300 << 3;
        QTest::addRow("deep") << 800 << 6;
        QTest::addRow("10,000 nodes") << 10'000 << 3;
    }

    void generatedGraphs()
    {
        QFETCH(int, nodes);
        QFETCH(int, depth);
        const audit::LineageGraph graph = sampleLineage(nodes, 11, depth);
        const Laid laid = layOut(graph);
        QCOMPARE(laid.result.centers.size(), graph.nodes.size());
        QCOMPARE(overlaps(laid), 0);

        // Every edge drawn, from the source's right side to the target's left side, left to right.
        QCOMPARE(laid.result.paths.size(), graph.edges.size());
        for (size_t e = 0; e < laid.edges.size(); ++e) {
            const QList<QPointF> &path = laid.result.paths[e];
            QVERIFY2(path.size() >= 2, qPrintable(graph.edges[e].from + QStringLiteral(" -> ") + graph.edges[e].to));
            const QRectF from = box(laid, laid.edges[e].first);
            const QRectF to = box(laid, laid.edges[e].second);
            QCOMPARE(path.first(), QPointF(from.right(), from.center().y()));
            QCOMPARE(path.last(), QPointF(to.left(), to.center().y()));
            QVERIFY(laid.result.layers[size_t(laid.edges[e].first)] < laid.result.layers[size_t(laid.edges[e].second)]);
            for (qsizetype i = 1; i < path.size(); ++i)
                QVERIFY(path[i].x() > path[i - 1].x());
        }
        // Kinds in order: humans before their agents before executions before their calls.
        for (size_t v = 0; v < graph.nodes.size(); ++v) {
            if (graph.nodes[v].kind == QLatin1String("human"))
                QCOMPARE(laid.result.layers[v], 0);
        }
        QVERIFY(laid.result.bounds.isValid());
    }

    void treeHasNoCrossings()
    {
        // One human, one agent, executions with sub-executions and calls: a tree.
        audit::LineageGraph g;
        g.node(QStringLiteral("human:alice"), QStringLiteral("human"));
        g.node(QStringLiteral("agent:a"), QStringLiteral("agent"));
        g.edge(QStringLiteral("human:alice"), QStringLiteral("agent:a"), QStringLiteral("delegated"));
        for (int e = 0; e < 6; ++e) {
            const QString exec = QStringLiteral("execution:e%1").arg(e);
            g.node(exec, QStringLiteral("execution"));
            g.edge(QStringLiteral("agent:a"), exec, QStringLiteral("runs"));
            for (int c = 0; c < 4; ++c) {
                const QString call = QStringLiteral("call:g:%1").arg(e * 10 + c);
                g.node(call, QStringLiteral("call"));
                g.edge(exec, call, QStringLiteral("called"));
            }
        }
        const Laid laid = layOut(g);
        QCOMPARE(laid.result.crossings, 0);
        QCOMPARE(overlaps(laid), 0);
        // The agent sits centred on its executions (within a pixel).
        qreal sum = 0;
        for (int e = 0; e < 6; ++e)
            sum += laid.result.centers[size_t(2 + e * 5)].y();
        QVERIFY(qAbs(laid.result.centers[1].y() - sum / 6) < 1.0);
    }

    void crossingsAreCounted()
    {
        QCOMPARE(LineageLayout::countCrossings({{0, 1}, {1, 0}}, 2), 1);
        QCOMPARE(LineageLayout::countCrossings({{0, 0}, {1, 1}}, 2), 0);
        QCOMPARE(LineageLayout::countCrossings({{0, 2}, {1, 1}, {2, 0}}, 3), 3);
        // A crossing the initial order makes is removed by the sweeps.
        const std::vector<QSizeF> sizes(6, QSizeF(100, 30));
        const auto result = LineageLayout().run(sizes, {{0, 3}, {1, 2}, {0, 4}, {1, 5}, {2, 5}});
        QCOMPARE(result.crossings, 0);
    }

    void weakEdgesHardlyPull()
    {
        // Node 3 has two children, 5 and 4; its edge to 4 (which belongs with 0) is weak, so 3
        // centres on 5 alone instead of halfway between its children.
        const std::vector<QSizeF> sizes(6, QSizeF(100, 30));
        const std::vector<std::pair<int, int>> edges{{0, 1}, {0, 2}, {0, 4}, {3, 5}, {3, 4}};
        const auto even = LineageLayout().run(sizes, edges);
        const auto weighted = LineageLayout().run(sizes, edges, {1, 1, 1, 1, 0.05});
        const qreal evenOffset = qAbs(even.centers[3].y() - even.centers[5].y());
        const qreal weightedOffset = qAbs(weighted.centers[3].y() - weighted.centers[5].y());
        QVERIFY2(weightedOffset < 5 && weightedOffset < evenOffset,
                 qPrintable(QStringLiteral("%1 vs %2").arg(weightedOffset).arg(evenOffset)));
    }

    void cyclesAndSelfLoopsAreLaidOut()
    {
        const std::vector<QSizeF> sizes(4, QSizeF(100, 30));
        const auto result = LineageLayout().run(sizes, {{0, 1}, {1, 2}, {2, 0}, {3, 3}, {2, 3}});
        QCOMPARE(result.centers.size(), size_t(4));
        QVERIFY(result.paths[2].size() >= 2);   // the back edge is drawn too
        QVERIFY(result.paths[3].isEmpty());     // a self loop is not
    }

    void filterByDecisionToolAndTime()
    {
        const audit::LineageGraph graph = sampleLineage(200, 3, 2);
        LineageFilter filter;
        filter.decision = QStringLiteral("deny");
        const LineageFilter::Visible denied = filter.apply(graph);
        int calls = 0;
        for (const int v : denied.nodes) {
            const auto &node = graph.nodes[size_t(v)];
            if (node.kind == QLatin1String("call")) {
                ++calls;
                QCOMPARE(node.attributes.value(QStringLiteral("decision")).toString(), QStringLiteral("deny"));
            }
        }
        QVERIFY(calls > 0);
        for (const auto &[from, to] : denied.links)
            QVERIFY(from >= 0 && to >= 0 && from < int(denied.nodes.size()) && to < int(denied.nodes.size()));

        LineageFilter byTool;
        byTool.tool = QStringLiteral("refund");
        for (const int v : byTool.apply(graph).nodes) {
            const auto &node = graph.nodes[size_t(v)];
            QVERIFY(node.kind != QLatin1String("call") || node.attributes.value(QStringLiteral("tool")).toString() == QLatin1String("refund"));
        }

        LineageFilter byTime;
        byTime.from = QDateTime::fromString(QStringLiteral("2026-11-29T10:00:05Z"), Qt::ISODate);
        byTime.to = QDateTime::fromString(QStringLiteral("2026-11-29T10:00:10Z"), Qt::ISODate);
        int inWindow = 0;
        for (const int v : byTime.apply(graph).nodes)
            inWindow += graph.nodes[size_t(v)].kind == QLatin1String("call");
        QCOMPARE(inWindow, 21);  // sequences 20 to 40, one every 250 ms
    }

    void collapseHidesTheSubtree()
    {
        audit::LineageGraph g;
        g.node(QStringLiteral("human:alice"), QStringLiteral("human"));
        g.node(QStringLiteral("agent:a"), QStringLiteral("agent"));
        g.node(QStringLiteral("execution:e1"), QStringLiteral("execution"));
        g.node(QStringLiteral("execution:e2"), QStringLiteral("execution"));
        g.node(QStringLiteral("call:g:1"), QStringLiteral("call"), {{QStringLiteral("decision"), QStringLiteral("allow")}});
        g.node(QStringLiteral("call:g:2"), QStringLiteral("call"), {{QStringLiteral("decision"), QStringLiteral("deny")}});
        g.edge(QStringLiteral("human:alice"), QStringLiteral("agent:a"), QStringLiteral("delegated"));
        g.edge(QStringLiteral("agent:a"), QStringLiteral("execution:e1"), QStringLiteral("runs"));
        g.edge(QStringLiteral("execution:e1"), QStringLiteral("execution:e2"), QStringLiteral("delegated"));
        g.edge(QStringLiteral("execution:e1"), QStringLiteral("call:g:1"), QStringLiteral("called"));
        g.edge(QStringLiteral("execution:e2"), QStringLiteral("call:g:2"), QStringLiteral("called"));
        LineageFilter filter;
        filter.collapsed.insert(QStringLiteral("execution:e1"));
        const LineageFilter::Visible visible = filter.apply(g);
        QCOMPARE(int(visible.nodes.size()), 3);
        QCOMPARE(int(visible.edges.size()), 2);
        QCOMPARE(visible.hiddenBelow.value(2), 3);
        filter.collapsed.clear();
        QCOMPARE(int(filter.apply(g).nodes.size()), 6);
    }
};

QTEST_GUILESS_MAIN(tst_LineageLayout)
#include "tst_lineage_layout.moc"
