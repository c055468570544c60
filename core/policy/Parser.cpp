// SPDX-License-Identifier: Apache-2.0
#include "policy/Parser.h"

#include <QSet>

namespace mandate::policy {

using K = Token::Kind;

QString Policy::annotation(const QString &key) const
{
    for (const auto &[k, v] : annotations)
        if (k == key)
            return v;
    return {};
}

Parser::Parser(std::string_view source) : m_source(source)
{
    Lexer lexer(source);
    for (;;) {
        Token t = lexer.next();
        if (t.kind == K::Error)
            m_lexError = lexer.error();
        m_tokens.push_back(t);
        if (t.kind == K::End || t.kind == K::Error)
            break;
    }
}

const Token &Parser::peek(size_t ahead) const
{
    const size_t i = std::min(m_pos + ahead, m_tokens.size() - 1);
    return m_tokens[i];
}

Token Parser::take()
{
    const Token &t = peek();
    if (t.kind == K::Error)
        fail(m_lexError, t);
    if (m_pos < m_tokens.size() - 1)
        ++m_pos;
    return t;
}

bool Parser::isIdent(std::string_view word, size_t ahead) const
{
    const Token &t = peek(ahead);
    return t.kind == K::Ident && t.text == word;
}

bool Parser::accept(K kind)
{
    if (peek().kind != kind)
        return false;
    take();
    return true;
}

std::string Parser::describe(const Token &t)
{
    switch (t.kind) {
    case K::End: return "end of input";
    case K::String: return "string literal";
    case K::Error: return "invalid token";
    default: return '`' + std::string(t.text) + '`';
    }
}

Token Parser::expect(K kind, const char *what)
{
    if (peek().kind == K::Error)
        fail(m_lexError, peek());
    if (peek().kind != kind)
        fail(std::string("expected ") + what + ", found " + describe(peek()), peek());
    return take();
}

void Parser::expectIdent(std::string_view word)
{
    if (!isIdent(word))
        fail("expected `" + std::string(word) + "`, found " + describe(peek()), peek());
    take();
}

void Parser::fail(const std::string &message, const Token &at) const
{
    // At a token the lexer could not make, its reason says more than what was expected there.
    throw Failure{at.kind == K::Error && !m_lexError.empty() ? m_lexError : message, at.line, at.column};
}

namespace {

Error toError(const std::string &message, int line, int column)
{
    return Error{QStringLiteral("parse"), QString::fromStdString(message),
                 QString::number(line) + QLatin1Char(':') + QString::number(column)};
}

} // namespace

Result<std::vector<Policy>> Parser::parsePolicies()
{
    std::vector<Policy> policies;
    try {
        while (peek().kind != K::End) {
            Policy p = parsePolicy();
            p.id = QStringLiteral("policy") + QString::number(policies.size());
            policies.push_back(std::move(p));
        }
    } catch (const Failure &f) {
        return toError(f.message, f.line, f.column);
    }
    return policies;
}

Result<std::shared_ptr<const Expr>> Parser::parseExpression()
{
    try {
        auto e = parseExpr();
        if (peek().kind != K::End)
            fail("unexpected " + describe(peek()) + " after the expression", peek());
        return std::shared_ptr<const Expr>(std::move(e));
    } catch (const Failure &f) {
        return toError(f.message, f.line, f.column);
    }
}

std::string Parser::unescape(const Token &token)
{
    std::string out, error;
    if (!Lexer::unescape(token.text, out, error))
        fail(error, token);
    return out;
}

void Parser::parseAnnotation(Policy &policy)
{
    const Token at = take(); // '@'
    const Token key = expect(K::Ident, "an annotation name after `@`");
    QString value;
    if (accept(K::LParen)) {
        value = QString::fromStdString(unescape(expect(K::String, "a string as the annotation value")));
        expect(K::RParen, "`)` after the annotation value");
    }
    const QString name = QString::fromUtf8(key.text.data(), qsizetype(key.text.size()));
    for (const auto &existing : policy.annotations)
        if (existing.first == name)
            fail("duplicate annotation `@" + std::string(key.text) + '`', at);
    policy.annotations.emplace_back(name, value);
}

Policy Parser::parsePolicy()
{
    Policy policy;
    while (peek().kind == K::At)
        parseAnnotation(policy);
    const Token effect = peek();
    policy.line = effect.line;
    policy.column = effect.column;
    if (isIdent("permit"))
        policy.effect = Policy::Effect::Permit;
    else if (isIdent("forbid"))
        policy.effect = Policy::Effect::Forbid;
    else
        fail("expected `permit` or `forbid`, found " + describe(effect), effect);
    take();
    expect(K::LParen, "`(` after the effect");
    policy.principal = parseScopeVar("principal");
    expect(K::Comma, "`,` after the principal constraint");
    policy.action = parseScopeVar("action");
    expect(K::Comma, "`,` after the action constraint");
    policy.resource = parseScopeVar("resource");
    if (peek().kind == K::Comma && peek(1).kind == K::RParen)
        take();  // one trailing comma, as Cedar allows
    if (peek().kind == K::Comma)
        fail("unexpected `,`: a policy scope has exactly principal, action and resource", peek());
    expect(K::RParen, "`)` to close the policy scope");
    policy.isTemplate = policy.principal.slot || policy.resource.slot;
    while (isIdent("when") || isIdent("unless")) {
        const bool when = take().text == "when";
        expect(K::LBrace, "`{` to open the condition");
        if (peek().kind == K::RBrace)
            fail("a condition must not be empty", peek());
        auto expr = parseExpr();
        expect(K::RBrace, "`}` to close the condition");
        policy.conditions.push_back({when, std::shared_ptr<const Expr>(std::move(expr))});
    }
    if (peek().kind != K::Semicolon)
        fail("expected `when`, `unless` or `;` after the policy, found " + describe(peek()), peek());
    take();
    return policy;
}

void Parser::requireUnreserved(const Token &name) const
{
    if (isReservedWord(name.text))
        fail("`" + std::string(name.text) + "` is a reserved word and cannot be used as a name", name);
}

std::string Parser::parsePath(Token first)
{
    requireUnreserved(first);
    std::string path(first.text);
    while (peek().kind == K::ColonColon && peek(1).kind == K::Ident) {
        take();
        const Token next = take();
        requireUnreserved(next);
        path += "::";
        path += next.text;
    }
    return path;
}

EntityRef Parser::parseEntityRef()
{
    const Token first = expect(K::Ident, "an entity reference like `Type::\"id\"`");
    const std::string type = parsePath(first);
    expect(K::ColonColon, "`::\"id\"` to complete the entity reference");
    const Token id = expect(K::String, "a quoted entity id");
    return UidTable::uid(type, unescape(id));
}

ScopeConstraint Parser::parseScopeVar(std::string_view var)
{
    const Token head = peek();
    if (!isIdent(var))
        fail("expected `" + std::string(var) + "`, found " + describe(head), head);
    take();
    ScopeConstraint c;
    const bool isAction = var == "action";
    const std::string slotName = '?' + std::string(var);
    auto entityOrSlot = [&](ScopeConstraint &target) {
        if (peek().kind == K::Slot) {
            const Token slot = take();
            if (isAction || slot.text != slotName)
                fail("`" + std::string(slot.text) + "` is not allowed here; expected an entity"
                         + (isAction ? std::string() : " or `" + slotName + '`'),
                     slot);
            target.slot = true;
            return;
        }
        target.entity = parseEntityRef();
    };
    auto checkAction = [&](EntityRef ref, const Token &at) {
        const std::string type = UidTable::typeName(ref.type);
        if (type != "Action" && !(type.size() > 8 && type.compare(type.size() - 8, 8, "::Action") == 0))
            fail("expected an entity of type `Action` in the action scope, found `" + type + '`', at);
    };
    if (accept(K::EqEq)) {
        c.kind = ScopeConstraint::Kind::Eq;
        const Token at = peek();
        entityOrSlot(c);
        if (isAction)
            checkAction(c.entity, at);
    } else if (isIdent("is")) {
        const Token at = take();
        if (isAction)
            fail("`is` is not allowed in the action scope", at);
        c.kind = ScopeConstraint::Kind::Is;
        c.type = UidTable::type(parsePath(expect(K::Ident, "an entity type after `is`")));
        if (isIdent("in")) {
            take();
            c.kind = ScopeConstraint::Kind::IsIn;
            entityOrSlot(c);
        }
    } else if (isIdent("in")) {
        take();
        c.kind = ScopeConstraint::Kind::In;
        if (peek().kind == K::LBracket) {
            const Token at = take();
            if (!isAction)
                fail("a set of entities is only allowed in the action scope", at);
            c.kind = ScopeConstraint::Kind::InSet;
            while (peek().kind != K::RBracket) {
                const Token e = peek();
                c.entities.push_back(parseEntityRef());
                checkAction(c.entities.back(), e);
                if (!accept(K::Comma))
                    break;
            }
            expect(K::RBracket, "`]` to close the set of actions");
        } else {
            const Token at = peek();
            entityOrSlot(c);
            if (isAction)
                checkAction(c.entity, at);
        }
    } else if (peek().kind != K::Comma && peek().kind != K::RParen) {
        fail("expected `==`, `in`" + std::string(isAction ? "" : ", `is`") + " or the end of the `" + std::string(var)
                 + "` constraint, found " + describe(peek()),
             peek());
    }
    return c;
}

} // namespace mandate::policy
