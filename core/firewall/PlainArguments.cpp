// SPDX-License-Identifier: Apache-2.0
#include "firewall/PlainArguments.h"

#include "policy/EntityUid.h"
#include "policy/Schema.h"

#include <QJsonArray>
#include <QStringList>

#include <optional>

namespace mandate::firewall::PlainArguments {

using policy::SchemaType;

namespace {

/// What is wrong, and where: the path's segments innermost first, added on the way out so
/// that a call with plain arguments builds no text at all.
struct Fault
{
    QString what;          ///< completes "argument \"<where>\" …"
    QStringList segments;  ///< "owner", "[0]", "filter"
};
using Check = std::optional<Fault>;

bool isCedarEscape(const QString &name)
{
    return name == QLatin1String("__entity") || name == QLatin1String("__extn") || name == QLatin1String("__expr");
}

Fault nul()
{
    return {QStringLiteral("contains U+0000, which many upstreams read as the end of the text"), {}};
}

const SchemaType *attributeType(const SchemaType *record, const QString &name)
{
    if (!record || record->kind != SchemaType::Kind::Record)
        return nullptr;
    const std::string key = name.toStdString();
    for (const SchemaType::Attribute &attribute : record->attributes) {
        if (attribute.name == key)
            return attribute.type.get();
    }
    return nullptr;  // undeclared: reading the context against the schema refuses it
}

Check checkValue(const QJsonValue &value, const SchemaType *type);

Check checkObject(const QJsonObject &object, const SchemaType *record)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString name = it.key();
        if (isCedarEscape(name))
            return Fault{QStringLiteral("is Cedar's escape for a typed value; arguments are plain JSON, typed by the schema"), {name}};
        if (name.contains(QChar(u'\0'))) {
            Fault fault = nul();
            fault.segments.append(name);
            return fault;
        }
        if (Check fault = checkValue(it.value(), attributeType(record, name))) {
            fault->segments.append(name);
            return fault;
        }
    }
    return std::nullopt;
}

Check checkArray(const QJsonArray &array, const SchemaType *element)
{
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (Check fault = checkValue(array.at(i), element)) {
            fault->segments.append(u'[' + QString::number(i) + u']');
            return fault;
        }
    }
    return std::nullopt;
}

/// An entity argument as the upstream reads it and the policy alike: a type and an id.
bool isPlainEntity(const QJsonValue &value)
{
    const QJsonObject object = value.toObject();
    return value.isObject() && object.size() == 2 && object.value(QLatin1String("type")).isString()
           && object.value(QLatin1String("id")).isString();
}

Check checkValue(const QJsonValue &value, const SchemaType *type)
{
    if (type && type->kind == SchemaType::Kind::Extension && !value.isString())
        return Fault{QStringLiteral("must be a string: the schema reads it as a %1").arg(QLatin1String(policy::Value::kindName(type->extension))), {}};
    if (type && type->kind == SchemaType::Kind::Entity && !isPlainEntity(value))
        return Fault{QStringLiteral("must be {\"type\":…,\"id\":…} and nothing else: the schema reads it as an entity"), {}};
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString().contains(QChar(u'\0')) ? Check(nul()) : std::nullopt;
    case QJsonValue::Object:
        return checkObject(value.toObject(), type);  // typed only when a record
    case QJsonValue::Array:
        return checkArray(value.toArray(), type && type->kind == SchemaType::Kind::Set ? type->element.get() : nullptr);
    default:
        return std::nullopt;
    }
}

} // namespace

QString whyNot(const QJsonObject &args, const policy::SchemaType *type)
{
    const Check fault = checkValue(QJsonValue(args), type);  // the schema may type the arguments as a whole
    if (!fault)
        return {};
    if (fault->segments.isEmpty())
        return QStringLiteral("the arguments %1").arg(fault->what);
    QString where;
    for (auto segment = fault->segments.crbegin(); segment != fault->segments.crend(); ++segment) {
        if (!where.isEmpty() && !segment->startsWith(u'['))
            where += u'.';
        where += *segment;
    }
    return QStringLiteral("argument \"%1\" %2").arg(where, fault->what);
}

const policy::SchemaType *argumentsType(const policy::Schema *schema, const QString &action)
{
    if (!schema)
        return nullptr;
    const std::optional<policy::EntityRef> uid = policy::UidTable::find("Action", action.toStdString());
    const policy::Schema::ActionDecl *declared = uid ? schema->action(*uid) : nullptr;
    return declared ? attributeType(declared->context.get(), QStringLiteral("args")) : nullptr;
}

} // namespace mandate::firewall::PlainArguments
