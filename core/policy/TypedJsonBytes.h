// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Schema.h"
#include "policy/Value.h"

#include <QByteArrayView>

#include <optional>

namespace mandate::policy {

/// Reads a schema-typed value straight from its JSON bytes, as JsonFormats reads it from a
/// QJsonValue, for the plain forms only: a replay reads a context for every request, and the
/// detour through QJsonDocument was most of that. Anything else gives nullopt and the caller
/// takes the JsonFormats path, so results and errors stay exactly its own: every error, the
/// `__entity` / `__extn` escapes, `\u` escapes and non-ASCII text, numbers that are not plain
/// integers of at most 18 digits, duplicate members, nesting deeper than kMaxDepth.
class TypedJsonBytes
{
public:
    static constexpr int kMaxDepth = 64;

    /// JsonFormats::context(json, &schema, action) for a context the schema types.
    static std::optional<Value> context(QByteArrayView json, const Schema &schema, EntityRef action);
    /// JsonFormats::value(json, &expected).
    static std::optional<Value> value(QByteArrayView json, const SchemaType &expected);
};

} // namespace mandate::policy
