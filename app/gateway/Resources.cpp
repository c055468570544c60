// SPDX-License-Identifier: Apache-2.0
#include "Resources.h"

#include <QFile>

namespace mandate::gateway {

QByteArray Resources::schemaText()
{
    QFile file(QStringLiteral(":/mandate/schema/mandate.cedarschema"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

Result<std::shared_ptr<const policy::Schema>> Resources::schema()
{
    const QByteArray text = schemaText();
    if (text.isEmpty())
        return Error{QStringLiteral("internal"), QStringLiteral("the Cedar schema resource is missing")};
    Result<policy::Schema> parsed = policy::Schema::parse(text);
    if (!parsed)
        return Error{QStringLiteral("internal"), QStringLiteral("resources/schema/mandate.cedarschema: ") + parsed.error().toString()};
    return std::make_shared<const policy::Schema>(std::move(parsed).value());
}

} // namespace mandate::gateway
