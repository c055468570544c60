// SPDX-License-Identifier: Apache-2.0
#include "LineageScene.h"

#include "LineageEdgeItem.h"
#include "LineageLayout.h"
#include "LineageNodeItem.h"
#include "LineageOverviewItem.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSet>

namespace mandate::ui {

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QSet<QString> actionsOf(const QJsonObject &state)
{
    QSet<QString> actions;
    for (const QJsonValue &capability : state.value(QStringLiteral("capabilities")).toArray())
        actions.insert(capability.toObject().value(QStringLiteral("action")).toString());
    return actions;
}

QStringList sorted(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return list;
}

LineageNodeItem::Content contentOf(const audit::LineageGraph::Node &node)
{
    LineageNodeItem::Content c;
    c.id = node.id;
    c.kind = node.kind;
    const QString name = node.id.section(u':', 1);
    const QJsonObject &a = node.attributes;
    if (node.kind == QLatin1String("human")) {
        c.title = name;
        c.subtitle = LineageScene::tr("human");
    } else if (node.kind == QLatin1String("agent")) {
        c.title = name;
        c.subtitle = LineageScene::tr("agent");
    } else if (node.kind == QLatin1String("execution")) {
        c.title = str(a, "purpose").isEmpty() ? name : str(a, "purpose");
        const QString status = str(a, "status");
        c.subtitle = status.isEmpty() ? name : name + QStringLiteral(" · ") + status;
        c.revoked = status == QLatin1String("revoked");
    } else {
        c.decision = str(a, "decision");
        c.flagged = a.value(QStringLiteral("flagged")).toBool();
        c.title = str(a, "action").isEmpty() ? name : str(a, "action");
        const QDateTime time = QDateTime::fromString(str(a, "time"), Qt::ISODateWithMs);
        const QString decision = c.decision == QLatin1String("allow") ? LineageScene::tr("allowed") : LineageScene::tr("denied");
        c.subtitle = time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")) + QStringLiteral(" · ") + decision
                     + (c.flagged ? QString(QStringLiteral(" · ") + LineageScene::tr("flagged")) : QString());
    }
    return c;
}

} // namespace

LineageScene::LineageScene(QObject *parent) : QGraphicsScene(parent)
{
    // Items never move, so the index stays valid; BSP makes hit tests and exposure cheap.
    setItemIndexMethod(BspTreeIndex);
}

void LineageScene::setStyle(const LineageStyle &style)
{
    m_style = style;
    setBackgroundBrush(m_style.background());
    rebuild();
}

void LineageScene::setGraph(audit::LineageGraph graph)
{
    m_graph = std::move(graph);
    m_states.clear();
    m_filter.collapsed.clear();
    rebuild();
}

void LineageScene::setFilter(const LineageFilter &filter)
{
    m_filter = filter;
    rebuild();
}

void LineageScene::toggleCollapsed(const QString &nodeId)
{
    if (!m_filter.collapsed.remove(nodeId))
        m_filter.collapsed.insert(nodeId);
    const QString keep = selectedNodeId();
    rebuild();
    selectNode(keep.isEmpty() ? nodeId : keep);
}

void LineageScene::setExecutionState(const QString &execution, const QJsonObject &state)
{
    m_states.insert(execution, state);
    refreshLabels();
}

QString LineageScene::selectedNodeId() const
{
    for (QGraphicsItem *item : selectedItems()) {
        if (auto *node = dynamic_cast<LineageNodeItem *>(item))
            return node->nodeId();
    }
    return {};
}

void LineageScene::selectNode(const QString &id)
{
    clearSelection();
    if (LineageNodeItem *item = m_nodeItems.value(id))
        item->setSelected(true);
}

QString LineageScene::hopLabel(const QJsonObject &state, const QJsonObject &parentState)
{
    if (state.isEmpty())
        return {};
    const QSet<QString> actions = actionsOf(state);
    QStringList parts{sorted(actions).join(QStringLiteral(", "))};
    if (!parentState.isEmpty()) {
        const QSet<QString> dropped = actionsOf(parentState) - actions;
        if (!dropped.isEmpty())
            parts << tr("dropped %1").arg(sorted(dropped).join(QStringLiteral(", ")));
    }
    const QJsonObject budget = state.value(QStringLiteral("budget")).toObject();
    if (!budget.isEmpty())
        parts << tr("%n call(s), %1", nullptr, int(budget.value(QStringLiteral("calls")).toInteger())).arg(str(budget, "amount"));
    return parts.join(QStringLiteral(" · "));
}

