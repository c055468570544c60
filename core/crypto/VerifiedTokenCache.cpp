// SPDX-License-Identifier: Apache-2.0
#include "crypto/VerifiedTokenCache.h"

#include "crypto/ConstantTime.h"

#include <QHashFunctions>

#include <algorithm>

namespace mandate::crypto {

size_t VerifiedTokenCache::TokenHash::operator()(QByteArrayView token) const
{
    // Seeded per process, so even the bucket of a token cannot be predicted from outside.
    return qHash(token.last(std::min(token.size(), kHashedTailBytes)), QHashSeed::globalSeed());
}

bool VerifiedTokenCache::TokenEqual::operator()(QByteArrayView a, QByteArrayView b) const
{
    // Constant time: a probe's timing must not tell how much of a cached token it got right.
    // The same bytes in memory (eviction erasing by the key's own shared copy) need no look.
    return (a.data() == b.data() && a.size() == b.size()) || ConstantTime::equal(a, b);
}

VerifiedTokenCache::VerifiedTokenCache(size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity)
{
    m_entries.reserve(m_capacity);
}

std::shared_ptr<const VerifiedToken> VerifiedTokenCache::find(QByteArrayView token, qint64 now)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(token);
    if (it == m_entries.end())
        return nullptr;
    if (now >= it->second->acceptedUntil) {
        m_entries.erase(it); // its slot in m_order is skipped when it reaches the front
        return nullptr;
    }
    return it->second;
}

void VerifiedTokenCache::insert(const QByteArray &token, std::shared_ptr<const VerifiedToken> verified)
{
    std::lock_guard lock(m_mutex);
    if (m_entries.find(token) != m_entries.end())
        return;
    // Evict oldest first. m_order may name keys already erased on expiry; those are just dropped.
    while (m_entries.size() >= m_capacity && !m_order.empty()) {
        m_entries.erase(m_order.front());
        m_order.pop_front();
    }
    // Keep m_order bounded too when expiries erased entries behind its back.
    if (m_order.size() >= 2 * m_capacity) {
        std::deque<QByteArray> live;
        for (const QByteArray &k : m_order) {
            if (m_entries.find(k) != m_entries.end())
                live.push_back(k);
        }
        m_order.swap(live);
    }
    m_entries.emplace(token, std::move(verified));
    m_order.push_back(token);
}

void VerifiedTokenCache::clear()
{
    std::lock_guard lock(m_mutex);
    m_entries.clear();
    m_order.clear();
}

size_t VerifiedTokenCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

} // namespace mandate::crypto
