// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "policy/EntityStore.h"
#include "policy/Schema.h"
#include "policy/Value.h"

#include <QByteArray>
#include <QJsonValue>

namespace mandate::policy {

/// Cedar's JSON formats for entity uids, values, entities and contexts, read exactly as Cedar
/// reads them: `__entity` / `__extn` escapes, and with a schema the implicit forms (a string
/// where the schema expects an extension type, `{"type","id"}` where it expects an entity).
class JsonFormats
{
public:
    /// Parses untrusted JSON text with the strict reader (bounded size and depth; exact 64-bit
    /// integers).
    static Result<QJsonValue> read(QByteArrayView text);

    /// `{"type": T, "id": I}` or `{"__entity": {...}}`.
    static Result<EntityRef> entityUid(const QJsonValue &json);
    /// Cedar's grammar for an entity type: `::`-joined identifiers, none of them a reserved
    /// word or `__cedar`, and nothing else (no spaces: Cedar wants names normalized).
    static bool isEntityTypeName(QStringView name);
    /// A value; `expected` (may be null) is the schema type it must have.
    static Result<Value> value(const QJsonValue &json, const SchemaType *expected);
    /// An entities array. With a schema, attributes and tags are typed by it and the schema's
    /// action entities (with their groups) are added. The store is finalized.
    static Result<EntityStore> entities(const QJsonValue &json, const Schema *schema);
    /// A context object for `action`; typed by the action's context in the schema when given.
    static Result<Value> context(const QJsonValue &json, const Schema *schema, EntityRef action);

    /// A Cedar value as JSON (entities and extensions escaped).
    static QJsonValue toJson(const Value &value);
};

} // namespace mandate::policy
