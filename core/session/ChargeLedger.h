// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "session/ExecutionStore.h"

#include <QHash>

#include <mutex>

namespace mandate::session {

/// One gateway's budget charges, decided in memory and made durable with the call's audit
/// record instead of by a write of their own. hold() charges the execution's budget in memory,
/// atomically: concurrent calls through this gateway never overspend it, and the answer costs
/// no database round trip. commit() then runs inside the transaction that writes the call's
/// audit record, as the store's guarded UPDATE: the database stays the arbiter against other
/// writers (sub-delegations reserving from a parent, other gateways, a revocation), and a
/// charge it refuses refuses the record, so that the call is denied. settle() ends the hold when
/// that transaction is over; a charge that did not commit is given back.
///
/// What is held per execution is loaded from the store on first use and is exact for this
/// gateway; a refusal by the database means someone else spent, so the execution is reloaded.
class ChargeLedger final
{
public:
    explicit ChargeLedger(ExecutionStore &store);
    ChargeLedger(const ChargeLedger &) = delete;
    ChargeLedger &operator=(const ChargeLedger &) = delete;

    /// Charges `charge` in memory; returns the remaining budget. Errors: invalid, not_found,
    /// inactive, budget_exhausted (path: the dimension), and the store's own.
    Result<identity::Budget> hold(const QString &id, const Charge &charge);
    /// In the caller's transaction, on this thread's connection: true when written, false when
    /// the database refuses the charge.
    Result<bool> commit(const QString &id, const Charge &charge);
    /// After the transaction that ran commit() (or would have) is over.
    void settle(const QString &id, const Charge &charge, bool committed);
    /// Gives a committed charge back, in the caller's transaction (the call never reached its
    /// upstream); refunded() follows once that transaction is over.
    Result<bool> refund(const QString &id, const Charge &charge);
    void refunded(const QString &id, const Charge &charge, bool committed);

private:
    struct Entry
    {
        identity::Budget granted;
        identity::Budget used;  ///< committed and held
        int holds = 0;          ///< charges held and not yet settled
        bool stale = false;     ///< reload once nothing is held
    };

    /// The entry of `id`, loaded from the store (lock released meanwhile) when there is none or
    /// it is stale with nothing held; `loaded` is set when this call loaded it.
    Result<QHash<QString, Entry>::iterator> entryFor(const QString &id, std::unique_lock<std::mutex> &lock, bool *loaded);

    ExecutionStore &m_store;
    std::mutex m_mutex;
    QHash<QString, Entry> m_entries;
};

} // namespace mandate::session
