// SPDX-License-Identifier: Apache-2.0
#include "identity/Execution.h"

#include "identity/CompactJsonWriter.h"
#include "identity/FieldReader.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace mandate::identity {

QStringList Execution::actions() const
{
    QStringList result;
    for (const Capability &capability : capabilities)
        result.append(capability.action);
    return result;
}

QString Execution::statusName(Status status)
{
    switch (status) {
    case Status::Active: return QStringLiteral("active");
    case Status::Completed: return QStringLiteral("completed");
    case Status::Expired: return QStringLiteral("expired");
    case Status::Revoked: return QStringLiteral("revoked");
    }
    return {};
}

std::optional<Execution::Status> Execution::statusFromName(const QString &name)
{
    for (Status status : {Status::Active, Status::Completed, Status::Expired, Status::Revoked}) {
        if (statusName(status) == name)
            return status;
    }
    return std::nullopt;
}

QJsonObject Execution::toJson() const
{
    QJsonArray capabilityArray;
    for (const Capability &capability : capabilities) {
        QJsonObject entry{{QStringLiteral("action"), capability.action}};
        if (!capability.constraints.isEmpty())
            entry.insert(QStringLiteral("constraints"), capability.constraints);
        capabilityArray.append(entry);
    }
    return {{QStringLiteral("id"), id},
            {QStringLiteral("agent"), agent},
            {QStringLiteral("chain"), QJsonArray::fromStringList(chain)},
            {QStringLiteral("purpose"), purpose},
            {QStringLiteral("capabilities"), capabilityArray},
            {QStringLiteral("budget"), budget.toJson()},
            {QStringLiteral("riskCeiling"), riskCeiling},
            {QStringLiteral("issuedAt"), issuedAt.toUTC().toString(Qt::ISODate)},
            {QStringLiteral("expiresAt"), expiresAt.toUTC().toString(Qt::ISODate)},
            {QStringLiteral("parent"), parent},
            {QStringLiteral("depth"), depth()},
            {QStringLiteral("status"), statusName(status)}};
}

QByteArray Execution::toCompactJson() const
{
    CompactJsonWriter w(512 + 64 * chain.size() + purpose.size());
    w.beginObject();
    w.key("id"); w.string(id);
    w.key("agent"); w.string(agent);
    w.key("chain"); w.strings(chain);
    w.key("purpose"); w.string(purpose);
    w.key("capabilities");
    w.beginArray();
    for (const Capability &capability : capabilities) {
        w.beginObject();
        w.key("action"); w.string(capability.action);
        if (!capability.constraints.isEmpty()) {
            w.key("constraints");
            w.raw(QJsonDocument(capability.constraints).toJson(QJsonDocument::Compact));
        }
        w.endObject();
    }
    w.endArray();
    w.key("budget");
    w.beginObject();
    w.key("calls"); w.integer(budget.calls);
    w.key("tokens"); w.integer(budget.tokens);
    w.key("amount"); w.string(budget.amount.toString());
    w.endObject();
    w.key("riskCeiling"); w.integer(riskCeiling);
    const auto time = [&w](const QDateTime &t) {
        if (t.isValid())
            w.isoTime(t.toSecsSinceEpoch());
        else
            w.string(QString());  // as toJson(): an invalid time prints as ""
    };
    w.key("issuedAt"); time(issuedAt);
    w.key("expiresAt"); time(expiresAt);
    w.key("parent"); w.string(parent);
    w.key("depth"); w.integer(depth());
    w.key("status"); w.string(statusName(status));
    w.endObject();
    return w.take();
}

Execution Execution::fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors)
{
    FieldReader reader(json, path, errors);
    Execution execution;
    execution.id = reader.string("id", FieldReader::Required);
    execution.agent = reader.string("agent", FieldReader::Required);
    execution.chain = reader.stringList("chain", FieldReader::Required);
    execution.purpose = reader.string("purpose");
    execution.budget = Budget::fromJson(reader.object("budget", FieldReader::Required), reader.pathOf("budget"), errors);
    execution.riskCeiling = reader.integer32("riskCeiling", FieldReader::Optional, 50);
    execution.parent = reader.string("parent");
    const auto readTime = [&](const char *name) {
        const QString text = reader.string(name, FieldReader::Required);
        QDateTime time = QDateTime::fromString(text, Qt::ISODate);
        if (!time.isValid() && json.value(QLatin1String(name)).isString())
            reader.fail(name, QStringLiteral("expected an ISO 8601 time, got \"%1\"").arg(text));
        return time;
    };
    execution.issuedAt = readTime("issuedAt");
    execution.expiresAt = readTime("expiresAt");
    const QString status = reader.string("status", FieldReader::Optional, QStringLiteral("active"));
    if (const auto parsed = statusFromName(status))
        execution.status = *parsed;
    else
        reader.fail("status", QStringLiteral("must be one of active, completed, expired, revoked; got \"%1\"").arg(status));

    const QJsonArray capabilityArray = reader.array("capabilities", FieldReader::Required);
    for (qsizetype i = 0; i < capabilityArray.size(); ++i) {
        const QString capabilityPath = reader.pathOf("capabilities") + u'[' + QString::number(i) + u']';
        if (!capabilityArray[i].isObject()) {
            errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("expected an object"), capabilityPath});
            continue;
        }
        FieldReader capabilityReader(capabilityArray[i].toObject(), capabilityPath, errors);
        Capability capability;
        capability.action = capabilityReader.string("action", FieldReader::Required);
        capability.constraints = capabilityReader.object("constraints");
        capabilityReader.rejectUnknown({"action", "constraints"});
        execution.capabilities.append(capability);
    }
    reader.rejectUnknown({"id", "agent", "chain", "purpose", "capabilities", "budget", "riskCeiling",
                          "issuedAt", "expiresAt", "parent", "depth", "status"});
    return execution;
}

} // namespace mandate::identity
