// SPDX-License-Identifier: Apache-2.0
#include "api/ToolCallArguments.h"

#include <QJsonArray>
#include <QSet>

namespace mandate::api::ToolCallArguments {

namespace {

QString ambiguousIn(const QJsonValue &value)
{
    if (value.isArray()) {
        for (const QJsonValue &element : value.toArray()) {
            if (QString why = ambiguousIn(element); !why.isEmpty())
                return why;
        }
        return {};
    }
    if (!value.isObject())
        return {};
    const QJsonObject object = value.toObject();
    QHash<QString, QString> byFolded;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString folded = it.key().toCaseFolded();
        if (const auto other = byFolded.constFind(folded); other != byFolded.constEnd())
            return QStringLiteral("members \"%1\" and \"%2\" differ only in case").arg(other.value(), it.key());
        byFolded.insert(folded, it.key());
        if (QString why = ambiguousIn(it.value()); !why.isEmpty())
            return why;
    }
    return {};
}

bool isKeyCharacter(char c, bool first)
{
    const bool lowerOrDigit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return first ? lowerOrDigit : lowerOrDigit || c == '_' || c == '-' || c == '*' || c == '/' || c == '@';
}

/// key "=" value, W3C Trace Context §3.3.1 (simple and multi-tenant keys alike).
bool isListMember(QByteArrayView member)
{
    const qsizetype equals = member.indexOf('=');
    if (equals <= 0 || equals > 256 || member.size() - equals - 1 < 1 || member.size() - equals - 1 > 256)
        return false;
    for (qsizetype i = 0; i < equals; ++i) {
        if (!isKeyCharacter(member[i], i == 0))
            return false;
    }
    const QByteArrayView value = member.sliced(equals + 1);
    for (const char c : value) {
        if (c < 0x20 || c > 0x7e || c == ',' || c == '=')
            return false;
    }
    return value.back() != ' ';
}

} // namespace

QString ambiguousNames(const QJsonObject &body)
{
    return ambiguousIn(body);
}

QString ambiguousQuery(const QList<QPair<QString, QString>> &items)
{
    QSet<QString> seen;
    for (const auto &[name, value] : items) {
        if (name.isEmpty())
            return QStringLiteral("a query parameter has no name");
        const QString folded = name.toCaseFolded();
        if (seen.contains(folded))
            return QStringLiteral("query parameter \"%1\" is given more than once").arg(name);
        seen.insert(folded);
    }
    return {};
}

QByteArray wellFormedTracestate(const QByteArray &header)
{
    if (header.size() > 512)
        return {};
    int members = 0;
    for (const QByteArray &element : header.split(',')) {
        const QByteArray member = element.trimmed();
        if (member.isEmpty())
            continue;
        if (++members > 32 || !isListMember(member))
            return {};
    }
    return members > 0 ? header.trimmed() : QByteArray();
}

} // namespace mandate::api::ToolCallArguments
