// SPDX-License-Identifier: Apache-2.0
#include "crypto/Jwks.h"

#include "crypto/JoseError.h"
#include "json/JsonReader.h"

#include <QJsonArray>
#include <QSet>

namespace mandate::crypto {

namespace {

Error bad(const QString &message)
{
    return joseError(JoseError::BadKey, message);
}

} // namespace

Result<Jwks> Jwks::fromJson(const QJsonObject &object)
{
    const auto keys = object.constFind(QStringLiteral("keys"));
    if (keys == object.constEnd() || !keys->isArray())
        return bad(QStringLiteral("JWKS has no \"keys\" array"));
    Jwks set;
    QSet<QString> kids;
    int index = 0;
    for (const QJsonValue &value : keys->toArray()) {
        if (!value.isObject())
            return bad(QStringLiteral("JWKS keys[%1] is not an object").arg(index));
        const QJsonObject o = value.toObject();
        const QJsonValue kid = o.value(QStringLiteral("kid"));
        if (!kid.isUndefined() && !kid.isString())
            return bad(QStringLiteral("JWKS keys[%1]: \"kid\" must be a string").arg(index));
        Entry entry;
        entry.kid = kid.toString();
        if (kid.isString()) {
            if (kids.contains(entry.kid))
                return bad(QStringLiteral("JWKS has more than one key with kid \"%1\"").arg(entry.kid));
            kids.insert(entry.kid);
        }
        auto jwk = Jwk::fromJson(o);
        if (jwk)
            entry.key = jwk.value();
        else
            entry.problem = jwk.error().message;
        set.m_entries.append(std::move(entry));
        ++index;
    }
    return set;
}

Result<Jwks> Jwks::parse(QByteArrayView json)
{
    json::Limits limits;
    limits.maxBytes = 1 << 20;
    limits.maxDepth = 8;
    auto object = json::parseObject(json, limits);
    if (!object)
        return bad(QStringLiteral("JWKS is not strict JSON: %1").arg(object.error().toString()));
    return fromJson(object.value());
}

void Jwks::add(const Jwk &key)
{
    m_entries.append(Entry{key.kid(), key, {}});
}

const Jwks::Entry *Jwks::find(QStringView kid) const
{
    for (const Entry &entry : m_entries) {
        if (entry.kid == kid)
            return &entry;
    }
    return nullptr;
}

QJsonObject Jwks::toJson() const
{
    QJsonArray keys;
    for (const Entry &entry : m_entries) {
        if (entry.key)
            keys.append(entry.key->toJson());
    }
    return QJsonObject{{QStringLiteral("keys"), keys}};
}

} // namespace mandate::crypto
