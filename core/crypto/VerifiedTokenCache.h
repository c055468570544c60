// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace mandate::crypto {

/// A token that passed signature and claims checks.
struct VerifiedToken
{
    QJsonObject header;
    QJsonObject claims;
    QString kid;
    qint64 acceptedUntil = 0; ///< seconds since the epoch: exp + clock skew
};

/// Bounded cache of verified tokens, each entry expiring when its token would no longer be
/// accepted. Owned by one TokenVerifier: a result is only valid for the policy and keys that
/// produced it. Thread-safe.
///
/// Keyed by the whole token, compared byte for byte (in constant time), so an entry is only
/// ever found by the very token that produced it, with no reliance on a digest's collision
/// resistance; and no digest is computed, which on a miss would cost more than the lookup.
/// Buckets come from a seeded hash of the token's last bytes only: only verified tokens are
/// stored, and those bytes are part of their signature, which nobody can aim without the
/// signing key.
class VerifiedTokenCache
{
public:
    /// Bytes at the end of a token that choose its bucket.
    static constexpr qsizetype kHashedTailBytes = 16;

    explicit VerifiedTokenCache(size_t capacity = 10'000);

    /// The cached result for exactly `token` when present and still accepted at `now`.
    std::shared_ptr<const VerifiedToken> find(QByteArrayView token, qint64 now);
    /// `token` is kept, implicitly shared: pass the copy the verification already made (one that
    /// owns its bytes, never QByteArray::fromRawData).
    void insert(const QByteArray &token, std::shared_ptr<const VerifiedToken> verified);
    void clear();
    size_t size() const;
    size_t capacity() const { return m_capacity; }

private:
    // Transparent, so that find() looks up a view of the caller's bytes without copying them.
    struct TokenHash
    {
        using is_transparent = void;
        size_t operator()(QByteArrayView token) const;
    };
    struct TokenEqual
    {
        using is_transparent = void;
        bool operator()(QByteArrayView a, QByteArrayView b) const;
    };

    size_t m_capacity;
    mutable std::mutex m_mutex;
    std::unordered_map<QByteArray, std::shared_ptr<const VerifiedToken>, TokenHash, TokenEqual> m_entries;
    std::deque<QByteArray> m_order; ///< insertion order, for eviction when full (shares the keys' bytes)
};

} // namespace mandate::crypto
