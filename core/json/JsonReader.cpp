// SPDX-License-Identifier: Apache-2.0
#include "json/JsonReader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mandate::json {

namespace {

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

/// The first byte at or after `p` that a string cannot simply step over: '"', '\\', a control
/// character or a non-ASCII byte (the start of a UTF-8 sequence to check); `end` if none.
/// Strings are most of a token's bytes, so they are scanned 16 bytes at a time where possible.
const char *findStringSpecial(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        // Signed compare: bytes 0x80-0xFF are negative, so "< 0x20" flags them with the controls.
        const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                             _mm_cmplt_epi8(v, space));
        if (const int mask = _mm_movemask_epi8(special))
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
#endif
    for (; p < end; ++p) {
        const uchar c = static_cast<uchar>(*p);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return p;
    }
    return end;
}

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

QString describeByte(uchar c)
{
    if (c >= 0x21 && c < 0x7f)
        return QStringLiteral("'%1'").arg(QLatin1Char(char(c)));
    return QStringLiteral("byte 0x%1").arg(c, 2, 16, QLatin1Char('0'));
}

void appendUtf8(QByteArray &buffer, char32_t cp)
{
    if (cp < 0x80) {
        buffer.append(static_cast<char>(cp));
    } else if (cp < 0x800) {
        buffer.append(static_cast<char>(0xC0 | (cp >> 6)));
        buffer.append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buffer.append(static_cast<char>(0xE0 | (cp >> 12)));
        buffer.append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        buffer.append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        buffer.append(static_cast<char>(0xF0 | (cp >> 18)));
        buffer.append(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        buffer.append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        buffer.append(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

Error Parser::fail(const QString &message, qsizetype at, Failure kind) const
{
    m_failure = kind;
    // Line and column are only needed on failure, so they are computed here, not tracked.
    qsizetype line = 1;
    qsizetype column = 1;
    for (qsizetype i = 0; i < at && i < m_text.size(); ++i) {
        if (m_text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return Error{QStringLiteral("json"), message, QStringLiteral("%1:%2").arg(line).arg(column)};
}

std::optional<Error> Parser::readHex4(char16_t &out)
{
    if (m_text.size() - m_pos < 4)
        return fail(QStringLiteral("truncated \\u escape"));
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
        const uchar c = static_cast<uchar>(m_text[m_pos + i]);
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return fail(QStringLiteral("invalid hex digit in \\u escape"), m_pos + i);
        value = value * 16 + digit;
    }
    m_pos += 4;
    out = static_cast<char16_t>(value);
    return std::nullopt;
}

std::optional<Error> Parser::readEscape(QByteArray &buffer)
{
    // m_pos is on the backslash.
    const qsizetype start = m_pos;
    ++m_pos;
    if (atEnd())
        return fail(QStringLiteral("unterminated string"), start);
    const uchar c = peek();
    ++m_pos;
    switch (c) {
    case '"': buffer.append('"'); return std::nullopt;
    case '\\': buffer.append('\\'); return std::nullopt;
    case '/': buffer.append('/'); return std::nullopt;
    case 'b': buffer.append('\b'); return std::nullopt;
    case 'f': buffer.append('\f'); return std::nullopt;
    case 'n': buffer.append('\n'); return std::nullopt;
    case 'r': buffer.append('\r'); return std::nullopt;
    case 't': buffer.append('\t'); return std::nullopt;
    case 'u': break;
    default:
        return fail(QStringLiteral("invalid escape sequence \\%1").arg(describeByte(c)), start);
    }
    char16_t unit = 0;
    if (auto e = readHex4(unit))
        return e;
    if (unit >= 0xDC00 && unit <= 0xDFFF)
        return fail(QStringLiteral("lone low surrogate in \\u escape"), start, Failure::Encoding);
    if (unit < 0xD800 || unit > 0xDBFF) {
        appendUtf8(buffer, unit);
        return std::nullopt;
    }
    // A high surrogate must be followed at once by an escaped low surrogate.
    if (m_text.size() - m_pos < 2 || m_text[m_pos] != '\\' || m_text[m_pos + 1] != 'u')
        return fail(QStringLiteral("lone high surrogate in \\u escape"), start, Failure::Encoding);
    m_pos += 2;
    char16_t low = 0;
    if (auto e = readHex4(low))
        return e;
    if (low < 0xDC00 || low > 0xDFFF)
        return fail(QStringLiteral("high surrogate not followed by a low surrogate"), start, Failure::Encoding);
    appendUtf8(buffer, 0x10000 + ((char32_t(unit) - 0xD800) << 10) + (low - 0xDC00));
    return std::nullopt;
}

std::optional<Error> Parser::readUtf8(QByteArray *buffer)
{
    // Strict UTF-8 (RFC 3629): shortest form only, no UTF-16 surrogates, nothing above U+10FFFF.
    const qsizetype start = m_pos;
    const uchar lead = peek();
    int length = 0;
    uchar lo = 0x80;
    uchar hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            lo = 0xA0;
        else if (lead == 0xED)
            hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            lo = 0x90;
        else if (lead == 0xF4)
            hi = 0x8F;
    } else {
        return fail(QStringLiteral("invalid UTF-8 lead %1").arg(describeByte(lead)), start, Failure::Encoding);
    }
    if (m_text.size() - m_pos < length)
        return fail(QStringLiteral("truncated UTF-8 sequence"), start, Failure::Encoding);
    for (int i = 1; i < length; ++i) {
        const uchar c = static_cast<uchar>(m_text[m_pos + i]);
        const uchar min = i == 1 ? lo : 0x80;
        const uchar max = i == 1 ? hi : 0xBF;
        if (c < min || c > max)
            return fail(QStringLiteral("invalid UTF-8 sequence"), start, Failure::Encoding);
    }
    if (buffer)
        buffer->append(m_text.data() + m_pos, length);
    m_pos += length;
    return std::nullopt;
}

std::optional<Error> Parser::parseString(StringToken &out)
{
    const qsizetype start = m_pos;
    // Walked with a local pointer: m_pos is a member, and stores through a char pointer could
    // alias it, which would force a reload on every byte.
    const char *const text = m_text.data();
    const char *const end = text + m_text.size();
    const char *p = text + start + 1; // after the opening quote
    // Fast path: no escapes. Validate in place and convert once.
    bool ascii = true;
    for (;;) {
        p = findStringSpecial(p, end);
        m_pos = p - text;
        if (p == end)
            return fail(QStringLiteral("unterminated string"), start);
        const uchar c = static_cast<uchar>(*p);
        if (c == '"') {
            const QByteArrayView body = m_text.sliced(start + 1, m_pos - start - 1);
            ++m_pos;
            if (body.size() > m_limits.maxStringBytes)
                return fail(QStringLiteral("string longer than %1 bytes").arg(m_limits.maxStringBytes), start,
                            Failure::Limit);
            out.ascii = ascii;
            out.utf8 = body;
            return std::nullopt;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return fail(QStringLiteral("unescaped control character %1 in string").arg(describeByte(c)));
        ascii = false;
        if (auto e = readUtf8(nullptr))
            return e;
        p = text + m_pos;
    }

    // Slow path, from the first backslash: decode into a buffer.
    QByteArray buffer(text + start + 1, m_pos - start - 1);
    for (;;) {
        if (atEnd())
            return fail(QStringLiteral("unterminated string"), start);
        const uchar c = peek();
        if (c == '"') {
            ++m_pos;
            break;
        }
        if (c < 0x20)
            return fail(QStringLiteral("unescaped control character %1 in string").arg(describeByte(c)));
        if (c == '\\') {
            if (auto e = readEscape(buffer))
                return e;
        } else if (c >= 0x80) {
            if (auto e = readUtf8(&buffer))
                return e;
        } else {
            // Copy the run of plain ASCII at once.
            const char *run = text + m_pos;
            const char *runEnd = findStringSpecial(run + 1, end);
            buffer.append(run, runEnd - run);
            m_pos = runEnd - text;
        }
        if (buffer.size() > m_limits.maxStringBytes)
            return fail(QStringLiteral("string longer than %1 bytes").arg(m_limits.maxStringBytes), start,
                        Failure::Limit);
    }
    out.ascii = false;
    out.storage = std::move(buffer);
    out.utf8 = out.storage;
    return std::nullopt;
}

std::optional<Error> Parser::parseNumber(QJsonValue *out)
{
    const qsizetype start = m_pos;
    auto isDigit = [this] { return !atEnd() && peek() >= '0' && peek() <= '9'; };
    if (peek() == '-')
        ++m_pos;
    if (!isDigit())
        return fail(QStringLiteral("expected a digit"));
    if (peek() == '0') {
        ++m_pos;
        if (isDigit())
            return fail(QStringLiteral("leading zero in number"), start);
    } else {
        while (isDigit())
            ++m_pos;
    }
    bool integral = true;
    if (!atEnd() && peek() == '.') {
        integral = false;
        ++m_pos;
        if (!isDigit())
            return fail(QStringLiteral("expected a digit after the decimal point"));
        while (isDigit())
            ++m_pos;
    }
    if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
        integral = false;
        ++m_pos;
        if (!atEnd() && (peek() == '+' || peek() == '-'))
            ++m_pos;
        if (!isDigit())
            return fail(QStringLiteral("expected a digit in the exponent"));
        while (isDigit())
            ++m_pos;
    }
    const char *first = m_text.data() + start;
    const char *last = m_text.data() + m_pos;
    if (integral) {
        qint64 value = 0;
        const auto [ptr, ec] = std::from_chars(first, last, value);
        if (ec == std::errc() && ptr == last) {
            if (out)
                *out = QJsonValue(value);
            return std::nullopt;
        }
        // Too large for 64 bits: falls through to a double, as documented.
    }
    double value = 0;
    const auto [ptr, ec] = std::from_chars(first, last, value);
    // Out of range either way (overflow or underflow): reject rather than round to inf or 0.
    if (ec != std::errc() || ptr != last || !std::isfinite(value))
        return fail(QStringLiteral("number out of range"), start);
    // Integral values that fit are integers whatever their spelling (1e3, 20.0), as Qt's own
    // parser makes them: one value, one representation, whichever builder produced it.
    if (!out)
        return std::nullopt;
    if (std::trunc(value) == value && value >= -9223372036854775808.0 && value < 9223372036854775808.0) {
        *out = QJsonValue(static_cast<qint64>(value));
        return std::nullopt;
    }
    *out = QJsonValue(value);
    return std::nullopt;
}

std::optional<Error> Parser::parseLiteral(QJsonValue *out)
{
    auto matches = [this](QByteArrayView word) {
        return m_text.size() - m_pos >= word.size() && m_text.sliced(m_pos, word.size()) == word;
    };
    if (matches("true")) {
        if (out)
            *out = QJsonValue(true);
        m_pos += 4;
    } else if (matches("false")) {
        if (out)
            *out = QJsonValue(false);
        m_pos += 5;
    } else if (matches("null")) {
        if (out)
            *out = QJsonValue(QJsonValue::Null);
        m_pos += 4;
    } else {
        return fail(QStringLiteral("unexpected %1").arg(describeByte(peek())));
    }
    return std::nullopt;
}

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

} // namespace

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
