// SPDX-License-Identifier: Apache-2.0
#include "broker/ExecutionTokenClaims.h"

#include "broker/AgentExecutionRequest.h"
#include "identity/CompactJsonWriter.h"

namespace mandate::broker {

QByteArray ExecutionTokenClaims::toJson() const
{
    const identity::Execution &e = execution;
    identity::CompactJsonWriter w(768 + 64 * e.chain.size() + e.purpose.size());
    w.beginObject();
    w.key("iss"); w.string(issuer);
    w.key("aud"); w.string(audience);
    w.key("iat"); w.integer(issuedAt);
    w.key("nbf"); w.integer(issuedAt);
    w.key("exp"); w.integer(expiresAt);
    w.key("jti"); w.string(jti);
    w.key("sub"); w.string(QStringLiteral("user:") + e.rootHuman());
    // RFC 8693 §4.1: the outermost act is the current actor; earlier actors nest inside it,
    // the immediate delegator (the chain's last) first, the earliest agent (chain[1]) innermost.
    w.key("act");
    w.beginObject();
    w.key("sub"); w.string(QStringLiteral("agent:") + e.agent);
    for (qsizetype i = e.chain.size() - 1; i >= 1; --i) {
        w.key("act");
        w.beginObject();
        w.key("sub"); w.string(QStringLiteral("agent:") + e.chain.at(i));
    }
    for (qsizetype i = e.chain.size() - 1; i >= 1; --i)
        w.endObject();
    w.endObject();
    w.key("client_id"); w.string(e.agent);
    w.key("scope"); w.string(scope);
    w.key("authorization_details");
    w.beginArray();
    w.beginObject();
    w.key("type"); w.string(QLatin1StringView(AgentExecutionRequest::kType));
    w.key("execution"); w.string(e.id);
    w.key("parent");
    if (e.parent.isEmpty())
        w.null();
    else
        w.string(e.parent);
    w.key("purpose"); w.string(e.purpose);
    w.key("actions"); w.strings(e.actions());
    w.key("budget");
    w.beginObject();
    w.key("calls"); w.integer(e.budget.calls);
    w.key("tokens"); w.integer(e.budget.tokens);
    w.key("amount"); w.string(e.budget.amount.toString());
    w.endObject();
    w.key("risk_ceiling"); w.integer(e.riskCeiling);
    w.key("depth"); w.integer(e.depth());
    w.endObject();
    w.endArray();
    w.endObject();
    return w.take();
}

} // namespace mandate::broker
