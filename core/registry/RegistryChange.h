// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace mandate::registry {

/// One change to the registry: what the audit log records and the console's live views show.
struct RegistryChange
{
    enum class Operation { Created, Updated, Deleted };

    QString kind;       ///< "agent", "tool", "human", "machine"
    Operation operation = Operation::Created;
    QString id;
    QString actor;      ///< who made the change (API key name, "import", "demo")
    QJsonObject before; ///< empty when created
    QJsonObject after;  ///< empty when deleted
    qint64 version = 0; ///< the record's version after the change
    QDateTime at;

    static QString operationName(Operation operation);
    QJsonObject toJson() const;
};

} // namespace mandate::registry

Q_DECLARE_METATYPE(mandate::registry::RegistryChange)
