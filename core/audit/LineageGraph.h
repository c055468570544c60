// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>

#include <vector>

namespace mandate::audit {

/// A provenance graph: human → agent → execution → sub-executions → tool calls.
/// Node ids are "human:<id>", "agent:<id>", "execution:<id>", "call:<gateway>:<sequence>".
/// Node kinds: human, agent, execution, call. Edge kinds: delegated (human → agent, execution →
/// sub-execution), runs (agent → execution), called (execution → call).
struct LineageGraph
{
    struct Node
    {
        QString id;
        QString kind;
        QJsonObject attributes;
    };
    struct Edge
    {
        QString from;
        QString to;
        QString kind;
        QJsonObject attributes;
    };

    std::vector<Node> nodes;
    std::vector<Edge> edges;
    bool truncated = false;     ///< more records matched than a graph may hold

    /// Adds the node, or merges `attributes` into the existing one; returns it.
    Node &node(const QString &id, const QString &kind, const QJsonObject &attributes = {});
    /// Adds the edge unless an edge with the same ends and kind exists.
    void edge(const QString &from, const QString &to, const QString &kind, const QJsonObject &attributes = {});
    const Node *find(const QString &id) const;
    /// Nodes and edges in a stable order (by id, then ends), so equal graphs compare equal.
    void sort();

    /// {"nodes":[{"id","kind","attributes"}],"edges":[{"from","to","kind","attributes"}],"truncated"}
    QJsonObject toJson() const;
    /// Inverse of toJson(), strictly: every node needs an id and a kind, every edge two known ends.
    static Result<LineageGraph> fromJson(const QJsonObject &json);
    /// Graphviz: allowed calls green, denied calls red, executions as boxes.
    QByteArray toDot() const;

private:
    QHash<QString, size_t> m_nodeIndex;
    QSet<QString> m_edgeKeys;
};

} // namespace mandate::audit
