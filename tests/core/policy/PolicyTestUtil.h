// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Evaluator.h"
#include "policy/JsonFormats.h"
#include "policy/Parser.h"

#include <QString>

namespace mandate::policy::test {

inline std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), size_t(bytes.size()));
}

inline EntityStore entitiesFrom(const QByteArray &json, const Schema *schema = nullptr)
{
    auto parsed = JsonFormats::read(json);
    if (!parsed)
        qFatal("bad test entities: %s", qPrintable(parsed.error().toString()));
    auto store = JsonFormats::entities(parsed.value(), schema);
    if (!store)
        qFatal("bad test entities: %s", qPrintable(store.error().toString()));
    return std::move(store.value());
}

/// Evaluates `expression` and returns the result in Cedar syntax, or "error: <message>" /
/// "parse error: <message>".
inline QString evaluate(const QString &expression, const EntityStore &entities, const Request &request)
{
    const QByteArray utf8 = expression.toUtf8();
    Parser parser(view(utf8));
    auto expr = parser.parseExpression();
    if (!expr)
        return QStringLiteral("parse error: ") + expr.error().message;
    try {
        return QString::fromStdString(Evaluator(entities, request).eval(*expr.value()).toCedar());
    } catch (const EvalError &e) {
        return QStringLiteral("error: ") + QString::fromStdString(e.message);
    }
}

} // namespace mandate::policy::test
