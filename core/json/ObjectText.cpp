// SPDX-License-Identifier: Apache-2.0
#include "json/ObjectText.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <utility>

namespace mandate::json {

namespace {

// The scanners below walk text the strict reader has accepted, so they check nothing: every
// string is closed, every bracket matched, every value followed by ',', '}' or ']'.

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

qsizetype skipSpace(QByteArrayView text, qsizetype at)
{
    while (isSpace(text[at]))
        ++at;
    return at;
}

/// From an opening quote to just after its closing one.
qsizetype endOfString(QByteArrayView text, qsizetype at)
{
    // memchr, vectorised, steps over most of a string at once; a quote is the end unless an odd
    // number of backslashes escapes it.
    const char *const data = text.data();
    const char *p = data + at + 1;
    for (;;) {
        const char *quote = static_cast<const char *>(std::memchr(p, '"', size_t(data + text.size() - p)));
        const char *before = quote;
        while (before[-1] == '\\')
            --before;
        if ((quote - before) % 2 == 0)
            return quote - data + 1;
        p = quote + 1;
    }
}

/// From a value's first byte to just after its last.
qsizetype endOfValue(QByteArrayView text, qsizetype at)
{
    const char first = text[at];
    if (first == '"')
        return endOfString(text, at);
    if (first == '{' || first == '[') {
        int depth = 0;
        for (qsizetype i = at;;) {
            const char c = text[i];
            if (c == '"') {
                i = endOfString(text, i);
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            ++i;
        }
    }
    qsizetype i = at + 1; // a number or a literal
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' && !isSpace(text[i]))
        ++i;
    return i;
}

/// Limits already met: what re-reading part of a text the strict reader accepted needs.
Limits unlimited()
{
    Limits limits;
    limits.maxBytes = std::numeric_limits<qsizetype>::max();
    limits.maxDepth = std::numeric_limits<int>::max();
    limits.maxStringBytes = std::numeric_limits<qsizetype>::max();
    limits.maxMembers = std::numeric_limits<qsizetype>::max();
    return limits;
}

/// A value's text (already accepted) as the QJsonValue parse() gives for it.
QJsonValue read(QByteArrayView value)
{
    // The common scalars directly: strings without escapes and integers that fit in 64 bits
    // (what parse() keeps exact), as parse() makes them.
    const char first = value.front();
    if (first == '"' && !value.contains('\\'))
        return QJsonValue(QString::fromUtf8(value.sliced(1, value.size() - 2)));
    if (first == '-' || (first >= '0' && first <= '9')) {
        qint64 integer = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), integer);
        if (error == std::errc() && end == value.data() + value.size())
            return QJsonValue(integer);
    }
    switch (first) {
    case 't': return QJsonValue(true);
    case 'f': return QJsonValue(false);
    case 'n': return QJsonValue(QJsonValue::Null);
    default: break;
    }
    // Containers through parse(), which builds them as it builds whole documents; the other
    // scalars (escaped strings, fractions, exponents, big numbers) through the builder alone,
    // which builds no container and reads them exactly as parse() does.
    auto parsed = first == '{' || first == '[' ? parse(value, unlimited()) : detail::parseWithOwnBuilder(value, unlimited());
    return parsed ? std::move(parsed).value() : QJsonValue();
}

/// Enough for a JWT's claims or an authorization detail in one allocation.
constexpr qsizetype kMembersReserved = 16;

bool isAscii(QLatin1StringView name)
{
    for (const char c : name) {
        if (static_cast<uchar>(c) >= 0x80)
            return false;
    }
    return true;
}

} // namespace

Result<ObjectText> ObjectText::parse(QByteArray text, const Limits &limits, Failure *failure)
{
    // The strict reader checks the text and says where the members lie in the same pass.
    QList<Member> members;
    members.reserve(kMembersReserved);
    if (Status valid = detail::validateRecordingMembers(text, limits, failure, members); !valid)
        return valid.error();
    const qsizetype begin = skipSpace(text, 0);
    if (std::as_const(text)[begin] != '{') {
        if (failure)
            *failure = Failure::NotAnObject;
        return Error{QStringLiteral("json"), QStringLiteral("expected a JSON object"), QStringLiteral("1:1")};
    }
    qsizetype end = text.size();
    while (isSpace(std::as_const(text)[end - 1]))
        --end;
    ObjectText object;
    object.m_text = std::move(text);
    object.m_begin = begin;
    object.m_size = end - begin;
    object.m_members = std::move(members);
    return object;
}

