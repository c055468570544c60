// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "crypto/SecretHasher.h"
#include "store/Database.h"

#include <QByteArray>
#include <QHash>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

class QSqlQuery;
class QThread;

namespace mandate::broker {

/// OAuth clients of the broker: one per agent (client_id = agent id), authenticated with a
/// client secret. Secrets are stored only as scrypt hashes (crypto::SecretHasher, random salt)
/// and checked in constant time.
///
/// Why a cache: scrypt costs about 0.1 s and 32 MiB per check by design, and an agent presents
/// the same secret on every token request, so without it the token endpoint would be limited
/// to ~10 exchanges/s per core and easy to exhaust. A successful check is remembered for
/// kCacheTtlSecs under SHA-256(client id, secret, stored hash): the cache holds no secret, and
/// because the stored hash is part of the key, a rotated or deleted secret (on any gateway
/// sharing the database) stops matching as soon as the stored hash is read again. Failures are
/// never cached. Bounded in size.
///
/// The stored hash itself is kept for kStoredHashMaxAgeSecs: reading it was the largest cost of
/// an authentication after the cache above. setSecret() and remove() through this store drop it
/// at once; a secret rotated or a client removed through another gateway sharing the database
/// stops working here within kStoredHashMaxAgeSecs, the bound CachedRegistry has for an agent
/// suspended elsewhere. Unknown clients are not remembered (a new client works at once); their
/// secrets are checked against a decoy hash, at the same cost as a known client's.
///
/// A secret not in the cache costs a slow KDF run (about 0.1 s and 32 MiB with the default
/// parameters): anyone can ask for that with a made-up secret. So at most
/// VerificationLimit::concurrent such runs go at once; a request that finds them all busy for
/// VerificationLimit::waitMs is answered temporarily_unavailable instead of queueing, and the
/// threads serving requests whose secret is cached never wait behind a flood of wrong ones.
class OAuthClientStore
{
public:
    static constexpr qint64 kCacheTtlSecs = 300;
    static constexpr qsizetype kCacheCapacity = 4096;
    static constexpr qint64 kStoredHashMaxAgeSecs = 5;

    struct VerificationLimit
    {
        int concurrent = 2;  ///< slow KDF runs at once (by default this machine's cores)
        int waitMs = 250;    ///< for a free one, before answering temporarily_unavailable
    };

    OAuthClientStore(const store::Database &database, const Clock &clock,
                     crypto::SecretHasher::Params params = crypto::SecretHasher::Params{});
    ~OAuthClientStore();
    Q_DISABLE_COPY_MOVE(OAuthClientStore)

    /// Creates the client or replaces its secret with a new random one; returns the secret,
    /// the only time it is available in clear.
    Result<QString> issueSecret(const QString &clientId);
    /// Sets a known secret (import, tests).
    Status setSecret(const QString &clientId, QByteArrayView secret);
    Status remove(const QString &clientId);
    Result<bool> exists(const QString &clientId) const;

    /// Ok when the secret is the client's; error code "invalid_client" otherwise (unknown
    /// client or wrong secret alike, with the same message), "temporarily_unavailable" when the
    /// secret would need a KDF run and none can start now (see VerificationLimit).
    Status authenticate(const QString &clientId, QByteArrayView secret) const;
    void setVerificationLimit(VerificationLimit limit);

    void clearCache() const;
    qsizetype cacheSize() const;

private:
    Result<QString> storedHash(const QString &clientId) const;
    /// storedHash() through the cache of recently read hashes.
    Result<QString> recentStoredHash(const QString &clientId) const;
    /// A hash of a random secret, made once with this store's parameters.
    Result<QString> decoyHash() const;
    void forgetStoredHash(const QString &clientId);

    const store::Database &m_db;
    const Clock &m_clock;
    crypto::SecretHasher::Params m_params;
    mutable std::mutex m_mutex;
    mutable QHash<QByteArray, qint64> m_verified;   ///< key hash → valid until (epoch seconds)
    mutable std::deque<QByteArray> m_order;         ///< insertion order, for eviction
    struct StoredHash
    {
        QString hash;
        qint64 loadedAt = 0;
    };
    mutable QHash<QString, StoredHash> m_storedHashes;  ///< client id → hash read at loadedAt
    mutable quint64 m_storedHashGeneration = 0;  ///< bumped by changes: older reads are not kept
    // The stored hash is read on every token request (so that a secret rotated on another
    // gateway stops working at once); its statement stays prepared, one per thread, as each
    // thread has its own connection. Parsing the SQL costs more than running it.
    mutable std::mutex m_lookupMutex;
    mutable std::unordered_map<QThread *, std::unique_ptr<QSqlQuery>> m_lookups;
    /// Slow KDF runs in progress, at most m_limit.concurrent.
    mutable std::mutex m_runsMutex;
    mutable std::condition_variable m_runsFreed;
    mutable int m_runs = 0;
    VerificationLimit m_limit;
    mutable std::mutex m_decoyMutex;
    mutable QString m_decoyHash;  ///< what an unknown client's secret is checked against
    mutable quint64 m_busyRefusals = 0;  ///< since m_busyLoggedAt; under m_runsMutex
    mutable qint64 m_busyLoggedAt = 0;
};

} // namespace mandate::broker
