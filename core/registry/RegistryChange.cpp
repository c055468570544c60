// SPDX-License-Identifier: Apache-2.0
#include "registry/RegistryChange.h"

namespace mandate::registry {

QString RegistryChange::operationName(Operation operation)
{
    switch (operation) {
    case Operation::Created: return QStringLiteral("created");
    case Operation::Updated: return QStringLiteral("updated");
    case Operation::Deleted: return QStringLiteral("deleted");
    }
    return {};
}

QJsonObject RegistryChange::toJson() const
{
    QJsonObject json{{QStringLiteral("kind"), kind},
                     {QStringLiteral("operation"), operationName(operation)},
                     {QStringLiteral("id"), id},
                     {QStringLiteral("actor"), actor},
                     {QStringLiteral("version"), version},
                     {QStringLiteral("at"), at.toUTC().toString(Qt::ISODateWithMs)}};
    if (!before.isEmpty())
        json.insert(QStringLiteral("before"), before);
    if (!after.isEmpty())
        json.insert(QStringLiteral("after"), after);
    return json;
}

} // namespace mandate::registry
