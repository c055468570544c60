// SPDX-License-Identifier: Apache-2.0
#include "policy/Lexer.h"

#include <QByteArrayView>

#include <algorithm>

#include "common/Hex.h"

namespace mandate::policy {

namespace {

bool identStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool identChar(char c) { return identStart(c) || (c >= '0' && c <= '9'); }

void appendUtf8(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// Decodes one UTF-8 code point at raw[i] (input was validated by the caller's source check).
char32_t decodeUtf8(std::string_view raw, size_t &i)
{
    const auto b0 = static_cast<unsigned char>(raw[i++]);
    if (b0 < 0x80)
        return b0;
    int extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : 1;
    char32_t cp = b0 & (0x3F >> extra);
    while (extra-- > 0 && i < raw.size())
        cp = (cp << 6) | (static_cast<unsigned char>(raw[i++]) & 0x3F);
    return cp;
}

// Shared escape decoder: returns the code point, or -1 for a pattern wildcard, or -2 on error.
int64_t decodeOne(std::string_view raw, size_t &i, bool pattern, std::string &error)
{
    if (raw[i] != '\\')
        return decodeUtf8(raw, i);
    if (i + 1 >= raw.size()) {
        error = "unterminated escape sequence";
        return -2;
    }
    const char c = raw[i + 1];
    i += 2;
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case '0': return 0;
    case '\\': return '\\';
    case '\'': return '\'';
    case '"': return '"';
    case '*':
        if (pattern)
            return '*';
        error = "invalid escape `\\*` (only allowed in `like` patterns)";
        return -2;
    case 'x': {
        // Cedar's `\x` takes exactly two hex digits and ASCII only, as Rust's strings do.
        const int high = i + 1 < raw.size() ? hexDigitValue(raw[i]) : -1;
        const int low = high >= 0 ? hexDigitValue(raw[i + 1]) : -1;
        if (low < 0 || high > 7) {
            error = "invalid escape: `\\x` takes two hex digits from 00 to 7F";
            return -2;
        }
        i += 2;
        return high * 16 + low;
    }
    case 'u': {
        if (i >= raw.size() || raw[i] != '{') {
            error = "invalid unicode escape: expected `\\u{...}`";
            return -2;
        }
        ++i;
        uint32_t cp = 0;
        int count = 0;
        // Up to six hex digits; underscores may separate them, but not lead.
        if (i < raw.size() && raw[i] == '_') {
            error = "invalid unicode escape";
            return -2;
        }
        while (i < raw.size() && raw[i] != '}') {
            const char h = raw[i++];
            if (h == '_')
                continue;
            const int d = hexDigitValue(h);
            if (d < 0 || ++count > 6) {
                error = "invalid unicode escape";
                return -2;
            }
            cp = cp * 16 + uint32_t(d);
        }
        if (i >= raw.size() || count == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            error = "invalid unicode escape";
            return -2;
        }
        ++i;
        return cp;
    }
    default:
        error = std::string("invalid escape `\\") + c + '`';
        return -2;
    }
}

/// The length in bytes of the whitespace character at `pos`, or 0. Cedar skips any Unicode
/// White_Space (a form feed or a no-break space pasted from a document), not only ASCII's.
size_t whitespaceAt(std::string_view src, size_t pos)
{
    if (pos >= src.size())
        return 0;
    const unsigned char c = static_cast<unsigned char>(src[pos]);
    if (c < 0x80)
        return (c == ' ' || (c >= 0x09 && c <= 0x0D)) ? 1 : 0;
    size_t i = pos;
    const char32_t cp = decodeUtf8(src, i);
    const bool space = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
                       || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    return space ? i - pos : 0;
}

} // namespace

bool isReservedWord(std::string_view word)
{
    static constexpr std::string_view kReserved[] = {"true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"};
    return std::find(std::begin(kReserved), std::end(kReserved), word) != std::end(kReserved);
}

Lexer::Lexer(std::string_view source) : m_src(source)
{
    if (!QByteArrayView(source.data(), qsizetype(source.size())).isValidUtf8()) {
        m_error = "the text is not valid UTF-8";
        m_invalid = true;
    }
}

void Lexer::advance(size_t n)
{
    for (size_t k = 0; k < n && m_pos < m_src.size(); ++k) {
        const char c = m_src[m_pos++];
        if (c == '\n') {
            ++m_line;
            m_col = 1;
        } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++m_col;
        }
    }
}

