// SPDX-License-Identifier: Apache-2.0
#include "firewall/PlainArguments.h"

#include <QJsonArray>

namespace mandate::firewall::PlainArguments {

namespace {

bool isCedarEscape(const QString &name)
{
    return name == QLatin1String("__entity") || name == QLatin1String("__extn") || name == QLatin1String("__expr");
}

QString nulIn(const QString &where)
{
    return QStringLiteral("argument \"%1\" contains U+0000, which many upstreams read as the end of the text").arg(where);
}

QString whyNotValue(const QJsonValue &value, const QString &where);

QString whyNotObject(const QJsonObject &object, const QString &prefix)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString name = it.key();
        const QString where = prefix.isEmpty() ? name : prefix + u'.' + name;
        if (isCedarEscape(name))
            return QStringLiteral("argument \"%1\" is Cedar's escape for a typed value; arguments are plain JSON, "
                                  "typed by the schema").arg(where);
        if (name.contains(QChar(u'\0')))
            return nulIn(where);
        if (QString why = whyNotValue(it.value(), where); !why.isEmpty())
            return why;
    }
    return {};
}

QString whyNotValue(const QJsonValue &value, const QString &where)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString().contains(QChar(u'\0')) ? nulIn(where) : QString();
    case QJsonValue::Object:
        return whyNotObject(value.toObject(), where);
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (QString why = whyNotValue(array.at(i), where + u'[' + QString::number(i) + u']'); !why.isEmpty())
                return why;
        }
        return {};
    }
    default:
        return {};
    }
}

} // namespace

QString whyNot(const QJsonObject &args)
{
    return whyNotObject(args, QString());
}

} // namespace mandate::firewall::PlainArguments
