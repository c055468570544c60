// SPDX-License-Identifier: Apache-2.0
#include "policy/JsonFormats.h"

#include "json/JsonReader.h"
#include "policy/Evaluator.h"
#include "policy/Extensions.h"
#include "policy/Lexer.h"

#include <QJsonArray>
#include <QJsonObject>

#include <unordered_set>

namespace mandate::policy {

namespace {

constexpr int kMaxDepth = 128;

Error formatError(const QString &message)
{
    return Error{QStringLiteral("format"), message, {}};
}

std::string utf8(const QString &s)
{
    return s.toStdString();
}

QString describeJson(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    default: return QStringLiteral("undefined");
    }
}

std::optional<Value> parseExtension(Value::Kind kind, const std::string &arg)
{
    switch (kind) {
    case Value::Kind::Decimal: if (auto v = ext::parseDecimal(arg)) return Value(*v); break;
    case Value::Kind::IpAddr: if (auto v = ext::parseIp(arg)) return Value(*v); break;
    case Value::Kind::DateTime: if (auto v = ext::parseDateTime(arg)) return Value(*v); break;
    case Value::Kind::Duration: if (auto v = ext::parseDuration(arg)) return Value(*v); break;
    default: break;
    }
    return std::nullopt;
}

Result<Value> valueAt(const QJsonValue &json, const SchemaType *expected, int depth);

Result<Value> extensionFromObject(const QJsonObject &extn)
{
    const QString fn = extn.value(QLatin1String("fn")).toString();
    if (extn.contains(QLatin1String("args"))) {
        // Multi-argument form, e.g. {"fn": "offset", "args": [datetime, duration]}.
        std::vector<Value> args;
        for (const QJsonValue &a : extn.value(QLatin1String("args")).toArray()) {
            auto v = valueAt(a, nullptr, 1);
            if (!v)
                return v;
            args.push_back(v.value());
        }
        try {
            return Evaluator::applyExtension(utf8(fn), args);
        } catch (const EvalError &e) {
            return formatError(QStringLiteral("`__extn` %1: %2").arg(fn, QString::fromStdString(e.message)));
        }
    }
    const QJsonValue arg = extn.value(QLatin1String("arg"));
    Value::Kind kind;
    if (fn == QLatin1String("decimal")) kind = Value::Kind::Decimal;
    else if (fn == QLatin1String("ip")) kind = Value::Kind::IpAddr;
    else if (fn == QLatin1String("datetime")) kind = Value::Kind::DateTime;
    else if (fn == QLatin1String("duration")) kind = Value::Kind::Duration;
    else return formatError(QStringLiteral("unknown extension function `%1` in `__extn`").arg(fn));
    if (!arg.isString())
        return formatError(QStringLiteral("`__extn` needs a string `arg`"));
    if (auto v = parseExtension(kind, utf8(arg.toString())))
        return *v;
    return formatError(QStringLiteral("invalid argument \"%1\" for `%2`").arg(arg.toString(), fn));
}

bool isInteger(const QJsonValue &v, int64_t &out)
{
    if (!v.isDouble())
        return false;
    const qint64 a = v.toInteger(1);
    const qint64 b = v.toInteger(2);
    if (a != b)
        return false;
    out = a;
    return true;
}

Result<Value> untyped(const QJsonValue &json, int depth)
{
    switch (json.type()) {
    case QJsonValue::Bool: return Value(json.toBool());
    case QJsonValue::Double: {
        int64_t i;
        if (!isInteger(json, i))
            return formatError(QStringLiteral("numbers must be 64-bit integers"));
        return Value(i);
    }
    case QJsonValue::String: return Value::string(utf8(json.toString()));
    case QJsonValue::Array: {
        std::vector<Value> values;
        for (const QJsonValue &item : json.toArray()) {
            auto v = valueAt(item, nullptr, depth + 1);
            if (!v)
                return v;
            values.push_back(v.value());
        }
        return Value::set(std::move(values));
    }
    case QJsonValue::Object: {
        const QJsonObject obj = json.toObject();
        if (obj.size() == 1 && obj.contains(QLatin1String("__entity"))) {
            auto uid = JsonFormats::entityUid(json);
            if (!uid)
                return uid.error();
            return Value(uid.value());
        }
        if (obj.size() == 1 && obj.contains(QLatin1String("__extn")))
            return extensionFromObject(obj.value(QLatin1String("__extn")).toObject());
        Record fields;
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            auto v = valueAt(it.value(), nullptr, depth + 1);
            if (!v)
                return formatError(QStringLiteral("attribute `%1`: %2").arg(it.key(), v.error().message));
            fields.emplace_back(utf8(it.key()), v.value());
        }
        return Value::record(std::move(fields));
    }
    default: return formatError(QStringLiteral("unexpected %1").arg(describeJson(json)));
    }
}

