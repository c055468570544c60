// SPDX-License-Identifier: Apache-2.0
#include "broker/ExecutionTokenClaims.h"

#include "broker/AgentExecutionRequest.h"
#include "json/JsonWriter.h"

#include <charconv>

namespace mandate::broker {

namespace {

/// Appends what lies between the keys: member names and punctuation, fixed in this file.
template <qsizetype N>
void literal(QByteArray &out, const char (&text)[N])
{
    out.append(text, N - 1);
}

void integer(QByteArray &out, qint64 value)
{
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr - digits);
}

/// A JSON string, `prefix` then `text`, escaped as every other JSON writer of ours does.
void string(QByteArray &out, QStringView text, QLatin1StringView prefix = {})
{
    out.append('"');
    out.append(prefix.data(), prefix.size());
    json::appendEscaped(out, text);
    out.append('"');
}

void strings(QByteArray &out, const QList<identity::Capability> &capabilities)
{
    out.append('[');
    for (qsizetype i = 0; i < capabilities.size(); ++i) {
        if (i > 0)
            out.append(',');
        string(out, capabilities.at(i).action);
    }
    out.append(']');
}

} // namespace

QByteArray ExecutionTokenClaims::toJson() const
{
    const identity::Execution &e = execution;
    QByteArray out;
    out.reserve(768 + 64 * e.chain.size() + 2 * e.purpose.size());
    literal(out, "{\"iss\":");
    string(out, issuer);
    literal(out, ",\"aud\":");
    string(out, audience);
    literal(out, ",\"iat\":");
    integer(out, issuedAt);
    literal(out, ",\"nbf\":");
    integer(out, issuedAt);
    literal(out, ",\"exp\":");
    integer(out, expiresAt);
    literal(out, ",\"jti\":");
    string(out, jti);
    literal(out, ",\"sub\":");
    string(out, e.chain.isEmpty() ? QStringView() : QStringView(e.chain.first()), QLatin1StringView("user:"));
    // RFC 8693 §4.1: the outermost act is the current actor; earlier actors nest inside it,
    // the immediate delegator (the chain's last) first, the earliest agent (chain[1]) innermost.
    literal(out, ",\"act\":{\"sub\":");
    string(out, e.agent, QLatin1StringView("agent:"));
    for (qsizetype i = e.chain.size() - 1; i >= 1; --i) {
        literal(out, ",\"act\":{\"sub\":");
        string(out, e.chain.at(i), QLatin1StringView("agent:"));
    }
    for (qsizetype i = e.chain.size() - 1; i >= 1; --i)
        out.append('}');
    literal(out, "},\"client_id\":");
    string(out, e.agent);
    literal(out, ",\"scope\":");
    string(out, scope);
    literal(out, ",\"authorization_details\":[{\"type\":\"");
    json::appendEscaped(out, QByteArrayView(AgentExecutionRequest::kType));
    literal(out, "\"");
    literal(out, ",\"execution\":");
    string(out, e.id);
    literal(out, ",\"parent\":");
    if (e.parent.isEmpty())
        literal(out, "null");
    else
        string(out, e.parent);
    literal(out, ",\"purpose\":");
    string(out, e.purpose);
    literal(out, ",\"actions\":");
    strings(out, e.capabilities);
    literal(out, ",\"budget\":{\"calls\":");
    integer(out, e.budget.calls);
    literal(out, ",\"tokens\":");
    integer(out, e.budget.tokens);
    literal(out, ",\"amount\":");
    string(out, e.budget.amount.toString());
    literal(out, "},\"risk_ceiling\":");
    integer(out, e.riskCeiling);
    literal(out, ",\"depth\":");
    integer(out, e.depth());
    literal(out, "}]}");
    return out;
}

} // namespace mandate::broker
