// SPDX-License-Identifier: Apache-2.0
#include "broker/OAuthClientStore.h"

#include "broker/OAuthError.h"
#include "common/Logging.h"
#include "crypto/Random.h"
#include "crypto/Sha256.h"

#include <QScopeGuard>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <array>
#include <charconv>

namespace mandate::broker {

namespace {

Error badCredentials(const QString &clientId)
{
    return OAuthError::invalidClient(QStringLiteral("client authentication failed for client %1").arg(clientId));
}

QByteArray cacheKey(const QString &clientId, QByteArrayView secret, const QString &hash)
{
    // Length-prefixed fields, so that no two (id, secret, hash) triples share an encoding. Hashed
    // piece by piece on this thread's context: the secret is never copied into a buffer.
    thread_local crypto::Sha256::Hasher hasher;
    const QByteArray id = clientId.toUtf8();
    const QByteArray stored = hash.toLatin1();
    for (QByteArrayView part : {QByteArrayView(id), secret, QByteArrayView(stored)}) {
        char length[24];
        const auto end = std::to_chars(length, length + sizeof length - 1, part.size()).ptr;
        *end = ':';
        hasher.add(QByteArrayView(length, end + 1 - length));
        hasher.add(part);
    }
    std::array<unsigned char, crypto::Sha256::kSize> digest;
    hasher.finish(digest);
    return QByteArray(reinterpret_cast<const char *>(digest.data()), qsizetype(digest.size()));
}

} // namespace

OAuthClientStore::OAuthClientStore(const store::Database &database, const Clock &clock, crypto::SecretHasher::Params params)
    : m_db(database), m_clock(clock), m_params(params)
{
    m_limit.concurrent = std::max(1, QThread::idealThreadCount());
}

OAuthClientStore::~OAuthClientStore() = default;

Result<QString> OAuthClientStore::issueSecret(const QString &clientId)
{
    auto random = crypto::Random::token(32);
    if (!random)
        return random.error();
    const QString secret = QStringLiteral("mcs_") + random.value();
    if (Status set = setSecret(clientId, secret.toLatin1()); !set)
        return set.error();
    return secret;
}

Status OAuthClientStore::setSecret(const QString &clientId, QByteArrayView secret)
{
    if (clientId.isEmpty() || secret.size() < 16)
        return Error{QStringLiteral("invalid"), QStringLiteral("a client needs an id and a secret of at least 16 bytes")};
    auto hash = crypto::SecretHasher::hash(secret, m_params);
    if (!hash)
        return hash.error();
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("INSERT INTO oauth_clients (client_id, secret_hash, created_at) VALUES (:id, :hash, :now) "
                                 "ON CONFLICT(client_id) DO UPDATE SET secret_hash = excluded.secret_hash, "
                                 "created_at = excluded.created_at"));
    query.bindValue(QStringLiteral(":id"), clientId);
    query.bindValue(QStringLiteral(":hash"), hash.value());
    query.bindValue(QStringLiteral(":now"), m_clock.nowSecs());
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot store client %1").arg(clientId), query);
    forgetStoredHash(clientId);
    qCInfo(lcBroker) << "client secret set for" << clientId;
    return Status::success();
}

Status OAuthClientStore::remove(const QString &clientId)
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("DELETE FROM oauth_clients WHERE client_id = :id"));
    query.bindValue(QStringLiteral(":id"), clientId);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot delete client %1").arg(clientId), query);
    forgetStoredHash(clientId);
    return Status::success();
}

void OAuthClientStore::forgetStoredHash(const QString &clientId)
{
    std::lock_guard lock(m_mutex);
    ++m_storedHashGeneration;
    m_storedHashes.remove(clientId);
}

Result<QString> OAuthClientStore::recentStoredHash(const QString &clientId) const
{
    const qint64 now = m_clock.nowSecs();
    quint64 generation = 0;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_storedHashes.constFind(clientId);
        if (it != m_storedHashes.constEnd() && now - it->loadedAt < kStoredHashMaxAgeSecs && now >= it->loadedAt)
            return it->hash;
        generation = m_storedHashGeneration;
    }
    auto hash = storedHash(clientId);
    if (!hash || hash->isEmpty())
        return hash;
    std::lock_guard lock(m_mutex);
    // A change made while we read must not be hidden behind what we read before it.
    if (generation == m_storedHashGeneration) {
        if (m_storedHashes.size() >= kCacheCapacity)
            m_storedHashes.clear();
        m_storedHashes.insert(clientId, StoredHash{hash.value(), now});
    }
    return hash;
}

