// SPDX-License-Identifier: Apache-2.0
#include "identity/Human.h"

#include "identity/FieldReader.h"

namespace mandate::identity {

QJsonObject Human::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("displayName"), displayName},
                     {QStringLiteral("issuer"), issuer},
                     {QStringLiteral("subject"), subject},
                     {QStringLiteral("version"), version}};
    if (!email.isEmpty())
        json.insert(QStringLiteral("email"), email);
    if (!department.isEmpty())
        json.insert(QStringLiteral("department"), department);
    return json;
}

Human Human::fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors)
{
    FieldReader reader(json, path, errors);
    Human human;
    human.id = reader.string("id", FieldReader::Required);
    human.displayName = reader.string("displayName", FieldReader::Optional, human.id);
    human.issuer = reader.string("issuer", FieldReader::Required);
    human.subject = reader.string("subject", FieldReader::Optional, human.id);
    human.email = reader.string("email");
    human.department = reader.string("department");
    human.version = reader.integer("version");
    reader.rejectUnknown({"id", "displayName", "issuer", "subject", "email", "department", "version"});
    return human;
}

} // namespace mandate::identity
