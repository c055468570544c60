// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace mandate::firewall {

/// A mutex for each execution that has a decision running or waiting, made on first use and
/// dropped with its last user. One execution's decisions run one at a time (each sees the
/// effects of those before it); another execution's never wait behind them, as they did on a
/// fixed set of striped mutexes when their ids shared a stripe. Thread-safe.
class ExecutionLocks
{
    struct Slot
    {
        std::mutex mutex;
        int users = 0;  ///< holding or waiting for `mutex`; guarded by ExecutionLocks::m_mutex
    };

public:
    /// Holds one execution's lock until unlock() or destruction, on the thread that took it.
    class Guard
    {
    public:
        Guard() = default;
        Guard(Guard &&other) noexcept;
        Guard &operator=(Guard &&other) noexcept;
        Guard(const Guard &) = delete;
        Guard &operator=(const Guard &) = delete;
        ~Guard() { unlock(); }

        bool ownsLock() const { return m_slot != nullptr; }
        void unlock();

    private:
        friend class ExecutionLocks;
        Guard(ExecutionLocks *locks, QString id, Slot *slot) : m_locks(locks), m_id(std::move(id)), m_slot(slot) {}
        ExecutionLocks *m_locks = nullptr;
        QString m_id;
        Slot *m_slot = nullptr;
    };

    ExecutionLocks() = default;
    Q_DISABLE_COPY_MOVE(ExecutionLocks)

    /// Blocks until this thread holds the lock of `executionId`.
    Guard lock(const QString &executionId);
    /// Executions with a decision holding or waiting for their lock.
    qsizetype inUse() const;
    /// Decisions holding or waiting for the lock of `executionId`.
    int users(const QString &executionId) const;

private:
    void release(const QString &executionId, Slot *slot);

    mutable std::mutex m_mutex;
    std::unordered_map<QString, std::unique_ptr<Slot>> m_slots;
};

} // namespace mandate::firewall