Result<Value> valueAt(const QJsonValue &json, const SchemaType *expected, int depth)
{
    if (depth > kMaxDepth)
        return formatError(QStringLiteral("value is nested too deeply"));
    if (!expected)
        return untyped(json, depth);
    auto mismatch = [&](const char *what) {
        return formatError(QStringLiteral("expected %1, found %2").arg(QLatin1String(what), describeJson(json)));
    };
    switch (expected->kind) {
    case SchemaType::Kind::Long: {
        int64_t i;
        if (!isInteger(json, i))
            return mismatch("a long");
        return Value(i);
    }
    case SchemaType::Kind::String:
        if (!json.isString())
            return mismatch("a string");
        return Value::string(utf8(json.toString()));
    case SchemaType::Kind::Bool:
        if (!json.isBool())
            return mismatch("a boolean");
        return Value(json.toBool());
    case SchemaType::Kind::Set: {
        if (!json.isArray())
            return mismatch("a set (array)");
        std::vector<Value> values;
        for (const QJsonValue &item : json.toArray()) {
            auto v = valueAt(item, expected->element.get(), depth + 1);
            if (!v)
                return v;
            values.push_back(v.value());
        }
        return Value::set(std::move(values));
    }
    case SchemaType::Kind::Record: {
        if (!json.isObject())
            return mismatch("a record (object)");
        const QJsonObject obj = json.toObject();
        Record fields;
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            const std::string key = utf8(it.key());
            const SchemaType::Attribute *attr = nullptr;
            for (const auto &a : expected->attributes)
                if (a.name == key)
                    attr = &a;
            if (!attr)
                return formatError(QStringLiteral("attribute `%1` is not declared in the schema").arg(it.key()));
            auto v = valueAt(it.value(), attr->type.get(), depth + 1);
            if (!v)
                return formatError(QStringLiteral("attribute `%1`: %2").arg(it.key(), v.error().message));
            fields.emplace_back(key, v.value());
        }
        for (const auto &a : expected->attributes)
            if (a.required && !obj.contains(QString::fromStdString(a.name)))
                return formatError(QStringLiteral("required attribute `%1` is missing").arg(QString::fromStdString(a.name)));
        return Value::record(std::move(fields));
    }
    case SchemaType::Kind::Entity: {
        auto uid = JsonFormats::entityUid(json);
        if (!uid)
            return uid.error();
        if (uid->type != expected->entityType)
            return formatError(QStringLiteral("expected an entity of type `%1`, found %2")
                                   .arg(QString::fromStdString(UidTable::typeName(expected->entityType)),
                                        QString::fromStdString(UidTable::display(uid.value()))));
        return Value(uid.value());
    }
    case SchemaType::Kind::Extension: {
        Result<Value> v = formatError(QString());
        if (json.isString()) {
            if (auto parsed = parseExtension(expected->extension, utf8(json.toString())))
                return *parsed;
            return formatError(QStringLiteral("invalid %1 \"%2\"")
                                   .arg(QLatin1String(Value::kindName(expected->extension)), json.toString()));
        }
        const QJsonObject obj = json.toObject();
        if (obj.contains(QLatin1String("__extn")))
            v = extensionFromObject(obj.value(QLatin1String("__extn")).toObject());
        else if (obj.contains(QLatin1String("fn")))
            v = extensionFromObject(obj);
        else
            return mismatch(Value::kindName(expected->extension));
        if (v && v->kind() != expected->extension)
            return mismatch(Value::kindName(expected->extension));
        return v;
    }
    case SchemaType::Kind::Named: break;
    }
    return formatError(QStringLiteral("unresolved schema type"));
}

} // namespace

