// SPDX-License-Identifier: Apache-2.0
#include "firewall/CedarRequestWriter.h"

#include "audit/AuditRecord.h"
#include "json/JsonWriter.h"
#include "policy/EntityUid.h"
#include "policy/TypedJsonBytes.h"

namespace mandate::firewall {

namespace {

/// A JSON string as audit::appendCanonicalJson writes it: json::appendEscaped gives
/// writeCompact's escapes, which the canonical encoding shares.
void appendString(QByteArray &out, const QString &text)
{
    out.append('"');
    json::appendEscaped(out, QStringView(text));
    out.append('"');
}

void appendStrings(QByteArray &out, const QStringList &list)
{
    out.append('[');
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendString(out, list.at(i));
    }
    out.append(']');
}

void appendInteger(QByteArray &out, qint64 value)
{
    out.append(QByteArray::number(value));
}

/// {"id":…,"type":…}: the members of an entity uid in canonical (sorted) order.
void appendUid(QByteArray &out, QLatin1StringView type, const QString &id)
{
    out.append("{\"id\":");
    appendString(out, id);
    out.append(",\"type\":\"");
    out.append(type);
    out.append("\"}");
}

/// The context of CedarRequestBuilder::toJson, members in sorted order.
void appendContext(QByteArray &out, const CedarRequestBuilder::Input &input)
{
    const ExecutionView &view = *input.view;
    const identity::Execution &execution = view.execution;
    out.append("{\"args\":");
    audit::appendCanonicalJson(out, input.args);
    out.append(",\"budget\":{\"amount\":");
    appendString(out, view.remaining.amount.toString());
    out.append(",\"calls\":");
    appendInteger(out, view.remaining.calls);
    out.append(",\"tokens\":");
    appendInteger(out, view.remaining.tokens);
    out.append('}');
    if (input.confidence) {
        out.append(",\"confidence\":");
        appendString(out, *input.confidence);
    }
    out.append(",\"delegation\":{\"chain\":");
    appendStrings(out, execution.chain);
    out.append(",\"depth\":");
    appendInteger(out, execution.depth());
    out.append(",\"root\":");
    appendString(out, execution.rootHuman());
    out.append("},\"now\":\"");
    audit::appendRecordTime(out, input.now);  // Qt::ISODateWithMs of the UTC time, as toJson writes it
    out.append("\",\"risk\":{\"ceiling\":");
    appendInteger(out, execution.riskCeiling);
    out.append(",\"score\":");
    appendInteger(out, view.riskScore);
    out.append("},\"session\":{\"actions\":");
    appendStrings(out, view.sessionActions);
    out.append(",\"calls\":");
    appendInteger(out, view.sessionCalls);
    out.append(",\"denied\":");
    appendInteger(out, view.sessionDenied);
    out.append("}}");
}

} // namespace

CedarRequestWriter::Written CedarRequestWriter::write(const CedarRequestBuilder::Input &input, const QByteArray &canonicalEntities)
{
    // The request's five members in sorted order, as CedarEntityCache::canonicalRequest writes them.
    Written written;
    QByteArray &out = written.bytes;
    out.reserve(canonicalEntities.size() + 1024);
    out.append("{\"action\":");
    appendUid(out, QLatin1StringView("Action"), input.action);
    out.append(",\"context\":");
    written.contextBegin = out.size();
    appendContext(out, input);
    written.contextEnd = out.size();
    out.append(",\"entities\":");
    out.append(canonicalEntities);
    out.append(",\"principal\":");
    appendUid(out, QLatin1StringView("Execution"), input.view->execution.id);
    out.append(",\"resource\":");
    appendUid(out, QLatin1StringView("Tool"), input.tool);
    out.append('}');
    return written;
}

std::optional<policy::Request> CedarRequestWriter::read(const CedarRequestBuilder::Input &input, QByteArrayView context,
                                                        const policy::Schema *schema)
{
    if (!schema)
        return std::nullopt;
    // The uids as JsonFormats::entityUid reads them from the JSON form, kept by the request:
    // execution ids and entity-typed arguments come and go with the traffic.
    auto uids = std::make_shared<policy::UidLease>();
    const policy::UidLease::Scope scope(*uids);
    policy::Request request;
    request.uids = uids;
    request.principal = policy::UidTable::uid("Execution", input.view->execution.id.toStdString());
    request.action = policy::UidTable::uid("Action", input.action.toStdString());
    request.resource = policy::UidTable::uid("Tool", input.tool.toStdString());
    std::optional<policy::Value> typed = policy::TypedJsonBytes::context(context, *schema, request.action);
    if (!typed)
        return std::nullopt;
    request.context = std::move(*typed);
    return request;
}

} // namespace mandate::firewall
