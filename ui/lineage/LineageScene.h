// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LineageFilter.h"
#include "LineageStyle.h"

#include "audit/LineageGraph.h"

#include <QGraphicsScene>
#include <QHash>
#include <QJsonObject>

namespace mandate::ui {

class LineageEdgeItem;
class LineageNodeItem;

/// The lineage graph as graphics items: applies the filter, lays the visible part out with
/// LineageLayout and labels the delegation hops with what each one handed down (from the
/// executions' states, which arrive later than the graph).
class LineageScene final : public QGraphicsScene
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LineageScene)

public:
    explicit LineageScene(QObject *parent = nullptr);

    void setStyle(const LineageStyle &style);
    void setGraph(audit::LineageGraph graph);
    const audit::LineageGraph &graph() const { return m_graph; }
    void setFilter(const LineageFilter &filter);
    const LineageFilter &filter() const { return m_filter; }
    /// Collapses or expands the subtree below a node.
    void toggleCollapsed(const QString &nodeId);
    /// GET /v1/executions/{id} of an execution in the graph: claims for the details, hop labels.
    void setExecutionState(const QString &execution, const QJsonObject &state);
    QJsonObject executionState(const QString &execution) const { return m_states.value(execution); }

    LineageNodeItem *nodeItem(const QString &id) const { return m_nodeItems.value(id); }
    const QList<LineageNodeItem *> &nodeItems() const { return m_nodeList; }
    const QList<LineageEdgeItem *> &edgeItems() const { return m_edgeList; }
    /// The id of the selected node, or empty.
    QString selectedNodeId() const;
    void selectNode(const QString &id);
    /// Milliseconds the last layout took (shown in the status line, measured by the benchmark).
    qint64 lastLayoutMs() const { return m_layoutMs; }

    /// What a delegation hop into `execution` handed down, and what it narrowed compared with
    /// `parentState` (empty for a hop from an agent).
    static QString hopLabel(const QJsonObject &state, const QJsonObject &parentState);

Q_SIGNALS:
    void rebuilt();

private:
    void rebuild();
    void refreshLabels();

    LineageStyle m_style;
    audit::LineageGraph m_graph;
    LineageFilter m_filter;
    QHash<QString, QJsonObject> m_states;
    QHash<QString, LineageNodeItem *> m_nodeItems;
    QList<LineageNodeItem *> m_nodeList;
    QList<LineageEdgeItem *> m_edgeList;
    QList<int> m_edgeSource;   // per edge item: its index in m_graph.edges
    qint64 m_layoutMs = 0;
};

} // namespace mandate::ui
