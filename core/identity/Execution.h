// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"
#include "identity/Budget.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>
#include <vector>

namespace mandate::identity {

/// One action an execution may perform, with optional constraints (e.g. {"maxAmount":"100.00"}).
struct Capability
{
    QString action;
    QJsonObject constraints;
    bool operator==(const Capability &) const = default;
};

/// The ephemeral identity of one delegated task, minted by the broker.
struct Execution
{
    enum class Status { Active, Completed, Expired, Revoked };

    QString id;
    QString agent;
    QStringList chain;          ///< root human, then each delegating agent up to the immediate delegator
                                ///< (the acting agent is `agent`): ["alice", "support-agent"] for a sub-execution
    QString purpose;
    QList<Capability> capabilities;
    Budget budget;              ///< granted at mint time
    int riskCeiling = 50;       ///< 0..100
    QDateTime issuedAt;
    QDateTime expiresAt;
    QString parent;             ///< parent execution id for sub-delegations, empty for root
    Status status = Status::Active;

    static constexpr const char *kind = "execution";

    /// Delegation depth: 1 for an execution minted directly from a human's consent.
    int depth() const { return static_cast<int>(chain.size()); }
    QString rootHuman() const { return chain.isEmpty() ? QString() : chain.first(); }
    QStringList actions() const;

    static QString statusName(Status status);
    static std::optional<Status> statusFromName(const QString &name);

    QJsonObject toJson() const;
    /// toJson() as compact JSON text, written directly (the record the store keeps per mint).
    QByteArray toCompactJson() const;
    static Execution fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors);
};

} // namespace mandate::identity
