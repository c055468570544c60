// SPDX-License-Identifier: Apache-2.0
#include "identity/FieldReader.h"

#include <algorithm>
#include <limits>

namespace mandate::identity {

FieldReader::FieldReader(const QJsonObject &object, QString path, std::vector<Error> &errors)
    : m_object(object), m_path(std::move(path)), m_errors(errors)
{
}

QString FieldReader::pathOf(const char *name) const
{
    const QString member = QLatin1String(name);
    return m_path.isEmpty() ? member : m_path + QLatin1Char('.') + member;
}

void FieldReader::fail(const char *name, const QString &message)
{
    m_errors.push_back(Error{QStringLiteral("invalid"), message, pathOf(name)});
}

const QJsonValue *FieldReader::find(const char *name, Presence presence)
{
    const auto it = m_object.constFind(QLatin1String(name));
    if (it == m_object.constEnd() || it->isNull()) {
        if (presence == Required)
            fail(name, QStringLiteral("is required"));
        return nullptr;
    }
    m_current = *it;
    return &m_current;
}

QString FieldReader::string(const char *name, Presence presence, const QString &fallback)
{
    const QJsonValue *value = find(name, presence);
    if (!value)
        return fallback;
    if (!value->isString()) {
        fail(name, QStringLiteral("expected a string"));
        return fallback;
    }
    return value->toString();
}

qint64 FieldReader::integer(const char *name, Presence presence, qint64 fallback)
{
    const QJsonValue *value = find(name, presence);
    if (!value)
        return fallback;
    // A double that is integral is accepted: QJsonDocument turns large integers into doubles.
    const double d = value->toDouble();
    if (!value->isDouble() || d != static_cast<double>(value->toInteger())) {
        fail(name, QStringLiteral("expected an integer"));
        return fallback;
    }
    return value->toInteger();
}

int FieldReader::integer32(const char *name, Presence presence, int fallback)
{
    const qint64 value = integer(name, presence, fallback);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
        fail(name, QStringLiteral("expected an integer that fits in 32 bits, got %1").arg(value));
        return fallback;
    }
    return static_cast<int>(value);
}

QStringList FieldReader::stringList(const char *name, Presence presence)
{
    QStringList result;
    const QJsonValue *value = find(name, presence);
    if (!value)
        return result;
    if (!value->isArray()) {
        fail(name, QStringLiteral("expected an array of strings"));
        return result;
    }
    const QJsonArray items = value->toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items[i].isString()) {
            m_errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("expected a string"),
                                     pathOf(name) + u'[' + QString::number(i) + u']'});
            continue;
        }
        result.append(items[i].toString());
    }
    return result;
}

QJsonObject FieldReader::object(const char *name, Presence presence)
{
    const QJsonValue *value = find(name, presence);
    if (!value)
        return {};
    if (!value->isObject()) {
        fail(name, QStringLiteral("expected an object"));
        return {};
    }
    return value->toObject();
}

QJsonArray FieldReader::array(const char *name, Presence presence)
{
    const QJsonValue *value = find(name, presence);
    if (!value)
        return {};
    if (!value->isArray()) {
        fail(name, QStringLiteral("expected an array"));
        return {};
    }
    return value->toArray();
}

void FieldReader::rejectUnknown(std::initializer_list<const char *> known)
{
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        const QString key = it.key();
        const bool isKnown = std::any_of(known.begin(), known.end(),
                                         [&](const char *k) { return key == QLatin1String(k); });
        if (!isKnown) {
            m_errors.push_back(Error{QStringLiteral("invalid"), QStringLiteral("unknown field"),
                                     m_path.isEmpty() ? key : m_path + u'.' + key});
        }
    }
}

} // namespace mandate::identity
