// SPDX-License-Identifier: Apache-2.0
#include "identity/Budget.h"

#include "identity/FieldReader.h"

namespace mandate::identity {

QJsonObject Budget::toJson() const
{
    return {{QStringLiteral("calls"), calls},
            {QStringLiteral("tokens"), tokens},
            {QStringLiteral("amount"), amount.toString()}};
}

Budget Budget::fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors)
{
    FieldReader reader(json, path, errors);
    Budget budget;
    budget.calls = reader.integer("calls", FieldReader::Required);
    budget.tokens = reader.integer("tokens", FieldReader::Optional, 0);
    const QString amount = reader.string("amount", FieldReader::Optional, QStringLiteral("0"));
    if (const auto parsed = Amount::parse(amount))
        budget.amount = *parsed;
    else
        reader.fail("amount", QStringLiteral("expected a decimal amount like \"100.00\", got \"%1\"").arg(amount));
    reader.rejectUnknown({"calls", "tokens", "amount"});
    return budget;
}

} // namespace mandate::identity
