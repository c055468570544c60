// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QList>

#include <optional>
#include <vector>

namespace mandate::identity {

/// One action of a tool and the upstream HTTP route it maps to.
struct ToolAction
{
    QString name;    ///< "refund:create": the tool id, a colon, a verb
    QString method;  ///< GET, POST, PUT, PATCH, DELETE
    QString path;    ///< path pattern below the upstream base, `{name}` for a segment: "/tickets/{id}"
    bool operator==(const ToolAction &) const = default;
};

/// A registered tool: the business API that agents call through the gateway's firewall.
struct Tool
{
    enum class Inspection { Off, Flag, Redact, Block };

    QString id;
    QString displayName;
    QString description;
    QString upstream;        ///< base URL of the real API
    /// Name of the credential the firewall sends the upstream with each call (a file of that
    /// name in the gateway's upstream-credentials directory); empty: none. Agents never hold it.
    QString upstreamCredential;
    QList<ToolAction> actions;
    int riskWeight = 1;      ///< added to an execution's risk score per call, 0..100
    int rateLimitPerMinute = 600;
    Inspection inspection = Inspection::Flag;
    qint64 version = 0;

    static constexpr const char *kind = "tool";

    std::optional<ToolAction> action(const QString &name) const;

    static QString inspectionName(Inspection mode);
    static std::optional<Inspection> inspectionFromName(const QString &name);

    QJsonObject toJson() const;
    static Tool fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors);
};

} // namespace mandate::identity
