// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "session/ExecutionState.h"

#include <QHash>
#include <QString>

#include <mutex>
#include <optional>

namespace mandate::session {

/// Recently read execution states, so that verifying a bearer token does not cost a database
/// round trip on every call (ExecutionStore::recentState()).
///
/// Freshness: the owning ExecutionStore drops an entry whenever it changes that execution
/// (charge, session update, revocation, completion, expiry), after the change commits, so this
/// gateway's own changes are seen at once. A change made by another process sharing the
/// database (another gateway) is seen after at most kMaxAgeSecs, the bound CachedRegistry uses
/// for agents. Expiry needs no write: an active entry past its expiry reads as expired.
///
/// A read that started before an invalidation must not store what it read (it may predate the
/// change): insert() takes the generation() observed before the read and refuses if any
/// invalidation happened since. Bounded: when full, the whole cache is dropped (cheap to
/// rebuild). Thread-safe.
class ExecutionStateCache
{
public:
    static constexpr qint64 kMaxAgeSecs = 5;
    static constexpr qsizetype kCapacity = 20'000;

    explicit ExecutionStateCache(const Clock &clock, qsizetype capacity = kCapacity);
    Q_DISABLE_COPY_MOVE(ExecutionStateCache)

    /// The cached state when younger than kMaxAgeSecs, with its status evaluated at `now`.
    std::optional<ExecutionState> find(const QString &id) const;
    /// To be read before the store is read; passed to insert().
    quint64 generation() const;
    /// Stores `state` as read at generation `readAt`; false (and nothing stored) when an
    /// invalidation happened since.
    bool insert(ExecutionState state, quint64 readAt);
    void invalidate(const QString &id);
    void invalidateAll();
    qsizetype size() const;

private:
    struct Entry
    {
        ExecutionState state;
        qint64 loadedAt = 0;
    };

    const Clock &m_clock;
    const qsizetype m_capacity;
    mutable std::mutex m_mutex;
    quint64 m_generation = 0;
    QHash<QString, Entry> m_entries;
};

} // namespace mandate::session
