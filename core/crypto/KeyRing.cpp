// SPDX-License-Identifier: Apache-2.0
#include "crypto/KeyRing.h"

#include "common/Logging.h"
#include "common/PrivateFile.h"
#include "crypto/Base64Url.h"
#include "crypto/CompactJws.h"
#include "crypto/Jwk.h"
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <mutex>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace mandate::crypto {

namespace {

constexpr auto kSuffix = ".key";

Error keyError(const QString &message)
{
    return Error{QStringLiteral("key_ring"), message, {}};
}

/// What prune() deletes at `now`: a retired key past its retire-after time.
bool isPrunable(const KeyRing::KeyInfo &info, qint64 now)
{
    return !info.current && info.retireAfter != 0 && now >= info.retireAfter;
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

/// An exclusive flock(2) on the key directory's lock file, held while alive. Gateways sharing
/// the directory commit rotations one at a time: without it, two could both pass the check that
/// the key they retire is still current and each add a key, one of which would then never be
/// current nor retire. The kernel releases it if the process dies.
class RotationLock
{
public:
    explicit RotationLock(const QString &directory)
    {
        const QByteArray path = QFile::encodeName(QDir(directory).filePath(QStringLiteral(".rotation.lock")));
        m_fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (m_fd < 0) {
            m_error = QStringLiteral("cannot open the key directory's lock file %1: %2").arg(QFile::decodeName(path), errnoText());
            return;
        }
        // Bounded: a gateway stopped while holding it must not hang this one's start or its
        // admin API for good.
        const auto deadline = std::chrono::steady_clock::now() + kWait;
        int rc = 0;
        while ((rc = ::flock(m_fd, LOCK_EX | LOCK_NB)) != 0 && (errno == EWOULDBLOCK || errno == EINTR)
               && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (rc != 0) {
            m_error = errno == EWOULDBLOCK
                ? QStringLiteral("another gateway has held the key directory's lock %1 for %2 s").arg(QFile::decodeName(path)).arg(kWait.count())
                : QStringLiteral("cannot lock the key directory's lock file %1: %2").arg(QFile::decodeName(path), errnoText());
            ::close(m_fd);
            m_fd = -1;
        }
    }
    ~RotationLock()
    {
        if (m_fd >= 0)
            ::close(m_fd);  // releases the lock
    }
    Q_DISABLE_COPY_MOVE(RotationLock)

    /// Empty when the lock is held.
    const QString &error() const { return m_error; }

private:
    static constexpr std::chrono::seconds kWait{5};
    int m_fd = -1;
    QString m_error;
};

} // namespace

KeyRing::KeyRing(QString directory, const Clock &clock) : m_directory(std::move(directory)), m_clock(clock) {}

namespace {

/// The directory's modification time in nanoseconds: a key written, retired or deleted (each an
/// atomic rename or unlink in it) changes it. 0 when it cannot be read.
qint64 directoryStamp(const QString &directory)
{
    struct stat st {};
    if (::stat(QFile::encodeName(directory).constData(), &st) != 0)
        return 0;
    return qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

} // namespace

Result<KeyRing::Entry> KeyRing::makeEntry(Ed25519Key key, qint64 createdAt, qint64 retireAfter) const
{
    Entry entry;
    const Jwk jwk = Jwk::fromEd25519(key);
    entry.info.kid = jwk.kid();
    entry.info.createdAt = createdAt;
    entry.info.retireAfter = retireAfter;
    entry.key = std::move(key);
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("EdDSA")},
                             {QStringLiteral("kid"), entry.info.kid},
                             {QStringLiteral("typ"), QStringLiteral("at+jwt")}};
    entry.encodedHeader = Base64Url::encode(json::writeCompact(header));
    return entry;
}

Status KeyRing::write(const Entry &entry) const
{
    const SecretBytes seed = entry.key.seed();
    QJsonObject o{{QStringLiteral("kty"), QStringLiteral("OKP")},
                  {QStringLiteral("crv"), QStringLiteral("Ed25519")},
                  {QStringLiteral("kid"), entry.info.kid},
                  {QStringLiteral("x"), QString::fromLatin1(Base64Url::encode(entry.key.publicKey()))},
                  {QStringLiteral("d"), QString::fromLatin1(Base64Url::encode(seed.view()))},
                  {QStringLiteral("created"), entry.info.createdAt}};
    if (entry.info.retireAfter > 0)
        o.insert(QStringLiteral("retire_after"), entry.info.retireAfter);
    QByteArray text = json::writeCompact(o);
    // Replaced atomically, owner-only from the first byte; "*.key.new" is never read as a key.
    const Status s = PrivateFile::replace(QDir(m_directory).filePath(entry.info.kid + QLatin1String(kSuffix)), text);
    text.fill('\0');
    if (!s)
        return keyError(s.error().message);
    return {};
}

Result<KeyRing::Entry> KeyRing::read(const QString &path) const
{
    struct stat st {};
    const QByteArray native = QFile::encodeName(path);
    if (::lstat(native.constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return keyError(QStringLiteral("key file %1 is not a regular file").arg(path));
    if ((st.st_mode & 077) != 0)
        return keyError(QStringLiteral("key file %1 is accessible by group or others (mode %2); it must be 0600")
                            .arg(path).arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return keyError(QStringLiteral("cannot read key file %1: %2").arg(path, file.errorString()));
    QByteArray text = file.read(64 * 1024);
    auto parsed = json::parseObject(text);
    text.fill('\0');
    if (!parsed)
        return keyError(QStringLiteral("key file %1 is not valid JSON: %2").arg(path, parsed.error().toString()));
    const QJsonObject o = parsed.value();
    auto seed = Base64Url::decode(o.value(QStringLiteral("d")).toString().toLatin1());
    if (!seed)
        return keyError(QStringLiteral("key file %1 has no valid private key").arg(path));
    const SecretBytes secret(seed.value());
    seed->fill('\0');
    auto key = Ed25519Key::fromSeed(secret.view());
    if (!key)
        return keyError(QStringLiteral("key file %1: %2").arg(path, key.error().message));
    auto entry = makeEntry(key.value(), o.value(QStringLiteral("created")).toInteger(),
                           o.value(QStringLiteral("retire_after")).toInteger());
    if (!entry)
        return entry.error();
    if (entry->info.kid != o.value(QStringLiteral("kid")).toString()
        || QFileInfo(path).completeBaseName() != entry->info.kid)
        return keyError(QStringLiteral("key file %1 does not hold the key its name and kid say").arg(path));
    return entry;
}

void KeyRing::recomputeCurrent() const
{
    m_current = -1;
    for (int i = 0; i < m_entries.size(); ++i) {
        auto &info = m_entries[i].info;
        info.current = false;
        if (info.retireAfter > 0)
            continue;
        if (m_current < 0 || info.createdAt > m_entries[m_current].info.createdAt
            || (info.createdAt == m_entries[m_current].info.createdAt && info.kid > m_entries[m_current].info.kid))
            m_current = i;
    }
    if (m_current >= 0)
        m_entries[m_current].info.current = true;
}

Result<QList<KeyRing::Entry>> KeyRing::readAll() const
{
    const QDir dir(m_directory);
    QList<Entry> entries;
    const QStringList files = dir.entryList({QStringLiteral("*") + QLatin1String(kSuffix)}, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        auto entry = read(dir.filePath(name));
        if (!entry)
            return entry.error();
        entries.append(std::move(entry).value());
    }
    return entries;
}

void KeyRing::followDirectory(Look look) const
{
    const qint64 nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now().time_since_epoch()).count();
    if (look == Look::WhenDue && nowMs < m_nextLookMs.load(std::memory_order_relaxed))
        return;
    m_nextLookMs.store(nowMs + m_refreshInterval.count(), std::memory_order_relaxed);
    // Read before the keys: a change made while they are read is picked up at the next look.
    const qint64 stamp = directoryStamp(m_directory);
    if (look != Look::Reread) {
        std::shared_lock lock(m_mutex);
        if (stamp == m_directoryStamp)
            return;
    }
    auto entries = readAll();
    std::unique_lock lock(m_mutex);
    if (!entries) {
        // Keep signing and verifying with the keys read before; say why on every look.
        qCWarning(lcCrypto).noquote() << "cannot reload the key ring, keeping the keys loaded:" << entries.error().message;
        return;
    }
    const QString before = m_current >= 0 ? m_entries[m_current].info.kid : QString();
    QList<Entry> previous = std::exchange(m_entries, std::move(entries).value());
    recomputeCurrent();
    if (m_current < 0) {
        qCWarning(lcCrypto) << "the key directory holds no current key; keeping the keys loaded";
        m_entries = std::move(previous);
        recomputeCurrent();
        return;
    }
    m_directoryStamp = stamp;
    if (m_entries[m_current].info.kid != before)
        qCInfo(lcCrypto) << "key ring reloaded: another gateway rotated; current kid" << m_entries[m_current].info.kid;
}

Status KeyRing::open()
{
    std::unique_lock lock(m_mutex);
    QDir dir(m_directory);
    if (!dir.exists() && !QDir().mkpath(m_directory))
        return keyError(QStringLiteral("cannot create key directory %1").arg(m_directory));
    if (::chmod(QFile::encodeName(m_directory).constData(), 0700) != 0)
        return keyError(QStringLiteral("cannot restrict key directory %1: %2").arg(m_directory, errnoText()));
    m_directoryStamp = directoryStamp(m_directory);
    auto entries = readAll();
    if (!entries)
        return entries.error();
    m_entries = std::move(entries).value();
    recomputeCurrent();
    if (m_current >= 0) {
        qCInfo(lcCrypto) << "key ring loaded" << m_entries.size() << "key(s); current kid" << m_entries[m_current].info.kid;
        return {};
    }
    lock.unlock();
    return createFirstKey();
}

Status KeyRing::createFirstKey()
{
    // Under the directory's lock, and only if no gateway sharing it made one meanwhile: a first
    // key retires nothing, where a rotation would retire the other gateway's brand-new key.
    const RotationLock rotating(m_directory);
    if (!rotating.error().isEmpty())
        return keyError(rotating.error() + QStringLiteral(": no signing key was made"));
    followDirectory(Look::Reread);
    {
        std::shared_lock lock(m_mutex);
        if (m_current >= 0)
            return {};
    }
    Result<Rotation> first = prepareRotation(0);
    if (!first)
        return first.error();
    if (Result<QString> kid = commitLocked(first.value()); !kid)
        return kid.error();
    return {};
}

Result<QString> KeyRing::rotate(qint64 overlapSecs)
{
    Result<Rotation> rotation = prepareRotation(overlapSecs);
    if (!rotation)
        return rotation.error();
    return commit(rotation.value());
}

Result<KeyRing::Rotation> KeyRing::prepareRotation(qint64 overlapSecs) const
{
    followDirectory(Look::Now);  // retire the key that is current now, whoever made it so
    auto key = Ed25519Key::generate();
    if (!key)
        return key.error();
    const qint64 now = m_clock.nowSecs();
    auto entry = makeEntry(key.value(), now, 0);
    if (!entry)
        return entry.error();
    Rotation rotation;
    rotation.m_entry = std::move(entry).value();
    rotation.m_now = now;
    // An overlap of 0 (a compromised key) retires it now; 0 itself would mean "not retired".
    rotation.m_retireAt = std::max<qint64>(now + std::max<qint64>(overlapSecs, 0), 1);
    std::shared_lock lock(m_mutex);
    for (const Entry &e : std::as_const(m_entries)) {
        // The new key must win even against a clock that did not move since the last rotation.
        rotation.m_entry.info.createdAt = std::max(rotation.m_entry.info.createdAt, e.info.createdAt);
        rotation.m_before << e.info;
        KeyInfo info = e.info;
        if (info.current) {
            rotation.m_retiringKid = info.kid;
            info.retireAfter = rotation.m_retireAt;
            info.current = false;
        }
        if (isPrunable(info, now)) {
            ++rotation.m_pruned;
            continue;
        }
        rotation.m_after << info;
    }
    KeyInfo added = rotation.m_entry.info;
    added.current = true;
    rotation.m_after << added;
    return rotation;
}

Result<QString> KeyRing::commit(const Rotation &rotation)
{
    const RotationLock rotating(m_directory);
    if (!rotating.error().isEmpty())
        return keyError(rotating.error() + QStringLiteral(": nothing was rotated"));
    return commitLocked(rotation);
}

Result<QString> KeyRing::commitLocked(const Rotation &rotation)
{
    // Reread: another gateway's rotation within the mtime's granularity must not go unseen.
    followDirectory(Look::Reread);
    // Under the lock from the check to the end: a rotation of this gateway's own must not slip in
    // between. Signing waits for two small file writes.
    std::unique_lock lock(m_mutex);
    const QString currentKid = m_current >= 0 ? m_entries[m_current].info.kid : QString();
    if (currentKid != rotation.m_retiringKid) {
        const auto name = [](const QString &kid) { return kid.isEmpty() ? QStringLiteral("none") : kid; };
        return Error{QStringLiteral("conflict"), QStringLiteral("the current signing key changed since the rotation was "
                                                                "prepared (%1, not %2): nothing was rotated")
                                                     .arg(name(currentKid), name(rotation.m_retiringKid))};
    }
    Entry entry = rotation.m_entry;
    if (Status s = write(entry); !s)
        return s.error();
    if (m_current >= 0) {
        Entry retiring = m_entries[m_current];
        retiring.info.retireAfter = rotation.m_retireAt;
        if (Status s = write(retiring); !s) {
            // The new key alone on disk would become current at every gateway's next look, and the
            // old one never retire: take it back.
            const QString added = QDir(m_directory).filePath(entry.info.kid + QLatin1String(kSuffix));
            if (!QFile::remove(added)) {
                return Error{QStringLiteral("key_ring_state_unknown"),
                             QStringLiteral("%1, and the new key file %2 could not be removed: it may become current")
                                 .arg(s.error().message, added)};
            }
            return s.error();
        }
        m_entries[m_current] = std::move(retiring);
    }
    m_entries.append(std::move(entry));
    for (int i = 0; i < m_entries.size(); ++i)
        m_entries[i].info.current = false;
    m_current = int(m_entries.size()) - 1;
    m_entries[m_current].info.current = true;
    m_directoryStamp = directoryStamp(m_directory);
    qCInfo(lcCrypto) << "signing key rotated; current kid" << m_entries[m_current].info.kid;
    return m_entries[m_current].info.kid;
}

Result<int> KeyRing::prune()
{
    return prune(m_clock.nowSecs());
}

Result<int> KeyRing::prune(qint64 asOfSecs)
{
    // Under the directory's lock, after a reread: a rotation by another gateway meanwhile would
    // otherwise go unseen, its stamp taken for this one's.
    const RotationLock rotating(m_directory);
    if (!rotating.error().isEmpty())
        return keyError(rotating.error() + QStringLiteral(": nothing was pruned"));
    followDirectory(Look::Reread);
    std::unique_lock lock(m_mutex);
    int removed = 0;
    for (int i = int(m_entries.size()) - 1; i >= 0; --i) {
        const KeyInfo &info = m_entries[i].info;
        if (!isPrunable(info, asOfSecs))
            continue;
        const QString path = QDir(m_directory).filePath(info.kid + QLatin1String(kSuffix));
        if (QFile::exists(path) && !QFile::remove(path))
            return keyError(QStringLiteral("cannot delete retired key file %1").arg(path));
        qCInfo(lcCrypto) << "retired signing key removed; kid" << info.kid;
        m_entries.removeAt(i);
        ++removed;
    }
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].info.current)
            m_current = i;
    }
    m_directoryStamp = directoryStamp(m_directory);
    return removed;
}

QString KeyRing::currentKid() const
{
    followDirectory();
    std::shared_lock lock(m_mutex);
    return m_current >= 0 ? m_entries[m_current].info.kid : QString();
}

QList<KeyRing::KeyInfo> KeyRing::keys() const
{
    followDirectory();
    std::shared_lock lock(m_mutex);
    QList<KeyInfo> out;
    for (const Entry &e : m_entries)
        out.append(e.info);
    return out;
}

Jwks KeyRing::publicKeys() const
{
    followDirectory();
    std::shared_lock lock(m_mutex);
    const qint64 now = m_clock.nowSecs();
    Jwks set;
    for (const Entry &e : m_entries) {
        if (e.info.retireAfter == 0 || now < e.info.retireAfter)
            set.add(Jwk::fromEd25519(e.key, e.info.kid));
    }
    return set;
}

qint64 KeyRing::publishedSetChangesAt() const
{
    followDirectory();
    std::shared_lock lock(m_mutex);
    const qint64 now = m_clock.nowSecs();
    qint64 next = std::numeric_limits<qint64>::max();
    for (const Entry &e : m_entries) {
        if (e.info.retireAfter > now)
            next = std::min(next, e.info.retireAfter);
    }
    return next;
}

QByteArray KeyRing::jwksJson() const
{
    return json::writeCompact(publicKeys().toJson());
}

Result<QByteArray> KeyRing::signPayload(QByteArrayView payload) const
{
    followDirectory();
    Ed25519Key key;
    QByteArray header;
    {
        std::shared_lock lock(m_mutex);
        if (m_current < 0)
            return keyError(QStringLiteral("the key ring has no current key (open() not called?)"));
        key = m_entries[m_current].key;
        header = m_entries[m_current].encodedHeader;
    }
    return CompactJws::signEncoded(header, payload, key);
}

Result<QByteArray> KeyRing::sign(const QJsonObject &claims) const
{
    return signPayload(json::writeCompact(claims));
}

} // namespace mandate::crypto
