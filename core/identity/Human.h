// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QJsonObject>

#include <vector>

namespace mandate::identity {

/// A person from the enterprise identity provider, identified by OIDC issuer + subject.
struct Human
{
    QString id;          ///< short handle used in chains and policies ("alice")
    QString displayName;
    QString issuer;      ///< OIDC `iss`
    QString subject;     ///< OIDC `sub`
    QString email;
    QString department;
    qint64 version = 0;

    static constexpr const char *kind = "human";
    QJsonObject toJson() const;
    static Human fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors);
};

} // namespace mandate::identity
