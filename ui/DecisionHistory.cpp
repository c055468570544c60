// SPDX-License-Identifier: Apache-2.0
#include "DecisionHistory.h"

#include <algorithm>

namespace mandate::ui {

namespace {

constexpr std::size_t MaxSamples = 2048;

} // namespace

DecisionHistory::DecisionHistory(int capacitySeconds)
    : m_bins(static_cast<std::size_t>(std::max(capacitySeconds, 2)))
{
    m_samples.reserve(MaxSamples);
    m_scratch.reserve(MaxSamples);
}

void DecisionHistory::clear()
{
    std::fill(m_bins.begin(), m_bins.end(), Bin{});
    m_samples.clear();
    m_current = -1;
    m_seenThisSecond = 0;
    m_total = 0;
}

void DecisionHistory::record(qint64 second, bool allowed, qint64 latencyUs, double risk)
{
    if (second < m_current)
        second = m_current;  // late events count in the open second rather than rewriting history
    advanceTo(second);
    Bin &bin = m_bins[static_cast<std::size_t>(second % capacity())];
    if (bin.second != second)
        bin = Bin{second};
    (allowed ? bin.allowed : bin.denied) += 1;
    bin.riskMax = std::max(bin.riskMax, risk);
    ++m_total;
    ++m_seenThisSecond;
    if (m_samples.size() < MaxSamples) {
        m_samples.push_back(latencyUs);
    } else {
        // Reservoir sampling keeps the percentile estimate fair at any rate, in bounded memory.
        m_rng ^= m_rng << 13;
        m_rng ^= m_rng >> 17;
        m_rng ^= m_rng << 5;
        const qint64 slot = static_cast<qint64>(m_rng % static_cast<quint64>(m_seenThisSecond));
        if (slot < static_cast<qint64>(MaxSamples))
            m_samples[static_cast<std::size_t>(slot)] = latencyUs;
    }
}

void DecisionHistory::advanceTo(qint64 second)
{
    if (second <= m_current)
        return;
    closeCurrent();
    m_current = second;
    m_seenThisSecond = 0;
    m_samples.clear();
}

void DecisionHistory::percentiles(double &p50, double &p99)
{
    p50 = p99 = 0;
    if (m_samples.empty())
        return;
    m_scratch.assign(m_samples.begin(), m_samples.end());
    const auto at = [this](double q) {
        const auto k = static_cast<std::size_t>(q * static_cast<double>(m_scratch.size() - 1));
        std::nth_element(m_scratch.begin(), m_scratch.begin() + static_cast<std::ptrdiff_t>(k), m_scratch.end());
        return static_cast<double>(m_scratch[k]) / 1000.0;
    };
    p50 = at(0.50);
    p99 = at(0.99);
}

void DecisionHistory::closeCurrent()
{
    if (m_current < 0)
        return;
    Bin &bin = m_bins[static_cast<std::size_t>(m_current % capacity())];
    if (bin.second == m_current)
        percentiles(bin.p50Ms, bin.p99Ms);
}

void DecisionHistory::fill(qint64 now, int seconds, Points &points)
{
    seconds = std::clamp(seconds, 1, capacity() - 1);
    double openP50 = 0, openP99 = 0;
    percentiles(openP50, openP99);
    for (QList<QPointF> *list : {&points.allowed, &points.denied, &points.p50, &points.p99, &points.risk}) {
        list->resize(seconds + 1);
    }
    points.maxRate = 0;
    points.maxLatencyMs = 0;
    for (int i = 0; i <= seconds; ++i) {
        const qint64 second = now - seconds + i;
        const double x = static_cast<double>(i - seconds);
        const Bin &stored = m_bins[static_cast<std::size_t>(((second % capacity()) + capacity()) % capacity())];
        const bool valid = stored.second == second;
        const double allowed = valid ? stored.allowed : 0;
        const double denied = valid ? stored.denied : 0;
        double p50 = valid ? stored.p50Ms : 0;
        double p99 = valid ? stored.p99Ms : 0;
        if (valid && second == m_current) {
            p50 = openP50;
            p99 = openP99;
        }
        const auto idx = static_cast<qsizetype>(i);
        points.allowed[idx] = QPointF(x, allowed);
        points.denied[idx] = QPointF(x, denied);
        points.p50[idx] = QPointF(x, p50);
        points.p99[idx] = QPointF(x, p99);
        points.risk[idx] = QPointF(x, valid ? stored.riskMax : 0);
        points.maxRate = std::max({points.maxRate, allowed, denied});
        points.maxLatencyMs = std::max(points.maxLatencyMs, p99);
    }
}

} // namespace mandate::ui
