// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "policy/Ast.h"
#include "policy/Lexer.h"

#include <string_view>
#include <vector>

namespace mandate::policy {

/// Recursive-descent parser for Cedar policies. Recursion is bounded explicitly (maxDepth), so
/// deeply nested input yields an error instead of exhausting the stack. Errors carry
/// "line:column" in Error::path and a message naming what was expected.
class Parser
{
public:
    static constexpr int maxDepth = 200;       ///< nesting of parentheses / sets / records / calls
    static constexpr int maxTreeDepth = 2000;  ///< depth of the expression tree (long operator chains)

    explicit Parser(std::string_view source);

    /// All policies and templates of a file, ids policy0..N in file order.
    Result<std::vector<Policy>> parsePolicies();
    /// A single expression (whole input).
    Result<std::shared_ptr<const Expr>> parseExpression();

private:
    struct Failure
    {
        std::string message;
        int line, column;
    };

    const Token &peek(size_t ahead = 0) const;
    Token take();
    bool isIdent(std::string_view word, size_t ahead = 0) const;
    bool accept(Token::Kind kind);
    Token expect(Token::Kind kind, const char *what);
    void expectIdent(std::string_view word);
    [[noreturn]] void fail(const std::string &message, const Token &at) const;
    static std::string describe(const Token &token);

    Policy parsePolicy();
    void parseAnnotation(Policy &policy);
    ScopeConstraint parseScopeVar(std::string_view var);
    EntityRef parseEntityRef();
    std::string parsePath(Token first);
    /// Fails on a reserved word used as a name.
    void requireUnreserved(const Token &name) const;
    std::string unescape(const Token &token);

    std::unique_ptr<Expr> parseExpr();
    std::unique_ptr<Expr> parseOr();
    std::unique_ptr<Expr> parseAnd();
    std::unique_ptr<Expr> parseRelation();
    std::unique_ptr<Expr> parseAdd();
    std::unique_ptr<Expr> parseMult();
    std::unique_ptr<Expr> parseUnary();
    std::unique_ptr<Expr> parseMemberTail(std::unique_ptr<Expr> base);
    std::unique_ptr<Expr> parsePrimary();
    std::unique_ptr<Expr> parseCall(const Token &name, std::unique_ptr<Expr> receiver);
    std::vector<std::unique_ptr<Expr>> parseExprList(Token::Kind close);
    std::unique_ptr<Expr> node(Expr::Op op, const Token &at, std::vector<std::unique_ptr<Expr>> kids = {});
    std::unique_ptr<Expr> binary(Expr::Op op, const Token &at, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r);
    std::unique_ptr<Expr> fold(std::unique_ptr<Expr> e);

    std::string_view m_source;
    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    int m_depth = 0;
    std::string m_lexError;
};

} // namespace mandate::policy
