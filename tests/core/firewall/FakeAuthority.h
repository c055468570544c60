// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/ExecutionAuthority.h"

#include <QHash>

#include <functional>
#include <mutex>
#include <optional>

/// Executions held in memory, addressed by their token text; for pipeline tests that are about
/// decisions, not about tokens (the broker's own tests cover those).
class FakeAuthority final : public mandate::firewall::ExecutionAuthority
{
public:
    QHash<QByteArray, mandate::firewall::ExecutionView> views;
    QHash<QByteArray, mandate::Error> failures;  ///< tokens whose execution cannot be read
    QHash<QByteArray, QString> namedExecutions;  ///< tokens whose executionOf() names another execution than their view
    QStringList calls;  ///< "id action allow|deny delta"
    /// Set: charges are only held, and made durable with the decision record by a write that
    /// answers this (false: the database refuses the charge).
    std::optional<bool> deferredCommit;
    QStringList settled;  ///< "id committed|given-back"
    /// Called as authenticate() begins (the pipeline calls it under the execution's lock), with
    /// the token; tests use it to hold one execution's decision there. Set before deciding.
    std::function<void(const QByteArray &bearer)> onAuthenticate;
    std::optional<mandate::Error> chargeFailure;  ///< set: charge() fails with it (the store failing)
    std::function<void()> onClaimFirstUse;  ///< called as claimFirstUse() begins (tests throw from it)
    /// Set: a call's effect is counted (in `calls`) by its record's batch as the record is
    /// accepted, as the gateway's authority writes it with the record; a pipeline that then
    /// counted it again shows it twice.
    bool countsWithRecords = false;

    mandate::Result<mandate::firewall::ExecutionView> authenticate(QByteArrayView bearer) const override
    {
        if (onAuthenticate)
            onAuthenticate(bearer.toByteArray());
        std::lock_guard lock(m_mutex);
        if (const auto failure = failures.constFind(bearer.toByteArray()); failure != failures.constEnd())
            return *failure;
        const auto it = views.constFind(bearer.toByteArray());
        if (it == views.constEnd())
            return mandate::Error{QStringLiteral("bad_signature"), QStringLiteral("the token's signature does not verify")};
        return *it;
    }
    /// As the broker's: a token it knows names its execution, whether or not that can be read.
    mandate::Result<QString> executionOf(QByteArrayView bearer) const override
    {
        std::lock_guard lock(m_mutex);
        if (failures.contains(bearer.toByteArray()))
            return QString::fromLatin1(bearer);
        if (const auto named = namedExecutions.constFind(bearer.toByteArray()); named != namedExecutions.constEnd())
            return *named;
        const auto it = views.constFind(bearer.toByteArray());
        if (it == views.constEnd())
            return mandate::Error{QStringLiteral("bad_signature"), QStringLiteral("the token's signature does not verify")};
        return it->execution.id;
    }
    mandate::Result<mandate::identity::Budget> charge(const QString &id, const mandate::identity::Budget &cost) override
    {
        // Every token of the execution sees the charge: they are views of one execution, and
        // which of them a QHash visits first changes from run to run.
        std::lock_guard lock(m_mutex);
        if (chargeFailure)
            return *chargeFailure;
        std::optional<mandate::identity::Budget> remaining;
        for (const auto &view : std::as_const(views)) {
            if (view.execution.id != id)
                continue;
            if (cost.calls > view.remaining.calls || cost.amount > view.remaining.amount)
                return mandate::Error{QStringLiteral("budget_exhausted"), QStringLiteral("the execution's budget is exhausted")};
        }
        for (auto &view : views) {
            if (view.execution.id != id)
                continue;
            view.remaining.calls -= cost.calls;
            view.remaining.tokens -= cost.tokens;
            view.remaining.amount = mandate::identity::Amount::fromUnits(view.remaining.amount.units() - cost.amount.units());
            remaining = view.remaining;
        }
        if (!remaining)
            return mandate::Error{QStringLiteral("not_found"), id};
        return *remaining;
    }
    std::function<mandate::Result<bool>()> durableCharge(const QString &, const mandate::identity::Budget &) override
    {
        if (!deferredCommit)
            return {};
        return [answer = *deferredCommit]() -> mandate::Result<bool> { return answer; };
    }
    void settleCharge(const QString &id, const mandate::identity::Budget &cost, bool committed) override
    {
        std::lock_guard lock(m_mutex);
        settled << QStringLiteral("%1 %2").arg(id, committed ? QStringLiteral("committed") : QStringLiteral("given-back"));
        for (auto &view : views) {
            if (view.execution.id == id && !committed) {
                view.remaining.calls += cost.calls;
                view.remaining.tokens += cost.tokens;
                view.remaining.amount = mandate::identity::Amount::fromUnits(view.remaining.amount.units() + cost.amount.units());
            }
        }
    }
    bool claimFirstUse(const mandate::firewall::ExecutionView &view, const QString &action, const QDateTime &now) override
    {
        if (onClaimFirstUse)
            onClaimFirstUse();
        return ExecutionAuthority::claimFirstUse(view, action, now);
    }
    mandate::Status recordCall(const QString &id, const QString &action, bool allowed, int riskDelta) override
    {
        std::lock_guard lock(m_mutex);
        calls << QStringLiteral("%1 %2 %3 %4").arg(id, action, allowed ? QStringLiteral("allow") : QStringLiteral("deny")).arg(riskDelta);
        for (auto &view : views) {
            if (view.execution.id == id)
                view.riskScore += riskDelta;
        }
        return mandate::Status::success();
    }
    mandate::Status adjustRisk(const QString &id, int riskDelta) override { return recordCall(id, QStringLiteral("risk"), true, riskDelta); }
    std::function<void()> writeWithRecord(const mandate::firewall::SessionEffect &reserved) override
    {
        if (!countsWithRecords)
            return {};
        return [this, reserved]() {
            if (reserved.countsAsCall)
                (void)recordCall(reserved.executionId, reserved.action, reserved.allowed, reserved.riskDelta);
            else
                (void)adjustRisk(reserved.executionId, reserved.riskDelta);
        };
    }

private:
    mutable std::mutex m_mutex;
};
