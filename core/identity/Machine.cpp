// SPDX-License-Identifier: Apache-2.0
#include "identity/Machine.h"

#include "identity/FieldReader.h"

namespace mandate::identity {

QJsonObject Machine::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("displayName"), displayName},
            {QStringLiteral("kind"), machineKind},
            {QStringLiteral("owner"), owner},
            {QStringLiteral("description"), description},
            {QStringLiteral("version"), version}};
}

Machine Machine::fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors)
{
    FieldReader reader(json, path, errors);
    Machine machine;
    machine.id = reader.string("id", FieldReader::Required);
    machine.displayName = reader.string("displayName", FieldReader::Optional, machine.id);
    machine.machineKind = reader.string("kind", FieldReader::Optional, QStringLiteral("service"));
    machine.owner = reader.string("owner", FieldReader::Required);
    machine.description = reader.string("description");
    machine.version = reader.integer("version");
    reader.rejectUnknown({"id", "displayName", "kind", "owner", "description", "version"});
    return machine;
}

} // namespace mandate::identity
