// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QJsonObject>

#include <vector>

namespace mandate::identity {

/// A workload: a service, a CI pipeline or an OAuth client. Owned by a human.
struct Machine
{
    QString id;
    QString displayName;
    QString machineKind = QStringLiteral("service"); ///< service | pipeline | oauth-client
    QString owner;
    QString description;
    qint64 version = 0;

    static constexpr const char *kind = "machine";
    QJsonObject toJson() const;
    static Machine fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors);
};

} // namespace mandate::identity
