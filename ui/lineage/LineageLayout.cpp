// SPDX-License-Identifier: Apache-2.0
#include "LineageLayout.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace mandate::ui {

namespace {

/// The graph the layout works on: the real nodes first, then one dummy per skipped layer, so
/// that every edge joins adjacent layers.
struct LayeredGraph
{
    std::vector<int> layer;
    std::vector<std::vector<int>> up;    // predecessors, one layer to the left
    std::vector<std::vector<int>> down;  // successors, one layer to the right
    std::vector<std::vector<double>> upWeight;
    std::vector<std::vector<double>> downWeight;
    std::vector<std::vector<int>> rows;  // nodes of each layer, in order
    std::vector<int> position;           // index in its row

    int addNode(int atLayer)
    {
        layer.push_back(atLayer);
        up.emplace_back();
        down.emplace_back();
        upWeight.emplace_back();
        downWeight.emplace_back();
        return static_cast<int>(layer.size()) - 1;
    }
    void link(int from, int to, double weight)
    {
        down[from].push_back(to);
        up[to].push_back(from);
        downWeight[from].push_back(weight);
        upWeight[to].push_back(weight);
    }
    /// The weighted mean of `values` over the neighbours of `v`; false when it has none.
    template<typename Value>
    bool meanOfNeighbours(int v, bool usePredecessors, Value value, double &mean) const
    {
        const std::vector<int> &neighbours = usePredecessors ? up[v] : down[v];
        const std::vector<double> &weights = usePredecessors ? upWeight[v] : downWeight[v];
        double sum = 0;
        double total = 0;
        for (size_t i = 0; i < neighbours.size(); ++i) {
            sum += weights[i] * value(neighbours[i]);
            total += weights[i];
        }
        if (total <= 0)
            return false;
        mean = sum / total;
        return true;
    }
    void renumber(int row)
    {
        for (size_t i = 0; i < rows[row].size(); ++i)
            position[rows[row][i]] = static_cast<int>(i);
    }
};

/// Marks the edges that close a cycle (iterative DFS), so that they can be laid out reversed.
std::vector<bool> backEdges(int n, const std::vector<std::pair<int, int>> &edges)
{
    std::vector<std::vector<int>> out(n);
    for (size_t e = 0; e < edges.size(); ++e)
        out[edges[e].first].push_back(static_cast<int>(e));
    std::vector<char> state(n, 0);  // 0 new, 1 on the stack, 2 done
    std::vector<bool> back(edges.size(), false);
    std::vector<std::pair<int, size_t>> stack;
    for (int root = 0; root < n; ++root) {
        if (state[root])
            continue;
        stack.push_back({root, 0});
        state[root] = 1;
        while (!stack.empty()) {
            auto &[node, next] = stack.back();
            if (next == out[node].size()) {
                state[node] = 2;
                stack.pop_back();
                continue;
            }
            const int e = out[node][next++];
            const int to = edges[e].second;
            if (state[to] == 1)
                back[e] = true;
            else if (state[to] == 0) {
                state[to] = 1;
                stack.push_back({to, 0});
            }
        }
    }
    return back;
}

/// Longest-path layers; then sources move right next to their nearest successor, so that a
/// sub-agent stands beside the execution it runs rather than beside the humans.
std::vector<int> assignLayers(int n, const std::vector<std::pair<int, int>> &dag)
{
    std::vector<std::vector<int>> out(n);
    std::vector<int> indegree(n, 0);
    for (const auto &[from, to] : dag) {
        out[from].push_back(to);
        ++indegree[to];
    }
    std::vector<int> layer(n, 0);
    std::vector<int> order;
    order.reserve(n);
    for (int v = 0; v < n; ++v) {
        if (indegree[v] == 0)
            order.push_back(v);
    }
    for (size_t i = 0; i < order.size(); ++i) {
        for (const int to : out[order[i]]) {
            layer[to] = std::max(layer[to], layer[order[i]] + 1);
            if (--indegree[to] == 0)
                order.push_back(to);
        }
    }
    std::vector<bool> hasPredecessor(n, false);
    for (const auto &edge : dag)
        hasPredecessor[edge.second] = true;
    for (int v = 0; v < n; ++v) {
        if (hasPredecessor[v] || out[v].empty())
            continue;
        int nearest = layer[out[v].front()];
        for (const int to : out[v])
            nearest = std::min(nearest, layer[to]);
        layer[v] = nearest - 1;
    }
    return layer;
}

/// Rows in depth-first order from the sources: a tree comes out without crossings already.
void initialOrder(LayeredGraph &g, int realCount)
{
    std::vector<int> roots(realCount);
    std::iota(roots.begin(), roots.end(), 0);
    std::stable_sort(roots.begin(), roots.end(), [&g](int a, int b) { return g.layer[a] < g.layer[b]; });
    std::vector<bool> seen(g.layer.size(), false);
    std::vector<int> stack;
    for (const int root : roots) {
        if (seen[root])
            continue;
        stack.push_back(root);
        seen[root] = true;
        while (!stack.empty()) {
            const int v = stack.back();
            stack.pop_back();
            g.rows[g.layer[v]].push_back(v);
            // Reverse so that the first successor is visited first.
            for (auto it = g.down[v].rbegin(); it != g.down[v].rend(); ++it) {
                if (!seen[*it]) {
                    seen[*it] = true;
                    stack.push_back(*it);
                }
            }
        }
    }
    // Dummies not reachable from a real node cannot exist, but every node must have a row.
    for (size_t v = 0; v < g.layer.size(); ++v) {
        if (!seen[v])
            g.rows[g.layer[v]].push_back(static_cast<int>(v));
    }
    for (size_t row = 0; row < g.rows.size(); ++row)
        g.renumber(static_cast<int>(row));
}

qint64 crossingsBetween(const LayeredGraph &g, size_t row)
{
    std::vector<std::pair<int, int>> edges;
    for (const int v : g.rows[row]) {
        for (const int to : g.down[v])
            edges.push_back({g.position[v], g.position[to]});
    }
    return LineageLayout::countCrossings(std::move(edges), static_cast<int>(g.rows[row + 1].size()));
}

qint64 totalCrossings(const LayeredGraph &g)
{
    qint64 total = 0;
    for (size_t row = 0; row + 1 < g.rows.size(); ++row)
        total += crossingsBetween(g, row);
    return total;
}

/// Sorts one row by the mean position of its neighbours in the adjacent row (stable: a node
/// without neighbours keeps its place among equals).
void sortByBarycentre(LayeredGraph &g, size_t row, bool usePredecessors)
{
    std::vector<int> &nodes = g.rows[row];
    std::vector<double> key(g.layer.size());
    for (const int v : nodes) {
        if (!g.meanOfNeighbours(v, usePredecessors, [&g](int u) { return double(g.position[u]); }, key[v]))
            key[v] = g.position[v];
    }
    std::stable_sort(nodes.begin(), nodes.end(), [&key](int a, int b) { return key[a] < key[b]; });
    g.renumber(static_cast<int>(row));
}

/// Least-squares positions closest to `desired` that keep the row's order and minimum gaps.
void placeRow(const std::vector<int> &nodes, const std::vector<double> &desired, const std::vector<double> &weight,
              const std::vector<double> &gapAfter, std::vector<double> &y)
{
    struct Block
    {
        double sum;
        double weight;
        size_t count;
    };
    std::vector<Block> blocks;
    std::vector<double> offset(nodes.size(), 0);
    for (size_t i = 1; i < nodes.size(); ++i)
        offset[i] = offset[i - 1] + gapAfter[i - 1];
    for (size_t i = 0; i < nodes.size(); ++i) {
        const double w = weight[nodes[i]];
        blocks.push_back({(desired[nodes[i]] - offset[i]) * w, w, 1});
        while (blocks.size() > 1) {
            const Block &last = blocks.back();
            const Block &prev = blocks[blocks.size() - 2];
            if (prev.sum / prev.weight <= last.sum / last.weight)
                break;
            const Block merged{prev.sum + last.sum, prev.weight + last.weight, prev.count + last.count};
            blocks.pop_back();
            blocks.back() = merged;
        }
    }
    size_t i = 0;
    for (const Block &block : blocks) {
        for (size_t k = 0; k < block.count; ++k, ++i)
            y[nodes[i]] = block.sum / block.weight + offset[i];
    }
}

} // namespace