void LineageScene::refreshLabels()
{
    for (qsizetype i = 0; i < m_edgeList.size(); ++i) {
        const audit::LineageGraph::Edge &edge = m_graph.edges[static_cast<size_t>(m_edgeSource[i])];
        if (!edge.to.startsWith(QLatin1String("execution:")))
            continue;
        // A sub-execution's grant is told on the hop from its parent, not again on its agent's.
        const audit::LineageGraph::Node *target = m_graph.find(edge.to);
        if (edge.kind == QLatin1String("runs") && target && !str(target->attributes, "parent").isEmpty())
            continue;
        const QJsonObject state = m_states.value(edge.to.section(u':', 1));
        const QJsonObject parent = edge.from.startsWith(QLatin1String("execution:")) ? m_states.value(edge.from.section(u':', 1))
                                                                                    : QJsonObject();
        m_edgeList[i]->setLabel(hopLabel(state, parent));
    }
}

void LineageScene::rebuild()
{
    clearSelection();
    clear();
    m_nodeItems.clear();
    m_nodeList.clear();
    m_edgeList.clear();
    m_edgeSource.clear();

    QElapsedTimer timer;
    timer.start();
    const LineageFilter::Visible visible = m_filter.apply(m_graph);
    std::vector<QSizeF> sizes;
    sizes.reserve(visible.nodes.size());
    for (const int index : visible.nodes)
        sizes.push_back(LineageStyle::nodeSize(m_graph.nodes[static_cast<size_t>(index)].kind));
    LineageLayout::Options options;
    options.layerGap = 170;  // room for the capability labels of the delegation hops
    // A sub-execution belongs beside its parent; its agent, shared by many, follows along.
    std::vector<double> weights;
    weights.reserve(visible.edges.size());
    for (const int e : visible.edges) {
        const audit::LineageGraph::Edge &edge = m_graph.edges[static_cast<size_t>(e)];
        const audit::LineageGraph::Node *target = m_graph.find(edge.to);
        const bool subExecution = target && !str(target->attributes, "parent").isEmpty();
        weights.push_back(edge.kind == QLatin1String("runs") && subExecution ? 0.05 : 1.0);
    }
    const LineageLayout::Result layout = LineageLayout(options).run(sizes, visible.links, weights);
    m_layoutMs = timer.elapsed();

    m_nodeList.reserve(static_cast<qsizetype>(visible.nodes.size()));
    for (size_t i = 0; i < visible.nodes.size(); ++i) {
        const int index = visible.nodes[i];
        LineageNodeItem::Content content = contentOf(m_graph.nodes[static_cast<size_t>(index)]);
        if (m_filter.collapsed.contains(content.id))
            content.hiddenBelow = visible.hiddenBelow.value(index, 0);
        auto *item = new LineageNodeItem(std::move(content), m_style);
        item->setPos(layout.centers[i]);
        addItem(item);
        m_nodeItems.insert(item->nodeId(), item);
        m_nodeList.append(item);
    }
    for (size_t i = 0; i < visible.edges.size(); ++i) {
        const audit::LineageGraph::Edge &edge = m_graph.edges[static_cast<size_t>(visible.edges[i])];
        auto *item = new LineageEdgeItem(layout.paths[i], edge.kind, str(edge.attributes, "decision"), m_style);
        addItem(item);
        m_edgeList.append(item);
        m_edgeSource.append(visible.edges[i]);
    }
    refreshLabels();
    setSceneRect(layout.bounds.adjusted(-60, -60, 60, 60));
    if (!layout.bounds.isEmpty())
        addItem(new LineageOverviewItem(*this, layout.bounds.adjusted(-4, -4, 30, 4)));
    Q_EMIT rebuilt();
}

} // namespace mandate::ui
