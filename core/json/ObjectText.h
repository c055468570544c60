// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "json/JsonReader.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace mandate::json {

/// A JSON object that passed the strict reader, kept as its text with an index of its members,
/// for readers that need a few members of it (a verifier's registered claims, the broker's
/// execution id). Building a QJsonObject tree is most of what reading a token's claims costs,
/// and a tree kept in a cache takes several times the memory of its text; toObject() still
/// gives the whole tree to those who want it. Values read from it are exactly those parse()
/// gives. Copies share the text and the index.
class ObjectText
{
public:
    ObjectText() = default; ///< an empty object

    /// The checks, limits and errors of parse(); a document that is valid JSON but no object
    /// fails with Failure::NotAnObject and "expected a JSON object".
    static Result<ObjectText> parse(QByteArray text, const Limits &limits, Failure *failure = nullptr);

    qsizetype size() const { return m_members.size(); }
    bool contains(QLatin1StringView name) const;
    bool contains(QStringView name) const;
    /// As QJsonObject::value(): Undefined when there is no such member.
    QJsonValue value(QLatin1StringView name) const;
    QJsonValue value(QStringView name) const;
    /// value(name).toString() without the QJsonValue: null when absent or not a string.
    QString string(QLatin1StringView name) const;
    /// Whether the member is the string `value`, as string(name) == value for a non-empty
    /// value, without building the string (a verifier compares a claim on every call).
    bool hasString(QLatin1StringView name, QStringView value) const;
    /// The member's value as JSON text, a slice of text(); empty when there is no such member.
    QByteArrayView rawValue(QLatin1StringView name) const;
    /// The objects in the array member `name`, in order, other elements skipped; none when it
    /// is absent or not an array. They share this object's text.
    QList<ObjectText> objectsInArray(QLatin1StringView name) const;

    QJsonObject toObject() const;
    /// The object's JSON text, as it was read.
    QByteArrayView text() const { return QByteArrayView(m_text).sliced(m_begin, m_size); }

private:
    using Member = detail::MemberSpan;

    /// Indexes the object starting at `begin` in `text`, which the strict reader accepted.
    ObjectText(QByteArray text, qsizetype begin);
    const Member *find(QByteArrayView utf8Name) const;
    const Member *find(QLatin1StringView name) const;
    /// The member's value as parse() gives it; Undefined for none.
    QJsonValue valueOf(const Member *member) const;
    QByteArrayView slice(qint32 begin, qint32 size) const { return QByteArrayView(m_text).sliced(begin, size); }

    QByteArray m_text;
    qsizetype m_begin = 0;
    qsizetype m_size = 0;
    QList<Member> m_members;
};

} // namespace mandate::json
