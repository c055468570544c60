// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

namespace mandate::client {

/// GET /healthz.
struct Health
{
    QString status;   ///< "ok" or "degraded"
    QString gateway;  ///< the gateway's id
    QString version;
};

/// GET /v1/whoami: who the API key belongs to and what it may do.
struct WhoAmI
{
    QString name;
    QString role;     ///< admin, auditor or analyst
    QString keyId;

    bool canWrite() const { return role == QLatin1String("admin"); }
};

/// POST /v1/registry/import.
struct ImportSummary
{
    int created = 0;
    int updated = 0;
};

} // namespace mandate::client