Result<QJsonValue> JsonFormats::read(QByteArrayView text)
{
    json::Limits limits;
    limits.maxBytes = 256 << 20;
    limits.maxStringBytes = 16 << 20;
    limits.maxDepth = kMaxDepth;
    limits.maxMembers = 10'000'000;
    return json::parse(text, limits);
}

bool JsonFormats::isEntityTypeName(QStringView name)
{
    for (const QStringView part : name.split(QStringLiteral("::"))) {
        if (part.isEmpty())
            return false;
        std::string ascii;  // an identifier is ASCII: checked as it is copied
        for (qsizetype i = 0; i < part.size(); ++i) {
            const char16_t c = part[i].unicode();
            const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
            if (!letter && !(i > 0 && c >= u'0' && c <= u'9'))
                return false;
            ascii += char(c);
        }
        if (isReservedWord(ascii))
            return false;
    }
    return true;
}

Result<EntityRef> JsonFormats::entityUid(const QJsonValue &json)
{
    QJsonObject obj = json.toObject();
    if (obj.contains(QLatin1String("__entity")))
        obj = obj.value(QLatin1String("__entity")).toObject();
    const QJsonValue type = obj.value(QLatin1String("type"));
    const QJsonValue id = obj.value(QLatin1String("id"));
    if (!json.isObject() || !type.isString() || !id.isString())
        return formatError(QStringLiteral("expected an entity reference {\"type\": ..., \"id\": ...}, found %1")
                               .arg(describeJson(json)));
    if (!isEntityTypeName(type.toString()))
        return formatError(QStringLiteral("\"%1\" is not an entity type name (identifiers joined by ::, no reserved words)").arg(type.toString()));
    return UidTable::uid(utf8(type.toString()), utf8(id.toString()));
}

Result<Value> JsonFormats::value(const QJsonValue &json, const SchemaType *expected)
{
    return valueAt(json, expected, 0);
}

