// SPDX-License-Identifier: Apache-2.0
#include "SimulatorSchema.h"

#include <QFile>

namespace mandate::ui {

Result<std::shared_ptr<const policy::Schema>> SimulatorSchema::load()
{
    static const Result<std::shared_ptr<const policy::Schema>> schema = [] () -> Result<std::shared_ptr<const policy::Schema>> {
        QFile file(QStringLiteral(":/mandate/schema/mandate.cedarschema"));
        if (!file.open(QIODevice::ReadOnly))
            return Error{QStringLiteral("internal"), QStringLiteral("the Cedar schema resource is missing")};
        Result<policy::Schema> parsed = policy::Schema::parse(file.readAll());
        if (!parsed)
            return Error{QStringLiteral("internal"), QStringLiteral("mandate.cedarschema: ") + parsed.error().toString()};
        return std::make_shared<const policy::Schema>(std::move(parsed).value());
    }();
    return schema;
}

Result<std::shared_ptr<const policy::Schema>> SimulatorSchema::parse(const QString &source)
{
    Result<policy::Schema> parsed = policy::Schema::parse(source.toUtf8());
    if (!parsed)
        return Error{QStringLiteral("invalid"), QStringLiteral("the gateway's schema: ") + parsed.error().toString()};
    return std::make_shared<const policy::Schema>(std::move(parsed).value());
}

} // namespace mandate::ui
