// SPDX-License-Identifier: Apache-2.0
#include "identity/Tool.h"

#include "identity/FieldReader.h"

#include <QJsonArray>

namespace mandate::identity {

std::optional<ToolAction> Tool::action(const QString &name) const
{
    for (const ToolAction &candidate : actions) {
        if (candidate.name == name)
            return candidate;
    }
    return std::nullopt;
}

QString Tool::inspectionName(Inspection mode)
{
    switch (mode) {
    case Inspection::Off: return QStringLiteral("off");
    case Inspection::Flag: return QStringLiteral("flag");
    case Inspection::Redact: return QStringLiteral("redact");
    case Inspection::Block: return QStringLiteral("block");
    }
    return {};
}

std::optional<Tool::Inspection> Tool::inspectionFromName(const QString &name)
{
    for (Inspection mode : {Inspection::Off, Inspection::Flag, Inspection::Redact, Inspection::Block}) {
        if (inspectionName(mode) == name)
            return mode;
    }
    return std::nullopt;
}

QJsonObject Tool::toJson() const
{
    QJsonArray actionArray;
    for (const ToolAction &a : actions) {
        actionArray.append(QJsonObject{{QStringLiteral("name"), a.name},
                                       {QStringLiteral("method"), a.method},
                                       {QStringLiteral("path"), a.path}});
    }
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("displayName"), displayName},
                     {QStringLiteral("description"), description},
                     {QStringLiteral("upstream"), upstream},
                     {QStringLiteral("actions"), actionArray},
                     {QStringLiteral("riskWeight"), riskWeight},
                     {QStringLiteral("rateLimitPerMinute"), rateLimitPerMinute},
                     {QStringLiteral("inspection"), inspectionName(inspection)},
                     {QStringLiteral("version"), version}};
    // Only when set: tools without one keep the JSON (and the ETags) they had before it existed.
    if (!upstreamCredential.isEmpty())
        json.insert(QStringLiteral("upstreamCredential"), upstreamCredential);
    return json;
}

Tool Tool::fromJson(const QJsonObject &json, const QString &path, std::vector<Error> &errors)
{
    FieldReader reader(json, path, errors);
    Tool tool;
    tool.id = reader.string("id", FieldReader::Required);
    tool.displayName = reader.string("displayName", FieldReader::Optional, tool.id);
    tool.description = reader.string("description");
    tool.upstream = reader.string("upstream");
    tool.upstreamCredential = reader.string("upstreamCredential");
    tool.riskWeight = reader.integer32("riskWeight", FieldReader::Optional, 1);
    tool.rateLimitPerMinute = reader.integer32("rateLimitPerMinute", FieldReader::Optional, 600);
    const QString inspection = reader.string("inspection", FieldReader::Optional, QStringLiteral("flag"));
    if (const auto mode = inspectionFromName(inspection))
        tool.inspection = *mode;
    else
        reader.fail("inspection", QStringLiteral("must be one of off, flag, redact, block; got \"%1\"").arg(inspection));
    tool.version = reader.integer("version");

    const QJsonArray actionArray = reader.array("actions", FieldReader::Required);
    for (qsizetype i = 0; i < actionArray.size(); ++i) {
        const QString actionPath = reader.pathOf("actions") + u'[' + QString::number(i) + u']';
        if (!actionArray[i].isObject()) {
            errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("expected an object"), actionPath});
            continue;
        }
        FieldReader actionReader(actionArray[i].toObject(), actionPath, errors);
        ToolAction action;
        action.name = actionReader.string("name", FieldReader::Required);
        action.method = actionReader.string("method", FieldReader::Optional, QStringLiteral("POST"));
        action.path = actionReader.string("path", FieldReader::Optional, QStringLiteral("/"));
        actionReader.rejectUnknown({"name", "method", "path"});
        tool.actions.append(action);
    }
    reader.rejectUnknown({"id", "displayName", "description", "upstream", "upstreamCredential", "actions", "riskWeight",
                          "rateLimitPerMinute", "inspection", "version"});
    return tool;
}

} // namespace mandate::identity
