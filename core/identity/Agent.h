// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"
#include "identity/Budget.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

#include <optional>
#include <vector>

namespace mandate::identity {

/// A named memory area an agent may read or write.
struct MemoryScope
{
    enum class Mode { Read, Write, ReadWrite };
    QString name;
    Mode mode = Mode::Read;
    bool operator==(const MemoryScope &) const = default;

    static QString modeName(Mode mode);
    static std::optional<Mode> modeFromName(const QString &name);
};

/// The persistent definition of an AI agent. Executions are minted from it per task.
struct Agent
{
    enum class Status { Active, Suspended, Retired };

    QString id;
    QString displayName;
    QString owner;                ///< id of the accountable human
    QString description;
    QStringList allowedActions;   ///< ceiling for every execution of this agent ("refund:create")
    int trustLevel = 1;           ///< 0 (untrusted) .. 4 (fully trusted)
    QStringList policies;         ///< ids of bound policies
    QList<MemoryScope> memoryScopes;
    int maxDelegationDepth = 1;   ///< how deep a chain through this agent may get
    qint64 defaultTtlSecs = 900;
    qint64 maxTtlSecs = 3600;
    Budget maxBudget;
    QStringList delegators;       ///< agents allowed to sub-delegate to this one
    Status status = Status::Active;
    qint64 version = 0;
    QMap<QString, QString> labels;

    static constexpr const char *kind = "agent";

    static QString statusName(Status status);
    static std::optional<Status> statusFromName(const QString &name);

    QJsonObject toJson() const;
    static Agent fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors);
};

} // namespace mandate::identity