Result<QString> OAuthClientStore::storedHash(const QString &clientId) const
{
    QSqlQuery *query = nullptr;
    {
        std::lock_guard lock(m_lookupMutex);
        std::unique_ptr<QSqlQuery> &slot = m_lookups[QThread::currentThread()];
        if (!slot) {
            slot = std::make_unique<QSqlQuery>(m_db.connection());
            slot->setForwardOnly(true);
            slot->prepare(QStringLiteral("SELECT secret_hash FROM oauth_clients WHERE client_id = :id"));
        }
        query = slot.get();
    }
    query->bindValue(QStringLiteral(":id"), clientId);
    if (!query->exec()) {
        const Error error = store::Database::sqlError(QStringLiteral("cannot read client %1").arg(clientId), *query);
        std::lock_guard lock(m_lookupMutex);
        m_lookups.erase(QThread::currentThread());  // prepared again next time: the store may have recovered
        return error;
    }
    const QString hash = query->next() ? query->value(0).toString() : QString();
    query->finish();  // ends the read transaction: a kept snapshot would go stale
    return hash;
}

Result<bool> OAuthClientStore::exists(const QString &clientId) const
{
    auto hash = storedHash(clientId);
    if (!hash)
        return hash.error();
    return !hash->isEmpty();
}

Status OAuthClientStore::authenticate(const QString &clientId, QByteArrayView secret) const
{
    if (clientId.isEmpty() || secret.isEmpty())
        return badCredentials(clientId);
    auto hash = recentStoredHash(clientId);
    if (!hash)
        return hash.error();
    // An unknown client is checked against a decoy hash like a known one against its own:
    // the same KDF run, limit and answer, so that timing does not tell which ids exist.
    const bool known = !hash->isEmpty();
    const QByteArray key = cacheKey(clientId, secret, hash.value());
    const qint64 now = m_clock.nowSecs();
    if (known) {
        // The lookup compares SHA-256 digests, not secrets: its timing tells a caller nothing it
        // could steer towards a secret (it cannot choose digest bytes). The secret itself is only
        // ever compared by SecretHasher::verify, in constant time.
        std::lock_guard lock(m_mutex);
        const auto it = m_verified.constFind(key);
        if (it != m_verified.constEnd() && now < it.value())
            return Status::success();
    }
    {
        std::unique_lock runs(m_runsMutex);
        if (!m_runsFreed.wait_for(runs, std::chrono::milliseconds(m_limit.waitMs), [this] { return m_runs < m_limit.concurrent; })) {
            // Logged at most every ten seconds: a flood must not fill the log as well.
            ++m_busyRefusals;
            if (const qint64 now = m_clock.nowSecs(); now - m_busyLoggedAt >= 10) {
                qCWarning(lcBroker) << m_busyRefusals << "client authentications refused since the last report: every secret check was busy";
                m_busyLoggedAt = now;
                m_busyRefusals = 0;
            }
            return OAuthError::temporarilyUnavailable(QStringLiteral("too many client authentications at once; try again shortly"));
        }
        ++m_runs;
    }
    const auto freeRun = qScopeGuard([this] {
        {
            const std::lock_guard runs(m_runsMutex);
            --m_runs;
        }
        m_runsFreed.notify_one();
    });
    if (!known) {
        // Made (once) within the run limit: a flood of unknown ids cannot queue behind it.
        auto decoy = decoyHash();
        if (!decoy)
            return decoy.error();
        hash = std::move(decoy);
    }
    if (Status verified = crypto::SecretHasher::verify(secret, hash.value()); !verified || !known) {
        if (!verified && verified.error().code != QLatin1String("secret_mismatch"))
            qCWarning(lcBroker) << "stored secret of client" << clientId << "is unusable:" << verified.error().message;
        return badCredentials(clientId);
    }
    std::lock_guard lock(m_mutex);
    if (!m_verified.contains(key)) {
        while (m_order.size() >= size_t(kCacheCapacity)) {
            m_verified.remove(m_order.front());
            m_order.pop_front();
        }
        m_order.push_back(key);
    }
    m_verified.insert(key, now + kCacheTtlSecs);
    return Status::success();
}

Result<QString> OAuthClientStore::decoyHash() const
{
    std::lock_guard lock(m_decoyMutex);
    if (m_decoyHash.isEmpty()) {
        // Of a random secret nobody knows, with this store's parameters (so it costs the same).
        auto secret = crypto::Random::bytes(32);
        if (!secret)
            return secret.error();
        auto hash = crypto::SecretHasher::hash(secret.value(), m_params);
        if (!hash)
            return hash.error();
        m_decoyHash = std::move(hash).value();
    }
    return m_decoyHash;
}

void OAuthClientStore::setVerificationLimit(VerificationLimit limit)
{
    const std::lock_guard runs(m_runsMutex);
    m_limit = {std::max(1, limit.concurrent), std::max(0, limit.waitMs)};
}

void OAuthClientStore::clearCache() const
{
    std::lock_guard lock(m_mutex);
    m_verified.clear();
    m_order.clear();
    ++m_storedHashGeneration;
    m_storedHashes.clear();
}

qsizetype OAuthClientStore::cacheSize() const
{
    std::lock_guard lock(m_mutex);
    return m_verified.size();
}

} // namespace mandate::broker
