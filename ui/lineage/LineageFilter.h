// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/LineageGraph.h"

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QString>

#include <utility>
#include <vector>

namespace mandate::ui {

/// Which part of a lineage graph is shown: calls filtered by decision, tool and time, and the
/// subtrees below collapsed nodes hidden. Widget-free, so tests check it directly.
struct LineageFilter
{
    QString decision;          ///< "allow", "deny" or empty for both
    QString tool;              ///< empty for every tool
    QDateTime from;            ///< calls at or after; invalid for no bound
    QDateTime to;              ///< calls at or before; invalid for no bound
    QSet<QString> collapsed;   ///< node ids whose subtrees are hidden

    bool acceptsCall(const audit::LineageGraph::Node &call) const;

    /// The visible part of `graph`, as indexes into graph.nodes / graph.edges.
    struct Visible
    {
        std::vector<int> nodes;
        std::vector<int> edges;                  ///< graph.edges shown
        std::vector<std::pair<int, int>> links;  ///< per shown edge: positions in `nodes`
        QHash<int, int> hiddenBelow;             ///< collapsed node → how many nodes it hides
    };
    Visible apply(const audit::LineageGraph &graph) const;
};

} // namespace mandate::ui