ObjectText::ObjectText(QByteArray text, qsizetype begin) : m_text(std::move(text)), m_begin(begin)
{
    // Names and values are stepped over once each: the index is built on the way to the end.
    const QByteArrayView all(m_text);
    m_members.reserve(kMembersReserved);
    qsizetype at = skipSpace(all, begin + 1);
    while (all[at] != '}') {
        Member member{};
        member.nameBegin = qint32(at);
        at = endOfString(all, at);
        member.nameSize = qint32(at - member.nameBegin);
        member.escapedName = slice(member.nameBegin, member.nameSize).contains('\\');
        at = skipSpace(all, skipSpace(all, at) + 1); // past the ':'
        member.valueBegin = qint32(at);
        at = endOfValue(all, at);
        member.valueSize = qint32(at - member.valueBegin);
        m_members.append(member);
        at = skipSpace(all, at);
        if (all[at] == ',')
            at = skipSpace(all, at + 1);
    }
    m_size = at + 1 - begin;
}

const ObjectText::Member *ObjectText::find(QByteArrayView utf8Name) const
{
    for (const Member &member : m_members) {
        const QByteArrayView raw = slice(member.nameBegin, member.nameSize);
        if (!member.escapedName) {
            if (raw.size() == utf8Name.size() + 2 && raw.sliced(1, utf8Name.size()) == utf8Name)
                return &member;
        } else if (read(raw).toString().toUtf8() == utf8Name) {
            return &member;
        }
    }
    return nullptr;
}

const ObjectText::Member *ObjectText::find(QLatin1StringView name) const
{
    // Member names are UTF-8; an ASCII name is the same bytes in both.
    if (isAscii(name))
        return find(QByteArrayView(name.data(), name.size()));
    return find(QByteArrayView(QString(name).toUtf8()));
}

bool ObjectText::contains(QLatin1StringView name) const
{
    return find(name) != nullptr;
}

bool ObjectText::contains(QStringView name) const
{
    return find(QByteArrayView(name.toUtf8())) != nullptr;
}

QJsonValue ObjectText::valueOf(const Member *member) const
{
    return member ? read(slice(member->valueBegin, member->valueSize)) : QJsonValue(QJsonValue::Undefined);
}

QJsonValue ObjectText::value(QLatin1StringView name) const
{
    return valueOf(find(name));
}

QJsonValue ObjectText::value(QStringView name) const
{
    return valueOf(find(QByteArrayView(name.toUtf8())));
}

QString ObjectText::string(QLatin1StringView name) const
{
    const QByteArrayView raw = rawValue(name);
    if (raw.isEmpty() || raw.front() != '"')
        return {};
    if (!raw.contains('\\'))
        return QString::fromUtf8(raw.sliced(1, raw.size() - 2));
    return read(raw).toString();
}

bool ObjectText::hasString(QLatin1StringView name, QStringView value) const
{
    const QByteArrayView raw = rawValue(name);
    if (raw.isEmpty() || raw.front() != '"' || value.isEmpty())
        return false;
    if (raw.contains('\\'))
        return read(raw).toString() == value;
    return QAnyStringView::equal(QUtf8StringView(raw.sliced(1, raw.size() - 2)), value);
}

QByteArrayView ObjectText::rawValue(QLatin1StringView name) const
{
    const Member *member = find(name);
    return member ? slice(member->valueBegin, member->valueSize) : QByteArrayView();
}

QList<ObjectText> ObjectText::objectsInArray(QLatin1StringView name) const
{
    QList<ObjectText> objects;
    const Member *member = find(name);
    if (!member || m_text[member->valueBegin] != '[')
        return objects;
    const QByteArrayView all(m_text);
    qsizetype at = skipSpace(all, member->valueBegin + 1);
    while (all[at] != ']') {
        qsizetype end = 0;
        if (all[at] == '{') {
            objects.append(ObjectText(m_text, at));
            end = at + objects.constLast().m_size;
        } else {
            end = endOfValue(all, at);
        }
        at = skipSpace(all, end);
        if (all[at] == ',')
            at = skipSpace(all, at + 1);
    }
    return objects;
}

QJsonObject ObjectText::toObject() const
{
    if (m_text.isNull())
        return {};
    return read(text()).toObject();
}

} // namespace mandate::json
