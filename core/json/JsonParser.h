// SPDX-License-Identifier: Apache-2.0
// Internal to core/json: the strict parser behind JsonReader.h, shared by JsonReader.cpp (the
// document's structure: nesting, members, duplicates) and JsonTokens.cpp (strings, numbers,
// literals). Nothing outside core/json includes it.
#pragma once

#include "json/JsonReader.h"

#include <QJsonArray>
#include <QJsonObject>

#include <memory>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mandate::json::detail {

/// One open array or object while parsing. The parser keeps these on an explicit stack, so
/// nesting costs heap, never native stack, whatever Limits::maxDepth says.
struct Frame
{
    bool isObject = false;
    qsizetype count = 0;
    /// Validation mode: where this object's member names start in Parser::m_names (a stack shared
    /// by all open objects, so an object costs no allocation of its own); once there are many,
    /// they move to a set.
    size_t namesBegin = 0;
    std::unique_ptr<std::unordered_set<std::string_view>> nameSet;
};

/// What a Frame holds while building (a parallel stack, so that validation, which builds
/// nothing, does not construct and destroy Qt containers for every object and array).
struct BuildFrame
{
    QJsonObject object;
    QJsonArray array;
    QString key;        ///< member name waiting for its value (objects only)...
    QByteArrayView latin1Key; ///< ...or, when it is plain ASCII without escapes, this slice of the input
};

/// "'x'" for a printable byte, "byte 0xNN" otherwise: how error messages name what they met.
QString describeByte(uchar c);

class Parser
{
public:
    /// With build = false the parser only validates (same checks, no values built).
    Parser(QByteArrayView text, const Limits &limits, bool build) : m_text(text), m_limits(limits), m_build(build) {}

    Result<QJsonValue> run();
    Failure failure() const { return m_failure; }
    /// Validation mode: record where the top-level object's members lie (ObjectText's index),
    /// so that reading them later needs no second pass over the text.
    void recordMembers(QList<detail::MemberSpan> *members) { m_members = members; }
    bool rootIsContainer() const { return m_rootIsContainer; }

private:
    enum class Expect { Value, ValueOrClose, Key, KeyOrClose, Colon, CommaOrClose };

    Error fail(const QString &message, qsizetype at, Failure kind = Failure::Syntax) const;
    Error fail(const QString &message) const { return fail(message, m_pos); }
    void skipSpace()
    {
        // Called before every token, and usually there is no space: worth inlining.
        const char *const text = m_text.data();
        const char *const end = text + m_text.size();
        const char *p = text + m_pos;
        while (p != end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            ++p;
        m_pos = p - text;
    }
    bool atEnd() const { return m_pos >= m_text.size(); }
    uchar peek() const { return static_cast<uchar>(m_text[m_pos]); }

    /// A string token as UTF-8: a slice of the input when it has no escapes (no allocation, the
    /// common case), else decoded into `storage`.
    struct StringToken
    {
        QByteArrayView utf8;
        bool ascii = false;
        QByteArray storage;
        QString toString() const { return ascii ? QString::fromLatin1(utf8) : QString::fromUtf8(utf8); }
    };
    std::optional<Error> parseString(StringToken &out);
    /// These check and consume one value; `out` receives it when building (nullptr: validation).
    std::optional<Error> parseNumber(QJsonValue *out);
    std::optional<Error> parseLiteral(QJsonValue *out);
    std::optional<Error> readUtf8(QByteArray *buffer);
    std::optional<Error> readEscape(QByteArray &buffer);
    std::optional<Error> readHex4(char16_t &out);
    /// Validation mode: records a member name of `frame`; false when it already has it.
    bool addName(Frame &frame, std::string_view name);

    QByteArrayView m_text;
    const Limits &m_limits;
    bool m_build;
    bool m_rootIsContainer = false;
    std::vector<std::string_view> m_names; ///< validation mode: member names of the open objects...
    std::vector<quint64> m_nameHeads;      ///< ...and their nameHead()s
    std::vector<QByteArray> m_nameStorage; ///< decoded member names that m_names point into
    QList<detail::MemberSpan> *m_members = nullptr;
    detail::MemberSpan m_member{};         ///< the top-level member being read
    qsizetype m_pos = 0;
    mutable Failure m_failure = Failure::None;
};

} // namespace mandate::json::detail
