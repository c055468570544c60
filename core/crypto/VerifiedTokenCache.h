// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "json/ObjectText.h"

#include <QJsonObject>
#include <QString>

#include <array>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace mandate::crypto {

/// A token that passed signature and claims checks.
struct VerifiedToken
{
    QJsonObject header;
    /// Read on demand rather than built as a tree (claims.toObject() builds one): a verifier
    /// needs only a few of them, and cached tokens hold their text, not a tree.
    json::ObjectText claims;
    QString kid;
    QString handle;  ///< from ClaimsPolicy::handleOf, when the verifier's policy has one
    qint64 acceptedUntil = 0; ///< seconds since the epoch: exp + clock skew
};

/// Bounded cache of verified tokens, keyed by SHA-256 of the token bytes, each entry expiring
/// when its token would no longer be accepted. Owned by one TokenVerifier: a result is only
/// valid for the policy and keys that produced it. Thread-safe.
class VerifiedTokenCache
{
public:
    using Key = std::array<unsigned char, 32>;

    explicit VerifiedTokenCache(size_t capacity = 10'000);

    /// The cached token when present and still accepted at `now`.
    std::shared_ptr<const VerifiedToken> find(const Key &key, qint64 now);
    void insert(const Key &key, std::shared_ptr<const VerifiedToken> token);
    void clear();
    size_t size() const;
    size_t capacity() const { return m_capacity; }

private:
    struct KeyHash
    {
        size_t operator()(const Key &k) const;
    };

    size_t m_capacity;
    mutable std::mutex m_mutex;
    std::unordered_map<Key, std::shared_ptr<const VerifiedToken>, KeyHash> m_entries;
    std::deque<Key> m_order; ///< insertion order, for eviction when full
};

} // namespace mandate::crypto
