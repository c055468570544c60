// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QPointF>

#include <vector>

namespace mandate::ui {

/// Per-second totals of the decision stream in a fixed ring of bins (no growth however fast events
/// come): allowed and denied counts, latency p50/p99 from a bounded sample, and the highest risk.
/// The monitor fills preallocated point lists from it on a timer for QXYSeries::replace().
class DecisionHistory final
{
public:
    explicit DecisionHistory(int capacitySeconds = 900);

    int capacity() const { return static_cast<int>(m_bins.size()); }
    void record(qint64 second, bool allowed, qint64 latencyUs, double risk);
    /// Closes every bin before `second` (called on each timer tick, so quiet seconds become zeros).
    void advanceTo(qint64 second);
    qint64 total() const { return m_total; }
    /// Forgets everything (another gateway's stream starts).
    void clear();

    struct Points
    {
        QList<QPointF> allowed, denied, p50, p99, risk;
        double maxRate = 0;
        double maxLatencyMs = 0;
    };
    /// The last `seconds` seconds up to `now`, x in seconds relative to now (-seconds … 0).
    /// Reuses the lists' storage.
    void fill(qint64 now, int seconds, Points &points);

private:
    struct Bin
    {
        qint64 second = -1;
        int allowed = 0;
        int denied = 0;
        double p50Ms = 0;
        double p99Ms = 0;
        double riskMax = 0;
    };
    void closeCurrent();
    void percentiles(double &p50, double &p99);

    std::vector<Bin> m_bins;
    std::vector<qint64> m_samples;  // latencies of the open second (reservoir-capped)
    std::vector<qint64> m_scratch;
    qint64 m_current = -1;
    qint64 m_seenThisSecond = 0;
    qint64 m_total = 0;
    quint32 m_rng = 2463534242u;
};

} // namespace mandate::ui
