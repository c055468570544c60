// SPDX-License-Identifier: Apache-2.0
#include "crypto/Random.h"

#include "crypto/Base64Url.h"
#include "crypto/OpenSslHandles.h"

#include <QUuid>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <atomic>

#include <pthread.h>

namespace mandate::crypto {

namespace {

constexpr int kPoolBytes = 4096;

// Bumped in the child of every fork: a child must never hand out bytes its parent also holds.
std::atomic<unsigned> g_forks{0};

void countFork()
{
    g_forks.fetch_add(1, std::memory_order_relaxed);
}

/// One thread's block of DRBG output; each byte is wiped as it is handed out.
struct IdentifierPool
{
    unsigned char bytes[kPoolBytes];
    int next = kPoolBytes;  ///< everything before it is handed out (and wiped)
    unsigned forks = 0;

    ~IdentifierPool() { OPENSSL_cleanse(bytes, sizeof bytes); }
};

thread_local IdentifierPool t_pool;

} // namespace

Result<QByteArray> Random::bytes(qsizetype count)
{
    if (count < 0 || count > (1 << 20))
        return Error{QStringLiteral("crypto"), QStringLiteral("random byte count %1 out of range").arg(count), {}};
    QByteArray out(count, Qt::Uninitialized);
    if (count > 0 && RAND_bytes(reinterpret_cast<uchar *>(out.data()), int(count)) != 1)
        return detail::opensslError("RAND_bytes failed");
    return out;
}

Result<QString> Random::token(qsizetype count)
{
    auto raw = bytes(count);
    if (!raw)
        return raw.error();
    return QString::fromLatin1(Base64Url::encode(raw.value()));
}

Result<QByteArray> Random::identifierBytes(qsizetype count)
{
    if (count < 0 || count > kMaxIdentifierBytes)
        return Error{QStringLiteral("crypto"), QStringLiteral("identifier byte count %1 out of range").arg(count), {}};
    static const bool forkHandler = pthread_atfork(nullptr, nullptr, &countFork) == 0;
    if (!forkHandler)
        return bytes(count);  // a fork could not be noticed: no pool
    IdentifierPool &pool = t_pool;
    const unsigned forks = g_forks.load(std::memory_order_relaxed);
    if (pool.forks != forks) {
        pool.next = kPoolBytes;  // inherited from the parent: never used
        pool.forks = forks;
    }
    if (kPoolBytes - pool.next < count) {
        if (RAND_bytes(pool.bytes, kPoolBytes) != 1) {
            pool.next = kPoolBytes;
            return detail::opensslError("RAND_bytes failed");
        }
        pool.next = 0;
    }
    unsigned char *start = pool.bytes + pool.next;
    QByteArray out(reinterpret_cast<const char *>(start), count);
    OPENSSL_cleanse(start, size_t(count));
    pool.next += int(count);
    return out;
}

QString Random::uuid()
{
    Result<QByteArray> raw = identifierBytes(16);
    if (!raw)
        return QUuid::createUuid().toString(QUuid::WithoutBraces);  // as random, only slower
    QByteArray &b = raw.value();
    b[6] = char((uchar(b[6]) & 0x0F) | 0x40);  // version 4
    b[8] = char((uchar(b[8]) & 0x3F) | 0x80);  // variant 10
    return QUuid::fromRfc4122(b).toString(QUuid::WithoutBraces);
}

} // namespace mandate::crypto
