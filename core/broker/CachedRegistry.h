// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "common/Result.h"
#include "identity/Agent.h"
#include "registry/Registry.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <mutex>

namespace mandate::broker {

/// The registry records the token endpoint reads on every exchange (the client's agent, the
/// delegating agent, the human an ID token names), cached: a registry read decodes a JSON body,
/// and finding a human by OIDC issuer and subject scans them all, which together cost more than
/// signing the token.
///
/// Freshness: a change made through this gateway's Registry (Registry::changed) drops the cache
/// at once; a change made by another gateway sharing the database is seen after at most
/// kMaxAgeSecs (the same trade-off as the firewall's agent cache, bounded in time here).
/// Lookups that fail are not cached. Thread-safe.
class CachedRegistry
{
public:
    static constexpr qint64 kMaxAgeSecs = 5;
    static constexpr qsizetype kMaxAgents = 10'000;

    CachedRegistry(registry::Registry &registry, const Clock &clock);
    Q_DISABLE_COPY_MOVE(CachedRegistry)

    /// As Registry::agent (code "not_found" for an unknown agent).
    Result<identity::Agent> agent(const QString &id) const;
    /// The id of the registered human with this OIDC issuer and subject; code "not_found" when
    /// none, "ambiguous" when several humans have them.
    Result<QString> humanId(const QString &issuer, const QString &subject) const;
    void invalidate();

private:
    static Error notFound(const QString &issuer, const QString &subject);
    static Result<QString> named(const QString &humanId, const QString &issuer, const QString &subject);

    struct CachedAgent
    {
        identity::Agent agent;
        qint64 loadedAt = 0;
    };

    registry::Registry &m_registry;
    const Clock &m_clock;
    mutable std::mutex m_mutex;
    // Bumped by invalidate(): a lookup that started before a change must not cache what it read.
    mutable quint64 m_generation = 0;
    mutable QHash<QString, CachedAgent> m_agents;
    mutable QHash<QString, QString> m_humans;  ///< issuer '\n' subject → human id
    mutable qint64 m_humansLoadedAt = -1;      ///< -1: not loaded
    mutable QSet<QString> m_reportedAmbiguous; ///< pairs of humans sharing an issuer and subject, logged
    QObject m_watch;  ///< context of the Registry::changed connection; last, so it disconnects first
};

} // namespace mandate::broker
