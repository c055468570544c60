// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

#include <array>
#include <atomic>
#include <functional>
#include <vector>

namespace mandate::api {

/// The gateway's Prometheus metrics: requests, decisions by outcome, decision latency as a
/// histogram, and active executions. Lock-free counters; safe from any thread.
class Metrics
{
public:
    void countRequest(int status);
    void countDecision(bool allowed, qint64 latencyUs);
    /// Read when scraped, e.g. the execution store's count of active executions.
    void setActiveExecutionsSource(std::function<qint64()> source) { m_activeExecutions = std::move(source); }
    /// More metrics, already in the exposition format, appended when scraped (set up before serving).
    void addSource(std::function<QByteArray()> source) { m_sources.push_back(std::move(source)); }

    /// Prometheus text exposition format, version 0.0.4.
    QByteArray render() const;

    static constexpr std::array<double, 12> BucketsSeconds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                           0.01, 0.025, 0.05, 0.1, 0.25, 1.0};

private:
    std::array<std::atomic<quint64>, 6> m_requestsByClass{};  ///< 1xx..5xx, other
    std::atomic<quint64> m_allowed{0};
    std::atomic<quint64> m_denied{0};
    std::array<std::atomic<quint64>, BucketsSeconds.size()> m_latencyBuckets{};
    std::atomic<quint64> m_latencyCount{0};
    std::atomic<quint64> m_latencySumUs{0};
    std::function<qint64()> m_activeExecutions;
    std::vector<std::function<QByteArray()>> m_sources;
};

} // namespace mandate::api
