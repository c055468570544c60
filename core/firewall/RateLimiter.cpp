// SPDX-License-Identifier: Apache-2.0
#include "firewall/RateLimiter.h"

#include <algorithm>
#include <cmath>

namespace mandate::firewall {

namespace {
constexpr qint64 idleMs = 10 * 60 * 1000;
}

double RateLimiter::refill(Bucket &bucket, int perMinute, qint64 nowMs) const
{
    const double capacity = perMinute;
    // The clock is the wall clock: when it steps back, no time has passed (rather than a debt
    // that would refuse every call for as long as the step).
    const qint64 elapsedMs = std::max<qint64>(0, nowMs - bucket.lastMs);
    if (bucket.lastMs == 0)
        bucket.tokens = capacity;
    else
        bucket.tokens = std::min(capacity, bucket.tokens + elapsedMs * capacity / 60000.0);
    bucket.lastMs = nowMs;
    return bucket.tokens;
}

void RateLimiter::sweep(qint64 nowMs)
{
    if (nowMs >= m_lastSweepMs && nowMs - m_lastSweepMs < idleMs)
        return;
    m_lastSweepMs = nowMs;
    for (auto it = m_buckets.begin(); it != m_buckets.end();)
        it = nowMs - it->lastMs > idleMs ? m_buckets.erase(it) : std::next(it);
}

bool RateLimiter::tryAcquire(std::initializer_list<std::pair<QString, int>> buckets, qint64 *retryAfterMs)
{
    const qint64 nowMs = m_clock.now().toMSecsSinceEpoch();
    std::lock_guard lock(m_mutex);
    sweep(nowMs);
    qint64 waitMs = 0;
    for (const auto &[name, perMinute] : buckets) {
        const double tokens = refill(m_buckets[name], perMinute, nowMs);
        if (tokens < 1.0)  // a bucket fills at perMinute tokens a minute
            waitMs = std::max(waitMs, qint64(std::ceil((1.0 - tokens) * 60000.0 / std::max(1, perMinute))));
    }
    if (waitMs > 0) {
        if (retryAfterMs)
            *retryAfterMs = waitMs;
        return false;
    }
    for (const auto &[name, perMinute] : buckets)
        m_buckets[name].tokens -= 1.0;
    return true;
}

} // namespace mandate::firewall
