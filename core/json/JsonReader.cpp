// SPDX-License-Identifier: Apache-2.0
#include "json/JsonReader.h"
#include "json/JsonParser.h"

#include <QJsonDocument>

#include <algorithm>
#include <cstring>
#include <limits>

namespace mandate::json {

namespace detail {

namespace {

/// Kept member names beyond which a hash set beats a linear scan for duplicates.
constexpr size_t kLinearNameScan = 32;

/// A member name's first 8 bytes (zero-padded) as one number: the linear duplicate scan
/// compares these, and only on a match the lengths and the rest, so that for typical short
/// names it is a tight loop over integers rather than a memcmp per name.
quint64 nameHead(std::string_view name)
{
    quint64 head = 0;
    if (name.size() >= sizeof head) {
        std::memcpy(&head, name.data(), sizeof head);
    } else {
        for (size_t i = 0; i < name.size(); ++i)
            head |= quint64(static_cast<uchar>(name[i])) << (8 * i);
    }
    return head;
}

} // namespace

bool Parser::addName(Frame &frame, std::string_view name)
{
    if (frame.nameSet)
        return frame.nameSet->insert(name).second;
    // Only this object's names lie above namesBegin: nested objects drop theirs when they close.
    const quint64 head = nameHead(name);
    for (size_t i = frame.namesBegin; i < m_nameHeads.size(); ++i) {
        if (m_nameHeads[i] == head && m_names[i] == name)
            return false;
    }
    m_names.emplace_back(name.data(), name.size());
    m_nameHeads.push_back(head);
    if (m_names.size() - frame.namesBegin > kLinearNameScan) {
        frame.nameSet = std::make_unique<std::unordered_set<std::string_view>>(
            m_names.begin() + std::ptrdiff_t(frame.namesBegin), m_names.end());
        m_names.resize(frame.namesBegin);
        m_nameHeads.resize(frame.namesBegin);
    }
    return true;
}

Result<QJsonValue> Parser::run()
{
    if (m_text.size() > m_limits.maxBytes)
        return fail(QStringLiteral("document larger than %1 bytes").arg(m_limits.maxBytes), 0, Failure::Limit);

    std::vector<Frame> stack;
    stack.reserve(8);
    if (!m_build) {
        m_names.reserve(32);
        m_nameHeads.reserve(32);
    }
    std::vector<BuildFrame> built; // parallel to `stack` when building
    if (m_build)
        built.reserve(8);
    QJsonValue root;
    // The value just read, when building; assigned by every branch that reads one. It lives
    // outside the loop so that validation, which builds nothing, constructs no value per token.
    QJsonValue value;
    QJsonValue *const out = m_build ? &value : nullptr;
    Expect expect = Expect::Value;
    for (;;) {
        skipSpace();
        if (atEnd())
            return fail(stack.empty() ? QStringLiteral("empty document") : QStringLiteral("unexpected end of input"));
        const uchar c = peek();
        if (m_members && expect == Expect::Value && stack.size() == 1)
            m_member.valueBegin = qint32(m_pos); // only object members are recorded below

        if (expect == Expect::Colon) {
            if (c != ':')
                return fail(QStringLiteral("expected ':' after member name"));
            ++m_pos;
            expect = Expect::Value;
            continue;
        }
        if (expect == Expect::Key || expect == Expect::KeyOrClose) {
            Frame &top = stack.back();
            if (c == '}' && expect == Expect::KeyOrClose) {
                // empty object: handled below as a close
            } else if (c != '"') {
                return fail(expect == Expect::KeyOrClose ? QStringLiteral("expected a member name or '}'")
                                                         : QStringLiteral("expected a member name"));
            } else {
                const qsizetype keyPos = m_pos;
                StringToken key;
                if (auto e = parseString(key))
                    return *e;
                if (m_members && stack.size() == 1)
                    m_member = {qint32(keyPos), qint32(m_pos - keyPos), 0, 0, !key.storage.isNull()};
                bool duplicate = false;
                if (!m_build) {
                    if (!key.storage.isNull()) {
                        m_nameStorage.push_back(std::move(key.storage)); // keeps the bytes for the view
                        key.utf8 = m_nameStorage.back();
                    }
                    duplicate = !addName(top, std::string_view(key.utf8.data(), size_t(key.utf8.size())));
                } else if (key.ascii) {
                    BuildFrame &b = built.back();
                    duplicate = b.object.contains(QLatin1String(key.utf8));
                    b.latin1Key = key.utf8;
                } else {
                    BuildFrame &b = built.back();
                    b.key = QString::fromUtf8(key.utf8);
                    b.latin1Key = {};
                    duplicate = b.object.contains(b.key);
                }
                if (duplicate)
                    return fail(QStringLiteral("duplicate member name \"%1\"").arg(key.toString()), keyPos,
                                Failure::DuplicateKey);
                expect = Expect::Colon;
                continue;
            }
        }

        const bool closing = (c == '}' || c == ']')
                             && (expect == Expect::CommaOrClose || expect == Expect::ValueOrClose
                                 || expect == Expect::KeyOrClose);
        if (closing) {
            Frame &top = stack.back();
            if ((c == '}') != top.isObject)
                return fail(QStringLiteral("mismatched %1").arg(describeByte(c)));
            ++m_pos;
            if (m_build) {
                BuildFrame &b = built.back();
                value = top.isObject ? QJsonValue(std::move(b.object)) : QJsonValue(std::move(b.array));
                built.pop_back();
            }
            m_names.resize(top.namesBegin); // its names are done with; its parent's lie below
            m_nameHeads.resize(top.namesBegin);
            stack.pop_back();
            if (stack.empty())
                m_rootIsContainer = true;
        } else if (expect == Expect::CommaOrClose) {
            if (c != ',')
                return fail(stack.back().isObject ? QStringLiteral("expected ',' or '}'")
                                                  : QStringLiteral("expected ',' or ']'"));
            ++m_pos;
            expect = stack.back().isObject ? Expect::Key : Expect::Value;
            continue;
        } else if (c == '{' || c == '[') {
            if (int(stack.size()) >= m_limits.maxDepth)
                return fail(QStringLiteral("nesting deeper than %1").arg(m_limits.maxDepth), m_pos, Failure::Limit);
            ++m_pos;
            Frame &frame = stack.emplace_back();
            frame.isObject = c == '{';
            frame.namesBegin = m_names.size();
            if (m_build)
                built.emplace_back();
            expect = c == '{' ? Expect::KeyOrClose : Expect::ValueOrClose;
            continue;
        } else if (c == '"') {
            StringToken s;
            if (auto e = parseString(s))
                return *e;
            if (m_build)
                value = s.ascii ? QJsonValue(QLatin1String(s.utf8)) : QJsonValue(QString::fromUtf8(s.utf8));
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (auto e = parseNumber(out))
                return *e;
        } else {
            if (auto e = parseLiteral(out))
                return *e;
        }

        if (stack.empty()) {
            root = std::move(value);
            break;
        }
        Frame &top = stack.back();
        if (++top.count > m_limits.maxMembers)
            return fail(QStringLiteral("more than %1 members").arg(m_limits.maxMembers), m_pos, Failure::Limit);
        if (m_members && stack.size() == 1 && top.isObject) {
            m_member.valueSize = qint32(m_pos - m_member.valueBegin);
            m_members->append(m_member);
        }
        if (m_build) {
            BuildFrame &b = built.back();
            if (top.isObject && b.latin1Key.data())
                b.object.insert(QLatin1String(b.latin1Key), value);
            else if (top.isObject)
                b.object.insert(b.key, value);
            else
                b.array.append(value);
        }
        expect = Expect::CommaOrClose;
    }
    skipSpace();
    if (!atEnd())
        return fail(QStringLiteral("trailing data after the document"));
    return root;
}

} // namespace detail

using detail::Parser;


Result<QJsonValue> parse(QByteArrayView text, const Limits &limits)
{
    return parse(text, limits, nullptr);
}

Result<QJsonValue> parse(QByteArrayView text, const Limits &limits, Failure *failure)
{
    // Validate strictly first, without building anything; then let Qt's parser, which builds
    // QJsonObject storage far faster than member-by-member inserts, construct the value. It only
    // ever sees input already proven strict, on which both agree; should it refuse anything
    // anyway (its own nesting limit, scalars at top level), Mandate's builder does the work.
    Parser validator(text, limits, false);
    auto validated = validator.run();
    if (failure)
        *failure = validator.failure();
    if (!validated)
        return validated.error();
    if (validator.rootIsContainer()) {
        QJsonParseError error{};
        const QJsonDocument document =
            QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), text.size()), &error);
        if (error.error == QJsonParseError::NoError)
            return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    }
    return detail::parseWithOwnBuilder(text, limits);
}

Status detail::validateRecordingMembers(QByteArrayView text, const Limits &limits, Failure *failure,
                                        QList<MemberSpan> &members)
{
    // Offsets are recorded as qint32, compactly: larger text is over the size limit.
    Limits capped = limits;
    capped.maxBytes = std::min<qsizetype>(limits.maxBytes, std::numeric_limits<qint32>::max());
    Parser validator(text, capped, false);
    validator.recordMembers(&members);
    auto validated = validator.run();
    if (failure)
        *failure = validator.failure();
    if (!validated)
        return validated.error();
    return {};
}

namespace detail {

Result<QJsonValue> parseWithOwnBuilder(QByteArrayView text, const Limits &limits)
{
    return Parser(text, limits, true).run();
}

} // namespace detail

Result<QJsonObject> parseObject(QByteArrayView text, const Limits &limits)
{
    auto value = parse(text, limits);
    if (!value)
        return value.error();
    if (!value->isObject())
        return Error{QStringLiteral("json"), QStringLiteral("expected a JSON object"), QStringLiteral("1:1")};
    return value->toObject();
}

} // namespace mandate::json
