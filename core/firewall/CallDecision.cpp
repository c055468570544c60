// SPDX-License-Identifier: Apache-2.0
#include "firewall/CallDecision.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace mandate::firewall {

QJsonObject CallDecision::toJson() const
{
    QJsonObject json{{QStringLiteral("decision"), allowed ? QStringLiteral("allow") : QStringLiteral("deny")},
                     {QStringLiteral("reasons"), QJsonArray::fromStringList(reasons)},
                     {QStringLiteral("errors"), QJsonArray::fromStringList(errors)},
                     {QStringLiteral("decision_id"), decisionId}};
    if (!allowed) {
        json.insert(QStringLiteral("step"), step);
        json.insert(QStringLiteral("message"), message);
    }
    if (retryAfterSecs > 0)
        json.insert(QStringLiteral("retry_after"), retryAfterSecs);
    if (hasExecution) {
        json.insert(QStringLiteral("execution"), view.execution.id);
        json.insert(QStringLiteral("budget"), view.remaining.toJson());
        json.insert(QStringLiteral("risk"), QJsonObject{{QStringLiteral("score"), view.riskScore},
                                                        {QStringLiteral("ceiling"), view.execution.riskCeiling}});
    }
    return json;
}

namespace {

/// Text that every JSON writer copies as is: printable ASCII other than the quote and backslash.
bool plain(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() >= 0x7f || c == u'"' || c == u'\\')
            return false;
    }
    return true;
}

bool plain(const QStringList &list)
{
    return std::all_of(list.cbegin(), list.cend(), [](const QString &text) { return plain(text); });
}

void appendPlain(QByteArray &out, const QString &text)
{
    out.append('"');
    out.append(text.toLatin1());
    out.append('"');
}

void appendPlain(QByteArray &out, const QStringList &list)
{
    out.append('[');
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendPlain(out, list.at(i));
    }
    out.append(']');
}

} // namespace

QByteArray CallDecision::toCompactJson() const
{
    const QString amount = view.remaining.amount.toString();
    if (!plain(decisionId) || !plain(reasons) || !plain(errors) || !plain(step) || !plain(message)
        || !plain(view.execution.id) || !plain(amount))
        return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
    // The members of toJson() in the (sorted) order QJsonDocument writes them.
    QByteArray out;
    out.reserve(256 + message.size());
    out.append('{');
    if (hasExecution) {
        out.append("\"budget\":{\"amount\":");
        appendPlain(out, amount);
        out.append(",\"calls\":" + QByteArray::number(view.remaining.calls));
        out.append(",\"tokens\":" + QByteArray::number(view.remaining.tokens));
        out.append("},");
    }
    out.append(allowed ? "\"decision\":\"allow\"" : "\"decision\":\"deny\"");
    out.append(",\"decision_id\":");
    appendPlain(out, decisionId);
    out.append(",\"errors\":");
    appendPlain(out, errors);
    if (hasExecution) {
        out.append(",\"execution\":");
        appendPlain(out, view.execution.id);
    }
    if (!allowed) {
        out.append(",\"message\":");
        appendPlain(out, message);
    }
    out.append(",\"reasons\":");
    appendPlain(out, reasons);
    if (retryAfterSecs > 0)
        out.append(",\"retry_after\":" + QByteArray::number(retryAfterSecs));
    if (hasExecution) {
        out.append(",\"risk\":{\"ceiling\":" + QByteArray::number(view.execution.riskCeiling));
        out.append(",\"score\":" + QByteArray::number(view.riskScore) + '}');
    }
    if (!allowed) {
        out.append(",\"step\":");
        appendPlain(out, step);
    }
    out.append('}');
    return out;
}

} // namespace mandate::firewall
