// SPDX-License-Identifier: Apache-2.0
#include "api/Metrics.h"

namespace mandate::api {

void Metrics::countRequest(int status)
{
    const int klass = status >= 100 && status < 600 ? status / 100 - 1 : 5;
    m_requestsByClass[static_cast<size_t>(klass)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::countDecision(bool allowed, qint64 latencyUs)
{
    (allowed ? m_allowed : m_denied).fetch_add(1, std::memory_order_relaxed);
    const double seconds = static_cast<double>(latencyUs) / 1e6;
    for (size_t i = 0; i < BucketsSeconds.size(); ++i) {
        if (seconds <= BucketsSeconds[i]) {
            m_latencyBuckets[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    m_latencyCount.fetch_add(1, std::memory_order_relaxed);
    m_latencySumUs.fetch_add(static_cast<quint64>(std::max<qint64>(0, latencyUs)), std::memory_order_relaxed);
}

QByteArray Metrics::render() const
{
    QByteArray out;
    out += "# HELP mandate_http_requests_total HTTP requests answered, by status class.\n"
           "# TYPE mandate_http_requests_total counter\n";
    const char *classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
    for (size_t i = 0; i < m_requestsByClass.size(); ++i)
        out += "mandate_http_requests_total{code=\"" + QByteArray(classes[i]) + "\"} " + QByteArray::number(m_requestsByClass[i].load()) + '\n';
    out += "# HELP mandate_decisions_total Authorization decisions, by outcome.\n"
           "# TYPE mandate_decisions_total counter\n"
           "mandate_decisions_total{decision=\"allow\"} " + QByteArray::number(m_allowed.load()) + "\n"
           "mandate_decisions_total{decision=\"deny\"} " + QByteArray::number(m_denied.load()) + '\n';
    out += "# HELP mandate_decision_latency_seconds Time to decide one call, audit record included.\n"
           "# TYPE mandate_decision_latency_seconds histogram\n";
    quint64 cumulative = 0;
    for (size_t i = 0; i < BucketsSeconds.size(); ++i) {
        cumulative += m_latencyBuckets[i].load();
        out += "mandate_decision_latency_seconds_bucket{le=\"" + QByteArray::number(BucketsSeconds[i]) + "\"} " + QByteArray::number(cumulative) + '\n';
    }
    out += "mandate_decision_latency_seconds_bucket{le=\"+Inf\"} " + QByteArray::number(m_latencyCount.load()) + '\n';
    out += "mandate_decision_latency_seconds_sum " + QByteArray::number(static_cast<double>(m_latencySumUs.load()) / 1e6, 'f', 6) + '\n';
    out += "mandate_decision_latency_seconds_count " + QByteArray::number(m_latencyCount.load()) + '\n';
    if (m_activeExecutions) {
        out += "# HELP mandate_active_executions Executions currently active.\n"
               "# TYPE mandate_active_executions gauge\n"
               "mandate_active_executions " + QByteArray::number(m_activeExecutions()) + '\n';
    }
    for (const auto &source : m_sources)
        out += source();
    return out;
}

} // namespace mandate::api
