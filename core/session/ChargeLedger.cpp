// SPDX-License-Identifier: Apache-2.0
#include "session/ChargeLedger.h"

#include "session/ExecutionErrors.h"

namespace mandate::session {

using identity::Amount;
using identity::Budget;

namespace {

constexpr qsizetype kEntryCapacity = 20'000;

Budget plus(const Budget &a, const Budget &b)
{
    return Budget{a.calls + b.calls, a.tokens + b.tokens, Amount::fromUnits(a.amount.units() + b.amount.units())};
}

Budget minus(const Budget &a, const Budget &b)
{
    return Budget{a.calls - b.calls, a.tokens - b.tokens, Amount::fromUnits(a.amount.units() - b.amount.units())};
}

} // namespace

ChargeLedger::ChargeLedger(ExecutionStore &store) : m_store(store) {}

Result<Budget> ChargeLedger::hold(const QString &id, const Charge &charge)
{
    if (charge.calls < 0 || charge.tokens < 0 || charge.amount.units() < 0)
        return Error{QStringLiteral("invalid"), QStringLiteral("a charge cannot be negative")};
    std::unique_lock lock(m_mutex);
    bool fresh = false;
    auto entry = entryFor(id, lock, &fresh);
    if (!entry)
        return entry.error();
    auto it = entry.value();
    Budget remaining = minus(it->granted, it->used);
    std::optional<Error> over = overBudget(QStringLiteral("execution"), id, charge, remaining);
    if (over && !fresh && it->holds == 0) {
        // A refusal from what was loaded earlier is checked against the store once: budget can
        // come back there (another gateway's refund of a call that never reached its upstream).
        it->stale = true;
        entry = entryFor(id, lock, &fresh);
        if (!entry)
            return entry.error();
        it = entry.value();
        remaining = minus(it->granted, it->used);
        over = overBudget(QStringLiteral("execution"), id, charge, remaining);
    }
    if (over)
        return *over;
    it->used = plus(it->used, charge);
    ++it->holds;
    return minus(remaining, charge);
}

Result<QHash<QString, ChargeLedger::Entry>::iterator> ChargeLedger::entryFor(const QString &id, std::unique_lock<std::mutex> &lock,
                                                                             bool *loaded)
{
    auto it = m_entries.find(id);
    if (it != m_entries.end() && !(it->stale && it->holds == 0))
        return it;
    lock.unlock();
    Result<ExecutionState> stored = m_store.state(id);
    lock.lock();
    if (!stored)
        return stored.error();
    if (!stored->isActive())
        return inactive(id, stored->status);
    it = m_entries.find(id);
    // Another thread may have loaded it meanwhile, and holds on it count: keep that one.
    if (it == m_entries.end() || (it->stale && it->holds == 0)) {
        if (it == m_entries.end() && m_entries.size() >= kEntryCapacity) {
            for (auto drop = m_entries.begin(); drop != m_entries.end();)
                drop = drop->holds == 0 ? m_entries.erase(drop) : std::next(drop);
        }
        it = m_entries.insert(id, Entry{stored->execution.budget, stored->used, 0, false});
        *loaded = true;
    }
    return it;
}

Result<bool> ChargeLedger::commit(const QString &id, const Charge &charge)
{
    return m_store.chargeInTransaction(id, charge);
}

void ChargeLedger::settle(const QString &id, const Charge &charge, bool committed)
{
    m_store.forgetRecentState(id);  // the transaction that charged it is over
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;  // cannot happen while held: entries with holds are never dropped
    --it->holds;
    if (!committed) {
        it->used = minus(it->used, charge);
        // The database may know a spend we do not (or a revocation): read it again.
        it->stale = true;
    }
}

Result<bool> ChargeLedger::refund(const QString &id, const Charge &charge)
{
    return m_store.refundInTransaction(id, charge);
}

void ChargeLedger::refunded(const QString &id, const Charge &charge, bool committed)
{
    m_store.forgetRecentState(id);
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;  // loaded afresh from the store when next used
    if (committed)
        it->used = minus(it->used, charge);
    // Refunds are rare: read the store again once nothing is held rather than trust the sum
    // (an entry reloaded between the commit and this call already holds the refund).
    it->stale = true;
}

} // namespace mandate::session
