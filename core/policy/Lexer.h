// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mandate::policy {

/// One token of Cedar source (policies and human-readable schemas share the lexer).
struct Token
{
    enum class Kind : uint8_t {
        End, Ident, String, Integer, Slot, // Slot: ?principal / ?resource
        LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Semicolon, Colon, ColonColon, Dot, At,
        Question, Eq, EqEq, NotEq, Lt, Le, Gt, Ge, AndAnd, OrOr, Bang, Plus, Minus, Star,
        Error
    };
    Kind kind = Kind::End;
    std::string_view text; ///< raw source text (for strings: between the quotes, still escaped)
    int line = 1;
    int column = 1;
};

/// Cedar's reserved words (`if`, `in`, `like`, ..., and `__cedar`): no type, namespace,
/// attribute or record key may be named so.
bool isReservedWord(std::string_view word);

/// Splits UTF-8 Cedar source into tokens, skipping whitespace and `//` comments.
/// Positions are 1-based; columns count Unicode characters.
class Lexer
{
public:
    /// Source that is not valid UTF-8 yields one Error token: every position after a bad byte
    /// would be a guess (a truncated sequence could swallow the character after it).
    explicit Lexer(std::string_view source);
    Token next();
    /// Message for the last Error token.
    const std::string &error() const { return m_error; }

    /// Decodes Cedar escapes (\n \r \t \0 \\ \' \" \u{...}) into UTF-8. Returns false with a
    /// message on a bad escape.
    static bool unescape(std::string_view raw, std::string &out, std::string &error);
    /// Decodes a `like` pattern into code points, -1 standing for an unescaped `*`.
    static bool unescapePattern(std::string_view raw, std::u32string &out, std::string &error);

private:
    void advance(size_t n);
    std::string_view m_src;
    bool m_invalid = false;  ///< not UTF-8: nothing is read
    size_t m_pos = 0;
    int m_line = 1;
    int m_col = 1;
    std::string m_error;
};

} // namespace mandate::policy