qint64 LineageLayout::countCrossings(std::vector<std::pair<int, int>> edges, int lowerCount)
{
    // Sorted by upper end, two edges cross when their lower ends are inverted: count inversions
    // with a Fenwick tree over the lower positions.
    std::sort(edges.begin(), edges.end());
    std::vector<int> tree(static_cast<size_t>(lowerCount) + 1, 0);
    qint64 crossings = 0;
    qint64 seen = 0;
    for (const auto &edge : edges) {
        qint64 notAfter = 0;
        for (int i = edge.second + 1; i > 0; i -= i & -i)
            notAfter += tree[i];
        crossings += seen - notAfter;
        for (int i = edge.second + 1; i <= lowerCount; i += i & -i)
            ++tree[i];
        ++seen;
    }
    return crossings;
}

LineageLayout::Result LineageLayout::run(const std::vector<QSizeF> &sizes, const std::vector<std::pair<int, int>> &edges,
                                         const std::vector<double> &weights) const
{
    const int n = static_cast<int>(sizes.size());
    Result result;
    result.paths.resize(edges.size());
    if (n == 0)
        return result;

    std::vector<std::pair<int, int>> valid;
    std::vector<int> validIndex(edges.size(), -1);
    for (size_t e = 0; e < edges.size(); ++e) {
        const auto [from, to] = edges[e];
        if (from < 0 || to < 0 || from >= n || to >= n || from == to)
            continue;
        validIndex[e] = static_cast<int>(valid.size());
        valid.push_back(edges[e]);
    }
    const std::vector<bool> reversed = backEdges(n, valid);
    std::vector<std::pair<int, int>> dag = valid;
    for (size_t e = 0; e < dag.size(); ++e) {
        if (reversed[e])
            std::swap(dag[e].first, dag[e].second);
    }

    LayeredGraph g;
    const std::vector<int> layers = assignLayers(n, dag);
    for (int v = 0; v < n; ++v)
        g.addNode(layers[v]);
    std::vector<int> original(dag.size());
    for (size_t e = 0; e < edges.size(); ++e) {
        if (validIndex[e] >= 0)
            original[size_t(validIndex[e])] = int(e);
    }
    const auto weightOf = [&](size_t d) {
        const size_t e = size_t(original[d]);
        return e < weights.size() ? std::max(0.0, weights[e]) : 1.0;
    };
    std::vector<std::vector<int>> chains(dag.size());  // per DAG edge: the nodes it passes through
    for (size_t e = 0; e < dag.size(); ++e) {
        const auto [from, to] = dag[e];
        chains[e].push_back(from);
        int previous = from;
        for (int l = g.layer[from] + 1; l < g.layer[to]; ++l) {
            const int dummy = g.addNode(l);
            g.link(previous, dummy, weightOf(e));
            chains[e].push_back(dummy);
            previous = dummy;
        }
        g.link(previous, to, weightOf(e));
        chains[e].push_back(to);
    }
    const int layerCount = *std::max_element(layers.begin(), layers.end()) + 1;
    g.rows.resize(layerCount);
    g.position.assign(g.layer.size(), 0);
    initialOrder(g, n);

    // Barycentre sweeps, keeping the best ordering seen.
    qint64 best = totalCrossings(g);
    std::vector<std::vector<int>> bestRows = g.rows;
    for (int sweep = 0; sweep < m_options.sweeps && best > 0; ++sweep) {
        for (int row = 1; row < layerCount; ++row)
            sortByBarycentre(g, row, true);
        for (int row = layerCount - 2; row >= 0; --row)
            sortByBarycentre(g, row, false);
        const qint64 crossings = totalCrossings(g);
        if (crossings < best) {
            best = crossings;
            bestRows = g.rows;
        }
    }
    g.rows = bestRows;
    for (int row = 0; row < layerCount; ++row)
        g.renumber(row);
    result.crossings = static_cast<int>(std::min<qint64>(best, std::numeric_limits<int>::max()));

    // y: stack each row, then centre every node on its neighbours, alternately from the right
    // and from the left, ending from the right so that parents sit centred on their children.
    const size_t total = g.layer.size();
    std::vector<double> height(total, 0), weight(total, 1), y(total, 0), desired(total, 0);
    for (int v = 0; v < n; ++v)
        height[v] = sizes[v].height();
    for (size_t v = n; v < total; ++v)
        weight[v] = 2;  // dummies: keep long edges straight
    std::vector<std::vector<double>> gaps(layerCount);
    for (int row = 0; row < layerCount; ++row) {
        const std::vector<int> &nodes = g.rows[row];
        gaps[row].resize(nodes.size(), 0);
        double cursor = 0;
        for (size_t i = 0; i < nodes.size(); ++i) {
            if (i + 1 < nodes.size()) {
                const bool dummyPair = nodes[i] >= n && nodes[i + 1] >= n;
                gaps[row][i] = (height[nodes[i]] + height[nodes[i + 1]]) / 2 + (dummyPair ? m_options.nodeGap / 2 : m_options.nodeGap);
            }
            y[nodes[i]] = cursor;
            cursor += gaps[row][i];
        }
    }
    const auto relax = [&](int row, bool usePredecessors) {
        for (const int v : g.rows[row]) {
            if (!g.meanOfNeighbours(v, usePredecessors, [&y](int u) { return y[u]; }, desired[v]))
                desired[v] = y[v];
        }
        placeRow(g.rows[row], desired, weight, gaps[row], y);
    };
    for (int pass = 0; pass < 3; ++pass) {
        const bool fromRight = pass % 2 == 0;
        if (fromRight) {
            for (int row = layerCount - 2; row >= 0; --row)
                relax(row, false);
        } else {
            for (int row = 1; row < layerCount; ++row)
                relax(row, true);
        }
    }

    // x: each layer as wide as its widest node.
    std::vector<double> layerWidth(layerCount, 0), layerLeft(layerCount, 0);
    for (int v = 0; v < n; ++v)
        layerWidth[g.layer[v]] = std::max(layerWidth[g.layer[v]], sizes[v].width());
    for (int row = 1; row < layerCount; ++row)
        layerLeft[row] = layerLeft[row - 1] + layerWidth[row - 1] + m_options.layerGap;

    result.centers.resize(n);
    result.layers.assign(layers.begin(), layers.end());
    for (int v = 0; v < n; ++v) {
        result.centers[v] = QPointF(layerLeft[g.layer[v]] + layerWidth[g.layer[v]] / 2, y[v]);
        const QRectF box(result.centers[v] - QPointF(sizes[v].width() / 2, sizes[v].height() / 2), sizes[v]);
        result.bounds = v == 0 ? box : result.bounds.united(box);
    }
    const auto center = [&](int v) {
        return v < n ? result.centers[v] : QPointF(layerLeft[g.layer[v]] + layerWidth[g.layer[v]] / 2, y[v]);
    };
    for (size_t e = 0; e < edges.size(); ++e) {
        const int d = validIndex[e];
        if (d < 0)
            continue;
        const std::vector<int> &chain = chains[d];
        QList<QPointF> path;
        path.reserve(static_cast<qsizetype>(chain.size()));
        path.append(center(chain.front()) + QPointF(sizes[chain.front()].width() / 2, 0));
        for (size_t i = 1; i + 1 < chain.size(); ++i)
            path.append(center(chain[i]));
        path.append(center(chain.back()) - QPointF(sizes[chain.back()].width() / 2, 0));
        if (reversed[d])
            std::reverse(path.begin(), path.end());
        result.paths[e] = std::move(path);
    }
    return result;
}

} // namespace mandate::ui
