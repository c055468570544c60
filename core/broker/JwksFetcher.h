// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "crypto/Jwks.h"

#include <QUrl>

#include <mutex>
#include <optional>

namespace mandate::broker {

/// A trusted identity provider's signing keys, fetched from its JWKS URL and cached.
///
/// The cache lifetime is the response's Cache-Control max-age, bounded to
/// [minCacheSecs, maxCacheSecs] (defaultCacheSecs without one). While the keys are fresh no
/// request goes out; a token naming a kid not in the set prompts a refetch, at most once per
/// refetchIntervalSecs (an attacker minting random kids must not turn the gateway into a
/// load generator against the IdP). When a fetch fails, the cached keys keep working until
/// they expire; after that verification is refused (jwks_unavailable) until a fetch succeeds,
/// retried at most once per refetchIntervalSecs.
///
/// A fetch is one GET with a timeout over the whole exchange and a size limit; redirects are
/// followed only within the same origin; the body must be a strict JWKS (crypto::Jwks) with at
/// least one key. https is required except towards a loopback address. The request runs on a
/// thread of its own with its own event loop, so a caller (the gateway's request thread) never
/// runs a nested event loop; it blocks for at most the timeout. Thread-safe.
class JwksFetcher
{
public:
    struct Options
    {
        QUrl url;
        int timeoutMs = 5000;
        qint64 maxBytes = 256 * 1024;
        qint64 minCacheSecs = 60;
        qint64 maxCacheSecs = 24 * 3600;
        qint64 defaultCacheSecs = 600;
        qint64 refetchIntervalSecs = 30;
    };

    /// The keys of one successful fetch. `version` grows with every fetch that brings other keys.
    struct Snapshot
    {
        crypto::Jwks keys;
        quint64 version = 0;
        qint64 expiresAt = 0;  ///< seconds since the epoch
    };

    /// The result of one GET, before caching.
    struct Fetched
    {
        crypto::Jwks keys;
        std::optional<qint64> maxAgeSecs;  ///< from Cache-Control, unbounded
    };

    JwksFetcher(Options options, const Clock &clock);
    Q_DISABLE_COPY_MOVE(JwksFetcher)

    /// Code "invalid" unless the URL is absolute http(s) with a host, https unless the host is
    /// loopback, and carries no credentials.
    static Status checkUrl(const QUrl &url);
    /// One GET of the URL, blocking for at most options.timeoutMs. Code "jwks_unavailable" with
    /// the reason: connection, timeout, status, size, cross-origin redirect, not a JWKS.
    static Result<Fetched> fetch(const Options &options);

    /// Fresh keys: the cached ones, or fetched now when there are none or they have expired.
    /// Code "jwks_unavailable" when no fresh keys can be had.
    Result<Snapshot> current();
    /// Called when a token names a kid the snapshot `seenVersion` lacks: newer keys when
    /// another caller already fetched them or a refetch (rate-limited) brought them; nullopt
    /// otherwise (the caller then refuses with unknown_kid).
    std::optional<Snapshot> refetchForUnknownKid(quint64 seenVersion);

    const Options &options() const { return m_options; }

    /// Fetches the keys unless there are some already: for a gateway's start. A failure is
    /// logged but holds off nobody: the first token still has the keys fetched for it (after
    /// waiting for this fetch to end, so up to twice the timeout while the IdP is down).
    Status prefetch();

private:
    /// With m_fetchMutex held: fetches and installs a new snapshot. A failure that `counts`
    /// answers callers for refetchIntervalSecs.
    Status refresh(bool counts = true);

    const Options m_options;
    const Clock &m_clock;
    std::mutex m_fetchMutex;  ///< one fetch at a time; others wait and reuse its result
    mutable std::mutex m_mutex;
    std::optional<Snapshot> m_snapshot;
    qint64 m_lastAttemptAt = 0;
    std::optional<Error> m_lastFailure;
};

} // namespace mandate::broker