Result<EntityStore> JsonFormats::entities(const QJsonValue &json, const Schema *schema)
{
    if (!json.isArray())
        return formatError(QStringLiteral("entities must be a JSON array"));
    auto uids = std::make_shared<UidLease>();
    const UidLease::Scope scope(*uids);
    EntityStore store;
    store.keep(uids);
    const QJsonArray array = json.toArray();
    std::unordered_set<UidId> seen;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject obj = array.at(i).toObject();
        auto where = [i](const QString &message) {
            return formatError(QStringLiteral("entity #%1: %2").arg(i).arg(message));
        };
        auto uid = entityUid(obj.value(QLatin1String("uid")));
        if (!uid)
            return where(uid.error().message);
        Entity entity;
        entity.uid = uid.value();
        // Cedar rejects an entity listed twice rather than picking one.
        if (!seen.insert(entity.uid.uid).second)
            return where(QStringLiteral("duplicate entity entry %1").arg(QString::fromStdString(UidTable::display(entity.uid))));
        const Schema::EntityTypeDecl *decl = nullptr;
        if (schema) {
            decl = schema->entityType(entity.uid.type);
            if (!decl) {
                if (schema->action(entity.uid))
                    continue; // the schema defines action entities and their groups
                return where(QStringLiteral("entity type of %1 is not declared in the schema")
                                 .arg(QString::fromStdString(UidTable::display(entity.uid))));
            }
        }
        // Like Cedar, `attrs` and `parents` are required (possibly empty); `tags` is optional.
        const QJsonValue attrs = obj.value(QLatin1String("attrs"));
        if (!attrs.isObject())
            return where(attrs.isUndefined() ? QStringLiteral("missing field `attrs`") : QStringLiteral("`attrs` must be an object"));
        if (!obj.value(QLatin1String("parents")).isArray())
            return where(obj.contains(QLatin1String("parents")) ? QStringLiteral("`parents` must be an array")
                                                                : QStringLiteral("missing field `parents`"));
        auto attrValue = value(attrs, decl ? decl->shape.get() : nullptr);
        if (!attrValue)
            return where(attrValue.error().message);
        entity.attrs = std::make_shared<const Record>(attrValue->asRecord());
        const QJsonValue tags = obj.value(QLatin1String("tags"));
        if (tags.isObject()) {
            if (decl && !decl->tags && !tags.toObject().isEmpty())
                return where(QStringLiteral("entity type does not have tags in the schema"));
            Record fields;
            const QJsonObject t = tags.toObject();
            for (auto it = t.begin(); it != t.end(); ++it) {
                auto v = value(it.value(), decl ? decl->tags.get() : nullptr);
                if (!v)
                    return where(QStringLiteral("tag `%1`: %2").arg(it.key(), v.error().message));
                fields.emplace_back(utf8(it.key()), v.value());
            }
            entity.tags = std::make_shared<const Record>(Value::record(std::move(fields)).asRecord());
        }
        const QJsonValue parents = obj.value(QLatin1String("parents"));
        for (const QJsonValue &p : parents.toArray()) {
            auto parent = entityUid(p);
            if (!parent)
                return where(QStringLiteral("parent: %1").arg(parent.error().message));
            entity.parents.push_back(parent.value());
        }
        store.insert(std::move(entity));
    }
    if (schema)
        schema->addActionEntities(store);
    // Cedar refuses a hierarchy with a cycle: `in` over it would have no meaning to rely on.
    if (EntityRef cycle; !store.finalize(&cycle))
        return formatError(QStringLiteral("the entities' parents form a cycle through %1").arg(QString::fromStdString(UidTable::display(cycle))));
    return store;
}

Result<Value> JsonFormats::context(const QJsonValue &json, const Schema *schema, EntityRef action)
{
    const SchemaType *expected = nullptr;
    if (schema) {
        if (const Schema::ActionDecl *decl = schema->action(action))
            expected = decl->context.get();
    }
    if (json.isUndefined() || json.isNull())
        return value(QJsonObject(), expected);
    auto v = value(json, expected);
    if (v && !v->isRecord())
        return formatError(QStringLiteral("the context must be a record"));
    return v;
}

QJsonValue JsonFormats::toJson(const Value &v)
{
    switch (v.kind()) {
    case Value::Kind::Bool: return v.asBool();
    case Value::Kind::Long: return qint64(v.asLong());
    case Value::Kind::String: return QString::fromStdString(v.asString());
    case Value::Kind::Entity:
        return QJsonObject{{QStringLiteral("__entity"),
                            QJsonObject{{QStringLiteral("type"), QString::fromStdString(UidTable::typeName(v.asEntity().type))},
                                        {QStringLiteral("id"), QString::fromStdString(UidTable::id(v.asEntity()))}}}};
    case Value::Kind::Set: {
        QJsonArray a;
        for (const Value &e : v.asSet())
            a.append(toJson(e));
        return a;
    }
    case Value::Kind::Record: {
        QJsonObject o;
        for (const auto &[k, e] : v.asRecord())
            o.insert(QString::fromStdString(k), toJson(e));
        return o;
    }
    default: {
        const std::string text = v.toCedar();
        const size_t open = text.find('(');
        return QJsonObject{{QStringLiteral("__extn"),
                            QJsonObject{{QStringLiteral("fn"), QString::fromStdString(text.substr(0, open))},
                                        {QStringLiteral("arg"), QString::fromStdString(text.substr(open + 2, text.size() - open - 4))}}}};
    }
    }
}

} // namespace mandate::policy
