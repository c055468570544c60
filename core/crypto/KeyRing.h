// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "crypto/Ed25519Key.h"
#include "crypto/Jwks.h"

#include <QList>
#include <QString>

#include <atomic>
#include <chrono>
#include <shared_mutex>

namespace mandate::crypto {

/// The broker's Ed25519 signing keys. One key is current and signs; after a rotation the
/// previous keys stay published in the JWKS until their retire-after time (set by the caller to
/// at least the longest token lifetime plus clock skew), so every token still in circulation
/// keeps verifying. Keys live one file per key in a directory: directory 0700, files 0600,
/// written atomically; files readable by group or others are refused. Key material is never
/// logged. kid is the key's RFC 7638 thumbprint. Thread-safe.
class KeyRing
{
public:
    struct KeyInfo
    {
        QString kid;
        qint64 createdAt = 0;   ///< seconds since the epoch
        qint64 retireAfter = 0; ///< 0 while current or not yet retired
        bool current = false;
    };

private:
    struct Entry
    {
        KeyInfo info;
        Ed25519Key key;
        QByteArray encodedHeader; ///< base64url JWS header naming this key, built once
    };

public:
    /// A rotation worked out but not made (prepareRotation()): its new key exists only here, so
    /// that the rotation can be recorded before it takes effect.
    class Rotation
    {
    public:
        QString kid() const { return m_entry.info.kid; }
        /// The ring it was worked out from, and the key it retires (empty: none).
        const QList<KeyInfo> &keysBefore() const { return m_before; }
        QString retiringKid() const { return m_retiringKid; }
        /// The ring as commit() and then prune(preparedAt()) leave it: the new key current, the
        /// current one retiring, and the retired keys past their time gone.
        const QList<KeyInfo> &keysAfter() const { return m_after; }
        int pruned() const { return m_pruned; }
        qint64 preparedAt() const { return m_now; }

    private:
        friend class KeyRing;
        Entry m_entry;
        qint64 m_now = 0;
        qint64 m_retireAt = 0;
        QString m_retiringKid;
        QList<KeyInfo> m_before;
        QList<KeyInfo> m_after;
        int m_pruned = 0;
    };

    KeyRing(QString directory, const Clock &clock);
    Q_DISABLE_COPY_MOVE(KeyRing)

    /// How often the ring looks at its directory for keys another gateway sharing it rotated
    /// (default: every second); 0 looks on every use.
    void setRefreshInterval(std::chrono::milliseconds interval)
    {
        m_refreshInterval = interval;
        m_nextLookMs.store(0, std::memory_order_relaxed);
    }

    /// Loads every key file of the directory (creating it 0700 if missing) and generates the
    /// first key when there is none.
    Status open();
    /// Generates a key and makes it current. The key that was current is retired at
    /// now + overlapSecs: still published until then, no longer used to sign; 0 retires it at
    /// once (a compromised key). Returns the new kid. prepareRotation() and commit() in one.
    Result<QString> rotate(qint64 overlapSecs);
    /// rotate()'s first half: generates the key and works out the ring after it, changing nothing.
    Result<Rotation> prepareRotation(qint64 overlapSecs) const;
    /// rotate()'s second half: stores the prepared key, makes it current and retires the one it
    /// was prepared to retire. Code "conflict", changing nothing, when the current key is another
    /// by now (a gateway sharing the directory rotated meanwhile). When the retiring key cannot be
    /// stored, the new key's file is removed again: all or nothing, unless that removal fails too
    /// (code "key_ring_state_unknown").
    Result<QString> commit(const Rotation &rotation);
    /// Deletes keys whose retire-after time has passed; returns how many went.
    Result<int> prune();
    /// prune() as of `asOfSecs`: what a Rotation prepared then predicted.
    Result<int> prune(qint64 asOfSecs);

    QString currentKid() const;
    QList<KeyInfo> keys() const;
    /// Public keys of the current and not yet retired keys.
    Jwks publicKeys() const;
    /// When publicKeys() next changes by itself (a retiring key's time passes), in seconds
    /// since the epoch; the largest qint64 when no key is retiring.
    qint64 publishedSetChangesAt() const;
    /// publicKeys() as compact JSON, for /.well-known/jwks.json.
    QByteArray jwksJson() const;

    /// Compact JWS of `claims` with {"alg":"EdDSA","kid":<current>,"typ":"at+jwt"}.
    Result<QByteArray> sign(const QJsonObject &claims) const;
    /// Same with claims already serialised (must be a JSON object; not re-checked here).
    Result<QByteArray> signPayload(QByteArrayView payload) const;

private:
    /// open() on a directory without a current key: makes one under the directory's lock, or
    /// takes the one another gateway made meanwhile.
    Status createFirstKey();
    /// commit() with the directory's lock held.
    Result<QString> commitLocked(const Rotation &rotation);
    Status write(const Entry &entry) const;
    Result<Entry> read(const QString &path) const;
    Result<QList<Entry>> readAll() const;
    Result<Entry> makeEntry(Ed25519Key key, qint64 createdAt, qint64 retireAfter) const;
    void recomputeCurrent() const;
    enum class Look {
        WhenDue,  ///< at most once per refresh interval
        Now,      ///< now, if the directory's mtime changed
        Reread,   ///< now, whatever its mtime says: a change within the mtime's granularity shows too
    };
    /// Reloads the keys when the directory changed since they were read (another gateway rotated).
    void followDirectory(Look look = Look::WhenDue) const;

    QString m_directory;
    const Clock &m_clock;
    std::chrono::milliseconds m_refreshInterval{1000};
    mutable std::shared_mutex m_mutex;
    // What the directory held when last read: the directory is the truth, and other gateways
    // sharing it may rotate, so the const readers refresh these.
    mutable QList<Entry> m_entries;
    mutable int m_current = -1;
    mutable qint64 m_directoryStamp = 0;           ///< the directory's mtime (ns) when read
    mutable std::atomic<qint64> m_nextLookMs{0};  ///< steady-clock time of the next look
};

} // namespace mandate::crypto
