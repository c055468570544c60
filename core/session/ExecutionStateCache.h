// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Clock.h"
#include "session/ExecutionState.h"

#include <QHash>
#include <QString>

#include <deque>
#include <mutex>
#include <optional>

namespace mandate::session {

/// Recently read execution states, so that verifying a bearer token does not cost a database
/// round trip on every call (ExecutionStore::recentState()), and the parsed execution records
/// beneath them, so that a state read from the store does not parse its JSON body again. One
/// entry per execution holds both: a mint stores its record and its first state in one insert.
///
/// Freshness: the owning ExecutionStore drops an entry's state whenever it changes that execution
/// (charge, session update, revocation, completion, expiry), after the change commits, so this
/// gateway's own changes are seen at once. A change made by another process sharing the
/// database (another gateway) is seen after at most kMaxAgeSecs, the bound CachedRegistry uses
/// for agents. Expiry needs no write: an active entry past its expiry reads as expired. The
/// record stays: it never changes once minted (status and used budget live in their own columns).
///
/// A read that started before an invalidation of its execution must not store what it read (it
/// may predate the change): insert() takes the generation() observed before the read and refuses
/// the state if that execution was invalidated since. Invalidations of others do not count, so
/// that a busy gateway's changes do not keep every fresh read (and every mint, whose record waits
/// for a commit) out; past the last kInvalidationsKept invalidations, which is all that is
/// remembered, any does. Bounded: when full, the oldest entry makes room for the new one.
/// Thread-safe.
class ExecutionStateCache
{
public:
    static constexpr qint64 kMaxAgeSecs = 5;
    static constexpr qsizetype kCapacity = 20'000;
    static constexpr size_t kInvalidationsKept = 1024;

    explicit ExecutionStateCache(const Clock &clock, qsizetype capacity = kCapacity);
    Q_DISABLE_COPY_MOVE(ExecutionStateCache)

    /// The cached state when younger than kMaxAgeSecs, with its status evaluated at `now`.
    std::optional<ExecutionState> find(const QString &id) const;
    /// To be read before the store is read; passed to insert().
    quint64 generation() const;
    /// Stores `state` as read at generation `readAt`; false (and only its record stored) when its
    /// execution was invalidated since.
    bool insert(ExecutionState state, quint64 readAt);
    void invalidate(const QString &id);
    void invalidateAll();
    qsizetype size() const;

    /// The execution record of `id` as minted (its status and budget as the body says), whether
    /// or not a fresh state is cached.
    std::optional<identity::Execution> record(const QString &id) const;
    /// Stores the record of `id` read from the store, without a state.
    void insertRecord(const QString &id, const identity::Execution &execution);

private:
    struct Entry
    {
        ExecutionState state;  ///< only state.execution, the record, while not fresh
        qint64 loadedAt = 0;
        bool fresh = false;      ///< state holds a live state read at loadedAt
        bool hasRecord = false;  ///< state.execution holds the record
    };
    /// The entry of `id`, new and empty if there was none; when the cache is full, the oldest
    /// entry goes first. The caller holds m_mutex.
    Entry *entryFor(const QString &id);
    /// Whether `id` may have changed since generation `readAt`. The caller holds m_mutex.
    bool invalidatedSince(const QString &id, quint64 readAt) const;
    void noteInvalidation(const QString &id);

    struct Invalidation
    {
        quint64 generation = 0;
        QString id;  ///< empty: all of them
    };

    const Clock &m_clock;
    const qsizetype m_capacity;
    mutable std::mutex m_mutex;
    quint64 m_generation = 0;
    QHash<QString, Entry> m_entries;
    std::deque<QString> m_order;  ///< the ids of m_entries, oldest first
    std::deque<Invalidation> m_invalidations;  ///< the latest kInvalidationsKept, oldest first
};

} // namespace mandate::session
