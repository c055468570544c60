// SPDX-License-Identifier: Apache-2.0
#include "crypto/VerifiedTokenCache.h"

#include <cstring>

namespace mandate::crypto {

size_t VerifiedTokenCache::KeyHash::operator()(const Key &k) const
{
    // The key is already a uniformly distributed hash.
    size_t h = 0;
    std::memcpy(&h, k.data(), sizeof h);
    return h;
}

VerifiedTokenCache::VerifiedTokenCache(size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity)
{
    m_entries.reserve(m_capacity);
}

std::shared_ptr<const VerifiedToken> VerifiedTokenCache::find(const Key &key, qint64 now)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return nullptr;
    if (now >= it->second->acceptedUntil) {
        m_entries.erase(it); // its slot in m_order is skipped when it reaches the front
        return nullptr;
    }
    return it->second;
}

void VerifiedTokenCache::insert(const Key &key, std::shared_ptr<const VerifiedToken> token)
{
    std::lock_guard lock(m_mutex);
    if (m_entries.contains(key))
        return;
    // Evict oldest first. m_order may name keys already erased on expiry; those are just dropped.
    while (m_entries.size() >= m_capacity && !m_order.empty()) {
        m_entries.erase(m_order.front());
        m_order.pop_front();
    }
    // Keep m_order bounded too when expiries erased entries behind its back.
    if (m_order.size() >= 2 * m_capacity) {
        std::deque<Key> live;
        for (const Key &k : m_order) {
            if (m_entries.contains(k))
                live.push_back(k);
        }
        m_order.swap(live);
    }
    m_entries.emplace(key, std::move(token));
    m_order.push_back(key);
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
