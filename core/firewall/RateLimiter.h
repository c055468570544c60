// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"

#include <QHash>
#include <QString>

#include <mutex>

namespace mandate::firewall {

/// Token buckets keyed by name ("execution:<id>", "tool:<id>"): each holds up to `perMinute`
/// tokens and refills continuously. Thread-safe; buckets idle for ten minutes are dropped so
/// that the table cannot grow without bound.
class RateLimiter
{
public:
    explicit RateLimiter(const Clock &clock) : m_clock(clock) {}

    /// Takes one token from every named bucket, or none at all if any is empty; then, when
    /// `retryAfterMs` is given, sets it to the time until every bucket holds a token again.
    bool tryAcquire(std::initializer_list<std::pair<QString, int>> buckets, qint64 *retryAfterMs = nullptr);

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 lastMs = 0;
    };
    double refill(Bucket &bucket, int perMinute, qint64 nowMs) const;
    void sweep(qint64 nowMs);

    const Clock &m_clock;
    std::mutex m_mutex;
    QHash<QString, Bucket> m_buckets;
    qint64 m_lastSweepMs = 0;
};

} // namespace mandate::firewall
