// SPDX-License-Identifier: Apache-2.0
#include "broker/AgentExecutionRequest.h"

#include "broker/OAuthError.h"
#include "json/JsonReader.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>

namespace mandate::broker {

namespace {

constexpr qint64 kMaxTtlSecs = 366LL * 24 * 3600;

/// RFC 6749 §3.3 scope-token characters: %x21 / %x23-5B / %x5D-7E.
bool isScopeToken(QStringView token)
{
    if (token.isEmpty())
        return false;
    for (QChar c : token) {
        const char16_t u = c.unicode();
        if (u < 0x21 || u > 0x7E || u == 0x22 || u == 0x5C)
            return false;
    }
    return true;
}

Error details(const QString &message)
{
    return OAuthError::invalidAuthorizationDetails(QStringLiteral("authorization_details: ") + message);
}

Result<qint64> nonNegative(const QJsonValue &value, const QString &name)
{
    // The strict reader keeps integers exact; a double (1.5, 1e3) is not an integer here.
    if (!value.isDouble() || value.toInteger(-1) < 0 || QJsonValue(value.toInteger()) != value)
        return details(QStringLiteral("%1 must be a non-negative integer").arg(name));
    return value.toInteger();
}

} // namespace

Result<AgentExecutionRequest> AgentExecutionRequest::parse(const QString &scope, const QString &authorizationDetails)
{
    AgentExecutionRequest request;
    QStringList scopeActions;
    if (!scope.isEmpty()) {
        for (const QString &token : scope.split(u' ')) {
            if (!isScopeToken(token))
                return OAuthError::invalidScope(QStringLiteral("scope must be actions separated by single spaces"));
            scopeActions.append(token);
        }
    }
    bool haveDetailActions = false;
    QStringList detailActions;
    if (!authorizationDetails.isEmpty()) {
        json::Limits limits;
        limits.maxBytes = 16 * 1024;
        limits.maxDepth = 8;
        auto parsed = json::parse(authorizationDetails.toUtf8(), limits);
        if (!parsed)
            return details(QStringLiteral("not valid JSON (%1)").arg(parsed.error().toString()));
        if (!parsed->isArray())
            return details(QStringLiteral("must be a JSON array"));
        const QJsonArray entries = parsed->toArray();
        bool seen = false;
        for (const QJsonValue &entryValue : entries) {
            if (!entryValue.isObject())
                return details(QStringLiteral("each entry must be an object"));
            const QJsonObject entry = entryValue.toObject();
            const QString type = entry.value(QStringLiteral("type")).toString();
            if (type != QLatin1String(kType))
                return details(QStringLiteral("unsupported type \"%1\" (supported: agent_execution)").arg(type));
            if (seen)
                return details(QStringLiteral("at most one agent_execution entry"));
            seen = true;
            for (auto it = entry.begin(); it != entry.end(); ++it) {
                const QString key = it.key();
                const QJsonValue value = it.value();
                if (key == QLatin1String("type"))
                    continue;
                if (key == QLatin1String("purpose")) {
                    if (!value.isString() || value.toString().size() > kMaxPurposeLength)
                        return details(QStringLiteral("purpose must be a string of at most %1 characters").arg(kMaxPurposeLength));
                    request.purpose = value.toString();
                } else if (key == QLatin1String("actions")) {
                    if (!value.isArray())
                        return details(QStringLiteral("actions must be an array of strings"));
                    haveDetailActions = true;
                    for (const QJsonValue &action : value.toArray()) {
                        if (!action.isString() || !isScopeToken(action.toString()))
                            return details(QStringLiteral("actions must be an array of action names"));
                        detailActions.append(action.toString());
                    }
                } else if (key == QLatin1String("budget")) {
                    if (!value.isObject())
                        return details(QStringLiteral("budget must be an object {calls, tokens, amount}"));
                    const QJsonObject budget = value.toObject();
                    for (auto b = budget.begin(); b != budget.end(); ++b) {
                        if (b.key() == QLatin1String("calls") || b.key() == QLatin1String("tokens")) {
                            auto number = nonNegative(b.value(), QStringLiteral("budget.") + b.key());
                            if (!number)
                                return number.error();
                            (b.key() == QLatin1String("calls") ? request.calls : request.tokens) = number.value();
                        } else if (b.key() == QLatin1String("amount")) {
                            const auto amount = b.value().isString() ? identity::Amount::parse(b.value().toString()) : std::nullopt;
                            if (!amount)
                                return details(QStringLiteral("budget.amount must be a decimal string like \"100.00\""));
                            request.amount = amount;
                        } else {
                            return details(QStringLiteral("unknown budget member \"%1\"").arg(b.key()));
                        }
                    }
                } else if (key == QLatin1String("risk_ceiling")) {
                    auto number = nonNegative(value, QStringLiteral("risk_ceiling"));
                    if (!number || number.value() > 100)
                        return details(QStringLiteral("risk_ceiling must be an integer from 0 to 100"));
                    request.riskCeiling = int(number.value());
                } else if (key == QLatin1String("ttl")) {
                    auto number = nonNegative(value, QStringLiteral("ttl"));
                    if (!number || number.value() == 0 || number.value() > kMaxTtlSecs)
                        return details(QStringLiteral("ttl must be a positive number of seconds"));
                    request.ttlSecs = number.value();
                } else {
                    return details(QStringLiteral("unknown member \"%1\"").arg(key));
                }
            }
        }
    }
    const auto canonical = [](QStringList list) {
        // Sorted, so duplicates are neighbours: removeDuplicates() would build a hash set.
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
        return list;
    };
    scopeActions = canonical(scopeActions);
    detailActions = canonical(detailActions);
    if (haveDetailActions && !scope.isEmpty() && scopeActions != detailActions)
        return OAuthError::invalidRequest(QStringLiteral("scope (%1) and authorization_details actions (%2) disagree")
                                              .arg(scopeActions.join(u' '), detailActions.join(u' ')));
    request.actions = haveDetailActions ? detailActions : scopeActions;
    if (request.actions.isEmpty())
        return OAuthError::invalidScope(QStringLiteral("no actions requested: name them in scope or in the "
                                                       "agent_execution authorization details"));
    return request;
}

} // namespace mandate::broker