Token Lexer::next()
{
    if (m_invalid) {
        Token t;
        t.kind = Token::Kind::Error;
        return t;
    }
    for (;;) {
        while (const size_t length = whitespaceAt(m_src, m_pos))
            advance(length);
        if (m_src.substr(m_pos, 2) == "//") {
            while (m_pos < m_src.size() && m_src[m_pos] != '\n')
                advance(1);
            continue;
        }
        break;
    }
    Token t;
    t.line = m_line;
    t.column = m_col;
    if (m_pos >= m_src.size())
        return t;
    const size_t start = m_pos;
    const char c = m_src[m_pos];
    auto punct = [&](Token::Kind kind, size_t n) {
        t.kind = kind;
        t.text = m_src.substr(start, n);
        advance(n);
        return t;
    };
    if (identStart(c)) {
        size_t end = m_pos;
        while (end < m_src.size() && identChar(m_src[end]))
            ++end;
        return punct(Token::Kind::Ident, end - start);
    }
    if (c >= '0' && c <= '9') {
        size_t end = m_pos;
        while (end < m_src.size() && m_src[end] >= '0' && m_src[end] <= '9')
            ++end;
        return punct(Token::Kind::Integer, end - start);
    }
    if (c == '"') {
        size_t end = m_pos + 1;
        while (end < m_src.size() && m_src[end] != '"' && m_src[end] != '\r') {
            if (m_src[end] == '\\')
                ++end;
            ++end;
        }
        if (end < m_src.size() && m_src[end] == '\r') {
            // As Cedar: a carriage return in a string is written `\r`, never raw.
            m_error = "a carriage return in a string literal must be written `\\r`";
            t.kind = Token::Kind::Error;
            return t;
        }
        if (end >= m_src.size()) {
            m_error = "unterminated string literal";
            t.kind = Token::Kind::Error;
            return t;
        }
        t.kind = Token::Kind::String;
        t.text = m_src.substr(start + 1, end - start - 1);
        advance(end + 1 - start);
        return t;
    }
    const std::string_view two = m_src.substr(m_pos, 2);
    if (two == "::") return punct(Token::Kind::ColonColon, 2);
    if (two == "==") return punct(Token::Kind::EqEq, 2);
    if (two == "!=") return punct(Token::Kind::NotEq, 2);
    if (two == "<=") return punct(Token::Kind::Le, 2);
    if (two == ">=") return punct(Token::Kind::Ge, 2);
    if (two == "&&") return punct(Token::Kind::AndAnd, 2);
    if (two == "||") return punct(Token::Kind::OrOr, 2);
    switch (c) {
    case '(': return punct(Token::Kind::LParen, 1);
    case ')': return punct(Token::Kind::RParen, 1);
    case '[': return punct(Token::Kind::LBracket, 1);
    case ']': return punct(Token::Kind::RBracket, 1);
    case '{': return punct(Token::Kind::LBrace, 1);
    case '}': return punct(Token::Kind::RBrace, 1);
    case ',': return punct(Token::Kind::Comma, 1);
    case ';': return punct(Token::Kind::Semicolon, 1);
    case ':': return punct(Token::Kind::Colon, 1);
    case '.': return punct(Token::Kind::Dot, 1);
    case '@': return punct(Token::Kind::At, 1);
    case '=': return punct(Token::Kind::Eq, 1);
    case '<': return punct(Token::Kind::Lt, 1);
    case '>': return punct(Token::Kind::Gt, 1);
    case '!': return punct(Token::Kind::Bang, 1);
    case '+': return punct(Token::Kind::Plus, 1);
    case '-': return punct(Token::Kind::Minus, 1);
    case '*': return punct(Token::Kind::Star, 1);
    case '?': {
        size_t end = m_pos + 1;
        while (end < m_src.size() && identChar(m_src[end]))
            ++end;
        if (end == m_pos + 1)
            return punct(Token::Kind::Question, 1);
        return punct(Token::Kind::Slot, end - start);
    }
    default: break;
    }
    size_t len = 1;
    while (m_pos + len < m_src.size() && (static_cast<unsigned char>(m_src[m_pos + len]) & 0xC0) == 0x80)
        ++len;
    m_error = "unexpected character `" + std::string(m_src.substr(m_pos, len)) + '`';
    t.kind = Token::Kind::Error;
    return t;
}

bool Lexer::unescape(std::string_view raw, std::string &out, std::string &error)
{
    out.clear();
    out.reserve(raw.size());
    if (raw.find('\\') == std::string_view::npos) {
        out.assign(raw);
        return true;
    }
    size_t i = 0;
    while (i < raw.size()) {
        const int64_t cp = decodeOne(raw, i, false, error);
        if (cp == -2)
            return false;
        appendUtf8(out, char32_t(cp));
    }
    return true;
}

bool Lexer::unescapePattern(std::string_view raw, std::u32string &out, std::string &error)
{
    out.clear();
    size_t i = 0;
    while (i < raw.size()) {
        // Only `\*` is a literal star: a star written any other way, `\u{2a}` too, is the
        // wildcard, as in Cedar (a pattern that reads as literal but matches anything would let
        // a forbid policy miss what it names).
        const bool literalStar = raw.substr(i, 2) == "\\*";
        const int64_t cp = decodeOne(raw, i, true, error);
        if (cp == -2)
            return false;
        out += (cp == '*' && !literalStar) ? char32_t(0xFFFFFFFF) : char32_t(cp);
    }
    return true;
}

} // namespace mandate::policy
