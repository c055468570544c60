// SPDX-License-Identifier: Apache-2.0
#include "audit/LineageGraph.h"

#include <QJsonArray>

#include <algorithm>

namespace mandate::audit {

namespace {

QByteArray quoted(const QString &text)
{
    QByteArray out = "\"";
    for (const char c : text.toUtf8()) {
        if (c == '"' || c == '\\')
            out.append('\\');
        if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out + '"';
}

} // namespace

LineageGraph::Node &LineageGraph::node(const QString &id, const QString &kind, const QJsonObject &attributes)
{
    if (const auto at = m_nodeIndex.constFind(id); at != m_nodeIndex.constEnd()) {
        Node &n = nodes[*at];
        for (auto it = attributes.begin(); it != attributes.end(); ++it)
            n.attributes.insert(it.key(), it.value());
        return n;
    }
    m_nodeIndex.insert(id, nodes.size());
    nodes.push_back(Node{id, kind, attributes});
    return nodes.back();
}

void LineageGraph::edge(const QString &from, const QString &to, const QString &kind, const QJsonObject &attributes)
{
    const QString key = from + QChar(u'\n') + to + QChar(u'\n') + kind;
    if (m_edgeKeys.contains(key))
        return;
    m_edgeKeys.insert(key);
    edges.push_back(Edge{from, to, kind, attributes});
}

const LineageGraph::Node *LineageGraph::find(const QString &id) const
{
    const auto at = m_nodeIndex.constFind(id);
    return at == m_nodeIndex.constEnd() ? nullptr : &nodes[*at];
}

void LineageGraph::sort()
{
    std::sort(nodes.begin(), nodes.end(), [](const Node &a, const Node &b) { return a.id < b.id; });
    std::sort(edges.begin(), edges.end(), [](const Edge &a, const Edge &b) {
        return std::tie(a.from, a.to, a.kind) < std::tie(b.from, b.to, b.kind);
    });
    m_nodeIndex.clear();
    for (size_t i = 0; i < nodes.size(); ++i)
        m_nodeIndex.insert(nodes[i].id, i);
}

QJsonObject LineageGraph::toJson() const
{
    QJsonArray n;
    for (const Node &node : nodes)
        n.append(QJsonObject{{QStringLiteral("id"), node.id}, {QStringLiteral("kind"), node.kind},
                             {QStringLiteral("attributes"), node.attributes}});
    QJsonArray e;
    for (const Edge &edge : edges)
        e.append(QJsonObject{{QStringLiteral("from"), edge.from}, {QStringLiteral("to"), edge.to},
                             {QStringLiteral("kind"), edge.kind}, {QStringLiteral("attributes"), edge.attributes}});
    return {{QStringLiteral("nodes"), n}, {QStringLiteral("edges"), e}, {QStringLiteral("truncated"), truncated}};
}

Result<LineageGraph> LineageGraph::fromJson(const QJsonObject &json)
{
    const QJsonValue nodes = json.value(QStringLiteral("nodes"));
    const QJsonValue edges = json.value(QStringLiteral("edges"));
    if (!nodes.isArray() || !edges.isArray())
        return Error{QStringLiteral("invalid"), QStringLiteral("a lineage graph needs nodes and edges arrays")};
    LineageGraph graph;
    for (const QJsonValue &value : nodes.toArray()) {
        const QJsonObject n = value.toObject();
        const QString id = n.value(QStringLiteral("id")).toString();
        const QString kind = n.value(QStringLiteral("kind")).toString();
        if (id.isEmpty() || kind.isEmpty())
            return Error{QStringLiteral("invalid"), QStringLiteral("a lineage node needs an id and a kind"), QStringLiteral("nodes")};
        graph.node(id, kind, n.value(QStringLiteral("attributes")).toObject());
    }
    for (const QJsonValue &value : edges.toArray()) {
        const QJsonObject e = value.toObject();
        const QString from = e.value(QStringLiteral("from")).toString();
        const QString to = e.value(QStringLiteral("to")).toString();
        if (!graph.find(from) || !graph.find(to))
            return Error{QStringLiteral("invalid"), QStringLiteral("lineage edge %1 -> %2 names an unknown node").arg(from, to),
                         QStringLiteral("edges")};
        graph.edge(from, to, e.value(QStringLiteral("kind")).toString(), e.value(QStringLiteral("attributes")).toObject());
    }
    graph.truncated = json.value(QStringLiteral("truncated")).toBool();
    return graph;
}

QByteArray LineageGraph::toDot() const
{
    QByteArray out = "digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
    // A drawing cut short says so on itself: it may end up in a report without its source.
    if (truncated)
        out += "  labelloc=t;\n  label=\"Truncated: this lineage has more audit records than one graph shows\";\n";
    for (const Node &n : nodes) {
        QString label = n.attributes.value(QStringLiteral("label")).toString();
        if (label.isEmpty())
            label = n.id.section(u':', 1);
        QByteArray style;
        if (n.kind == QLatin1String("human"))
            style = "shape=ellipse, style=filled, fillcolor=\"#dbe9f6\"";
        else if (n.kind == QLatin1String("agent"))
            style = "shape=hexagon, style=filled, fillcolor=\"#eee3f5\"";
        else if (n.kind == QLatin1String("execution"))
            style = "shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\"";
        else if (n.attributes.value(QStringLiteral("decision")).toString() == QLatin1String("allow"))
            style = "shape=note, style=filled, fillcolor=\"#d5f0d5\", color=\"#2e7d32\"";
        else
            style = "shape=note, style=filled, fillcolor=\"#f8d7d7\", color=\"#c62828\"";
        out += "  " + quoted(n.id) + " [label=" + quoted(label) + ", " + style + "];\n";
    }
    for (const Edge &e : edges)
        out += "  " + quoted(e.from) + " -> " + quoted(e.to) + " [label=" + quoted(e.kind) + "];\n";
    out += "}\n";
    return out;
}

} // namespace mandate::audit
