// SPDX-License-Identifier: Apache-2.0
#include "LineageFilter.h"

namespace mandate::ui {

bool LineageFilter::acceptsCall(const audit::LineageGraph::Node &call) const
{
    const QJsonObject &a = call.attributes;
    if (!decision.isEmpty() && a.value(QStringLiteral("decision")).toString() != decision)
        return false;
    if (!tool.isEmpty() && a.value(QStringLiteral("tool")).toString() != tool)
        return false;
    if (from.isValid() || to.isValid()) {
        const QDateTime time = QDateTime::fromString(a.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
        if (!time.isValid() || (from.isValid() && time < from) || (to.isValid() && time > to))
            return false;
    }
    return true;
}

LineageFilter::Visible LineageFilter::apply(const audit::LineageGraph &graph) const
{
    const int n = static_cast<int>(graph.nodes.size());
    QHash<QString, int> index;
    index.reserve(n);
    for (int i = 0; i < n; ++i)
        index.insert(graph.nodes[i].id, i);
    std::vector<std::vector<int>> out(n);
    std::vector<int> indegree(n, 0);
    for (size_t e = 0; e < graph.edges.size(); ++e) {
        const int from = index.value(graph.edges[e].from, -1);
        const int to = index.value(graph.edges[e].to, -1);
        if (from < 0 || to < 0)
            continue;
        out[from].push_back(to);
        ++indegree[to];
    }

    // A node is shown when the filter accepts it and some path from a root reaches it without
    // passing through a collapsed node.
    std::vector<bool> accepted(n, true);
    for (int i = 0; i < n; ++i) {
        if (graph.nodes[i].kind == QLatin1String("call"))
            accepted[i] = acceptsCall(graph.nodes[i]);
    }
    std::vector<bool> shown(n, false);
    std::vector<int> stack;
    for (int i = 0; i < n; ++i) {
        if (indegree[i] == 0 && accepted[i]) {
            shown[i] = true;
            stack.push_back(i);
        }
    }
    while (!stack.empty()) {
        const int v = stack.back();
        stack.pop_back();
        if (collapsed.contains(graph.nodes[v].id))
            continue;
        for (const int to : out[v]) {
            if (!shown[to] && accepted[to]) {
                shown[to] = true;
                stack.push_back(to);
            }
        }
    }

    Visible visible;
    std::vector<int> position(n, -1);
    for (int i = 0; i < n; ++i) {
        if (shown[i]) {
            position[i] = static_cast<int>(visible.nodes.size());
            visible.nodes.push_back(i);
        }
    }
    for (size_t e = 0; e < graph.edges.size(); ++e) {
        const int from = index.value(graph.edges[e].from, -1);
        const int to = index.value(graph.edges[e].to, -1);
        if (from < 0 || to < 0 || !shown[from] || !shown[to] || collapsed.contains(graph.nodes[from].id))
            continue;
        visible.edges.push_back(static_cast<int>(e));
        visible.links.push_back({position[from], position[to]});
    }
    // What each collapsed node hides: its accepted descendants that are not shown.
    for (const QString &id : collapsed) {
        const int root = index.value(id, -1);
        if (root < 0 || !shown[root])
            continue;
        std::vector<bool> seen(n, false);
        int hidden = 0;
        stack.assign(out[root].begin(), out[root].end());
        while (!stack.empty()) {
            const int v = stack.back();
            stack.pop_back();
            if (seen[v] || !accepted[v])
                continue;
            seen[v] = true;
            if (!shown[v])
                ++hidden;
            stack.insert(stack.end(), out[v].begin(), out[v].end());
        }
        visible.hiddenBelow.insert(root, hidden);
    }
    return visible;
}

} // namespace mandate::ui
