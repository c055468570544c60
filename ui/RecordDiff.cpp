// SPDX-License-Identifier: Apache-2.0
#include "RecordDiff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace mandate::ui {

QString RecordDiff::render(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: return {};
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QString::number(value.toInteger(static_cast<qint64>(value.toDouble())));
    case QJsonValue::String: return value.toString();
    case QJsonValue::Array: {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items.append(item.isObject() || item.isArray() ? render(item) : item.toVariant().toString());
        return items.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QStringList members;
        for (auto it = object.begin(); it != object.end(); ++it)
            members.append(it.key() + QStringLiteral(": ") + render(it.value()));
        return QStringLiteral("{") + members.join(QStringLiteral(", ")) + QStringLiteral("}");
    }
    }
    return {};
}

QList<RecordDiff::Field> RecordDiff::compare(const QJsonObject &before, const QJsonObject &after)
{
    QStringList keys = before.keys() + after.keys();
    keys.sort();
    keys.removeDuplicates();
    keys.removeAll(QStringLiteral("version"));
    QList<Field> fields;
    for (const QString &key : keys) {
        const QJsonValue a = before.value(key);
        const QJsonValue b = after.value(key);
        fields.append(Field{key, render(a), render(b), a != b});
    }
    return fields;
}

QList<RecordDiff::Field> RecordDiff::changes(const QJsonObject &before, const QJsonObject &after)
{
    QList<Field> all = compare(before, after);
    all.removeIf([](const Field &field) { return !field.changed; });
    return all;
}

} // namespace mandate::ui
