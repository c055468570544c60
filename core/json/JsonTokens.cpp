// SPDX-License-Identifier: Apache-2.0
// The strict parser's tokens: strings (escapes, UTF-8 checked byte by byte), numbers, literals.
#include "json/JsonParser.h"

#include "common/Hex.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace mandate::json::detail {

namespace {

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

} // namespace

QString describeByte(uchar c)
{
    if (c >= 0x21 && c < 0x7f)
        return QStringLiteral("'%1'").arg(QLatin1Char(char(c)));
    return QStringLiteral("byte 0x%1").arg(c, 2, 16, QLatin1Char('0'));
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
        const int digit = hexDigitValue(m_text[m_pos + i]);
        if (digit < 0)
            return fail(QStringLiteral("invalid hex digit in \\u escape"), m_pos + i);
        value = value * 16 + unsigned(digit);
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

} // namespace mandate::json::detail
