// SPDX-License-Identifier: Apache-2.0
// Parser: the expression grammar, with Cedar's precedence (loosest first):
// if-then-else, ||, &&, relations (== != < <= > >= in has like is; non-associative), + -, *,
// unary ! - (at most four), member access and method calls, primaries.
#include "policy/Extensions.h"
#include "policy/Parser.h"

#include <algorithm>
#include <cstring>

namespace mandate::policy {

using K = Token::Kind;
using Op = Expr::Op;

namespace {

struct DepthGuard
{
    int &depth;
    explicit DepthGuard(int &d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
};

struct MethodInfo
{
    const char *name;
    Op op;
    ExtFn fn;
    int arity; // not counting the receiver
};

const MethodInfo kMethods[] = {
    {"contains", Op::Contains, ExtFn::Decimal, 1},
    {"containsAll", Op::ContainsAll, ExtFn::Decimal, 1},
    {"containsAny", Op::ContainsAny, ExtFn::Decimal, 1},
    {"isEmpty", Op::IsEmpty, ExtFn::Decimal, 0},
    {"getTag", Op::GetTag, ExtFn::Decimal, 1},
    {"hasTag", Op::HasTag, ExtFn::Decimal, 1},
    {"lessThan", Op::Ext, ExtFn::LessThan, 1},
    {"lessThanOrEqual", Op::Ext, ExtFn::LessThanOrEqual, 1},
    {"greaterThan", Op::Ext, ExtFn::GreaterThan, 1},
    {"greaterThanOrEqual", Op::Ext, ExtFn::GreaterThanOrEqual, 1},
    {"isIpv4", Op::Ext, ExtFn::IsIpv4, 0},
    {"isIpv6", Op::Ext, ExtFn::IsIpv6, 0},
    {"isLoopback", Op::Ext, ExtFn::IsLoopback, 0},
    {"isMulticast", Op::Ext, ExtFn::IsMulticast, 0},
    {"isInRange", Op::Ext, ExtFn::IsInRange, 1},
    {"offset", Op::Ext, ExtFn::Offset, 1},
    {"durationSince", Op::Ext, ExtFn::DurationSince, 1},
    {"toDate", Op::Ext, ExtFn::ToDate, 0},
    {"toTime", Op::Ext, ExtFn::ToTime, 0},
    {"toMilliseconds", Op::Ext, ExtFn::ToMilliseconds, 0},
    {"toSeconds", Op::Ext, ExtFn::ToSeconds, 0},
    {"toMinutes", Op::Ext, ExtFn::ToMinutes, 0},
    {"toHours", Op::Ext, ExtFn::ToHours, 0},
    {"toDays", Op::Ext, ExtFn::ToDays, 0},
};

const MethodInfo kFunctions[] = {
    {"decimal", Op::Ext, ExtFn::Decimal, 1},
    {"ip", Op::Ext, ExtFn::Ip, 1},
    {"datetime", Op::Ext, ExtFn::DateTime, 1},
    {"duration", Op::Ext, ExtFn::Duration, 1},
};

bool isVarName(std::string_view s)
{
    return s == "principal" || s == "action" || s == "resource" || s == "context";
}

} // namespace

std::unique_ptr<Expr> Parser::node(Op op, const Token &at, std::vector<std::unique_ptr<Expr>> kids)
{
    auto e = std::make_unique<Expr>();
    e->op = op;
    e->line = at.line;
    e->column = at.column;
    int depth = 0;
    for (const auto &k : kids)
        depth = std::max(depth, k->depth);
    e->depth = depth + 1;
    if (e->depth > maxTreeDepth)
        fail("expression is nested too deeply (more than " + std::to_string(maxTreeDepth) + " levels)", at);
    e->kids = std::move(kids);
    return e;
}

std::unique_ptr<Expr> Parser::binary(Op op, const Token &at, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r)
{
    std::vector<std::unique_ptr<Expr>> kids;
    kids.push_back(std::move(l));
    kids.push_back(std::move(r));
    return node(op, at, std::move(kids));
}

// Literal sub-trees become one Literal node so that evaluation does no work for them.
std::unique_ptr<Expr> Parser::fold(std::unique_ptr<Expr> e)
{
    const bool allLiteral
        = std::all_of(e->kids.begin(), e->kids.end(), [](const auto &k) { return k->op == Op::Literal; });
    if (!allLiteral)
        return e;
    if (e->op == Op::SetLit) {
        std::vector<Value> values;
        values.reserve(e->kids.size());
        for (const auto &k : e->kids)
            values.push_back(k->value);
        e->value = Value::set(std::move(values));
    } else if (e->op == Op::RecordLit) {
        Record fields;
        for (size_t i = 0; i < e->kids.size(); ++i)
            fields.emplace_back(e->keys[i], e->kids[i]->value);
        e->value = Value::record(std::move(fields));
    } else if (e->op == Op::Ext && e->fn <= ExtFn::Duration && e->kids[0]->value.isString()) {
        const std::string &s = e->kids[0]->value.asString();
        std::optional<Value> v;
        switch (e->fn) {
        case ExtFn::Decimal: if (auto d = ext::parseDecimal(s)) v = Value(*d); break;
        case ExtFn::Ip: if (auto d = ext::parseIp(s)) v = Value(*d); break;
        case ExtFn::DateTime: if (auto d = ext::parseDateTime(s)) v = Value(*d); break;
        case ExtFn::Duration: if (auto d = ext::parseDuration(s)) v = Value(*d); break;
        default: break;
        }
        if (!v)
            return e; // invalid literal: an evaluation error, as in Cedar
        e->value = *v;
    } else {
        return e;
    }
    e->op = Op::Literal;
    e->kids.clear();
    e->keys.clear();
    e->depth = 1;
    return e;
}

std::unique_ptr<Expr> Parser::parseExpr()
{
    DepthGuard guard(m_depth);
    if (m_depth > maxDepth)
        fail("expression is nested too deeply (more than " + std::to_string(maxDepth) + " levels)", peek());
    if (isIdent("if")) {
        const Token at = take();
        std::vector<std::unique_ptr<Expr>> kids;
        kids.push_back(parseExpr());
        expectIdent("then");
        kids.push_back(parseExpr());
        expectIdent("else");
        kids.push_back(parseExpr());
        return node(Op::If, at, std::move(kids));
    }
    return parseOr();
}

std::unique_ptr<Expr> Parser::parseOr()
{
    auto left = parseAnd();
    while (peek().kind == K::OrOr) {
        const Token at = take();
        left = binary(Op::Or, at, std::move(left), parseAnd());
    }
    return left;
}

std::unique_ptr<Expr> Parser::parseAnd()
{
    auto left = parseRelation();
    while (peek().kind == K::AndAnd) {
        const Token at = take();
        left = binary(Op::And, at, std::move(left), parseRelation());
    }
    return left;
}

std::unique_ptr<Expr> Parser::parseRelation()
{
    auto left = parseAdd();
    const Token at = peek();
    Op op;
    switch (at.kind) {
    case K::EqEq: op = Op::Eq; break;
    case K::NotEq: op = Op::NotEq; break;
    case K::Lt: op = Op::Lt; break;
    case K::Le: op = Op::Le; break;
    case K::Gt: op = Op::Gt; break;
    case K::Ge: op = Op::Ge; break;
    case K::Eq: fail("unexpected `=`; use `==` for equality", at);
    case K::Ident:
        if (at.text == "in") {
            op = Op::In;
            break;
        }
        if (at.text == "has") {
            take();
            std::vector<std::string> path;
            const Token attr = peek();
            if (attr.kind == K::Ident) {
                requireUnreserved(attr);
                path.emplace_back(take().text);
            } else if (attr.kind == K::String)
                path.push_back(unescape(take()));
            else
                fail("expected an attribute name after `has`, found " + describe(attr), attr);
            if (attr.kind == K::Ident) {
                while (peek().kind == K::Dot && peek(1).kind == K::Ident && peek(2).kind != K::LParen) {
                    take();
                    requireUnreserved(peek());
                    path.emplace_back(take().text);
                }
            }
            // `e has a.b` means `e has a && e.a has b`: one node holds the whole path, so a long
            // path costs linear memory (spelling it out copies the subject once per segment).
            std::vector<std::unique_ptr<Expr>> kids;
            kids.push_back(std::move(left));
            auto e = node(Op::Has, at, std::move(kids));
            e->name = path[0];
            e->keys.assign(std::make_move_iterator(path.begin() + 1), std::make_move_iterator(path.end()));
            return e;
        }
        if (at.text == "like") {
            take();
            const Token pattern = expect(K::String, "a pattern string after `like`");
            std::string error;
            std::vector<std::unique_ptr<Expr>> kids;
            kids.push_back(std::move(left));
            auto e = node(Op::Like, at, std::move(kids));
            if (!Lexer::unescapePattern(pattern.text, e->pattern, error))
                fail(error, pattern);
            return e;
        }
        if (at.text == "is") {
            take();
            const std::string type = parsePath(expect(K::Ident, "an entity type after `is`"));
            std::vector<std::unique_ptr<Expr>> kids;
            kids.push_back(std::move(left));
            Op isOp = Op::Is;
            if (isIdent("in")) {
                take();
                kids.push_back(parseAdd());
                isOp = Op::IsIn;
            }
            auto e = node(isOp, at, std::move(kids));
            e->type = UidTable::type(type);
            return e;
        }
        return left;
    default: return left;
    }
    take();
    return binary(op, at, std::move(left), parseAdd());
}

std::unique_ptr<Expr> Parser::parseAdd()
{
    auto left = parseMult();
    while (peek().kind == K::Plus || peek().kind == K::Minus) {
        const Token at = take();
        left = binary(at.kind == K::Plus ? Op::Add : Op::Sub, at, std::move(left), parseMult());
    }
    return left;
}

std::unique_ptr<Expr> Parser::parseMult()
{
    auto left = parseUnary();
    while (peek().kind == K::Star) {
        const Token at = take();
        left = binary(Op::Mul, at, std::move(left), parseUnary());
    }
    return left;
}

std::unique_ptr<Expr> Parser::parseUnary()
{
    std::vector<Token> ops;
    while (peek().kind == K::Bang || peek().kind == K::Minus)
        ops.push_back(take());
    if (ops.size() > 4)
        fail("too many unary operators in a row (at most 4)", ops[4]);
    // Cedar's grammar takes a run of `!` or a run of `-`, never the two mixed: `!-1` needs parentheses.
    for (const Token &op : ops) {
        if (op.kind != ops.front().kind)
            fail("`!` and `-` cannot be mixed in a row of unary operators; add parentheses", op);
    }
    std::unique_ptr<Expr> e;
    // `-9223372036854775808` is one literal: fold a minus directly before an integer.
    if (!ops.empty() && ops.back().kind == K::Minus && peek().kind == K::Integer) {
        const Token lit = take();
        uint64_t magnitude = 0;
        bool overflow = false;
        for (const char c : lit.text)
            overflow |= __builtin_mul_overflow(magnitude, uint64_t(10), &magnitude)
                || __builtin_add_overflow(magnitude, uint64_t(c - '0'), &magnitude);
        if (overflow || magnitude > uint64_t(1) << 63)
            fail("integer literal `-" + std::string(lit.text) + "` is out of range", ops.back());
        e = node(Op::Literal, ops.back());
        e->value = Value(int64_t(uint64_t(0) - magnitude));
        ops.pop_back();
        e = parseMemberTail(std::move(e));
    } else {
        e = parseMemberTail(parsePrimary());
    }
    while (!ops.empty()) {
        const Token op = ops.back();
        ops.pop_back();
        std::vector<std::unique_ptr<Expr>> kids;
        kids.push_back(std::move(e));
        e = node(op.kind == K::Bang ? Op::Not : Op::Neg, op, std::move(kids));
    }
    return e;
}

std::unique_ptr<Expr> Parser::parseMemberTail(std::unique_ptr<Expr> base)
{
    for (;;) {
        if (peek().kind == K::Dot) {
            take();
            const Token name = expect(K::Ident, "an attribute or method name after `.`");
            requireUnreserved(name);
            if (peek().kind == K::LParen) {
                base = parseCall(name, std::move(base));
                continue;
            }
            std::vector<std::unique_ptr<Expr>> kids;
            kids.push_back(std::move(base));
            base = node(Op::Attr, name, std::move(kids));
            base->name = std::string(name.text);
        } else if (peek().kind == K::LBracket) {
            const Token at = take();
            const Token key = expect(K::String, "a string attribute name inside `[...]`");
            expect(K::RBracket, "`]` after the attribute name");
            std::vector<std::unique_ptr<Expr>> kids;
            kids.push_back(std::move(base));
            base = node(Op::Attr, at, std::move(kids));
            base->name = unescape(key);
        } else {
            return base;
        }
    }
}

std::vector<std::unique_ptr<Expr>> Parser::parseExprList(K close)
{
    std::vector<std::unique_ptr<Expr>> items;
    while (peek().kind != close) {
        items.push_back(parseExpr());
        if (!accept(K::Comma))
            break;
    }
    expect(close, close == K::RParen ? "`)` to close the argument list" : "`]` to close the set");
    return items;
}

std::unique_ptr<Expr> Parser::parseCall(const Token &name, std::unique_ptr<Expr> receiver)
{
    expect(K::LParen, "`(`");
    DepthGuard guard(m_depth);
    if (m_depth > maxDepth)
        fail("expression is nested too deeply", name);
    auto args = parseExprList(K::RParen);
    const MethodInfo *info = nullptr;
    const std::string fname(name.text);
    if (receiver) {
        for (const auto &m : kMethods)
            if (fname == m.name)
                info = &m;
        if (!info)
            fail("unknown method `" + fname + '`', name);
    } else {
        for (const auto &f : kFunctions)
            if (fname == f.name)
                info = &f;
        if (!info) {
            for (const auto &m : kMethods)
                if (fname == m.name)
                    fail("`" + fname + "` is a method; call it as `e." + fname + "(...)`", name);
            fail("unknown function `" + fname + '`', name);
        }
    }
    const bool badArity = int(args.size()) != info->arity;
    // Cedar reports a wrong argument count to an extension function when evaluating, not parsing.
    if (badArity && info->op != Op::Ext)
        fail("`" + fname + "` takes " + std::to_string(info->arity) + " argument" + (info->arity == 1 ? "" : "s")
                 + ", found " + std::to_string(args.size()),
             name);
    std::vector<std::unique_ptr<Expr>> kids;
    if (receiver)
        kids.push_back(std::move(receiver));
    for (auto &a : args)
        kids.push_back(std::move(a));
    auto e = node(info->op, name, std::move(kids));
    e->fn = info->fn;
    e->badArity = badArity;
    return badArity ? std::move(e) : fold(std::move(e));
}

std::unique_ptr<Expr> Parser::parsePrimary()
{
    const Token t = peek();
    switch (t.kind) {
    case K::Integer: {
        take();
        uint64_t v = 0;
        bool overflow = false;
        for (const char c : t.text)
            overflow |= __builtin_mul_overflow(v, uint64_t(10), &v) || __builtin_add_overflow(v, uint64_t(c - '0'), &v);
        if (overflow || v > uint64_t(INT64_MAX))
            fail("integer literal `" + std::string(t.text) + "` is out of range", t);
        auto e = node(Op::Literal, t);
        e->value = Value(int64_t(v));
        return e;
    }
    case K::String: {
        take();
        auto e = node(Op::Literal, t);
        e->value = Value::string(unescape(t));
        return e;
    }
    case K::LParen: {
        take();
        auto e = parseExpr();
        expect(K::RParen, "`)` to close the parenthesis");
        return e;
    }
    case K::LBracket: {
        take();
        DepthGuard guard(m_depth);
        if (m_depth > maxDepth)
            fail("expression is nested too deeply", t);
        return fold(node(Op::SetLit, t, parseExprList(K::RBracket)));
    }
    case K::LBrace: {
        take();
        DepthGuard guard(m_depth);
        if (m_depth > maxDepth)
            fail("expression is nested too deeply", t);
        std::vector<std::string> keys;
        std::vector<std::unique_ptr<Expr>> values;
        while (peek().kind != K::RBrace) {
            const Token key = peek();
            std::string name;
            if (key.kind == K::Ident) {
                requireUnreserved(key);
                name = std::string(take().text);
            } else if (key.kind == K::String)
                name = unescape(take());
            else
                fail("expected a record key (identifier or string), found " + describe(key), key);
            if (std::find(keys.begin(), keys.end(), name) != keys.end())
                fail("duplicate key `" + name + "` in record literal", key);
            expect(K::Colon, "`:` after the record key");
            keys.push_back(std::move(name));
            values.push_back(parseExpr());
            if (!accept(K::Comma))
                break;
        }
        expect(K::RBrace, "`}` to close the record");
        auto e = node(Op::RecordLit, t, std::move(values));
        e->keys = std::move(keys);
        return fold(std::move(e));
    }
    case K::Slot:
        fail("template slot `" + std::string(t.text) + "` is only allowed in the policy scope", t);
    case K::Ident: {
        take();
        if (t.text == "true" || t.text == "false") {
            auto e = node(Op::Literal, t);
            e->value = Value(t.text == "true");
            return e;
        }
        if (t.text == "if")
            fail("an `if` expression must be wrapped in parentheses here", t);
        if (peek().kind == K::LParen)
            return parseCall(t, nullptr);
        if (isVarName(t.text) && peek().kind != K::ColonColon) {
            auto e = node(Op::Var, t);
            e->var = t.text == "principal" ? Expr::Var::Principal
                : t.text == "action"       ? Expr::Var::Action
                : t.text == "resource"     ? Expr::Var::Resource
                                           : Expr::Var::Context;
            return e;
        }
        const std::string path = parsePath(t);
        if (peek().kind == K::ColonColon && peek(1).kind == K::String) {
            take();
            const Token id = take();
            auto e = node(Op::Literal, t);
            e->value = Value(UidTable::uid(path, unescape(id)));
            return e;
        }
        if (peek().kind == K::LParen)
            fail("unknown function `" + path + '`', t);
        fail("unknown variable `" + path + "`; expected principal, action, resource, context, a literal or an "
             "entity reference like `Type::\"id\"`",
             t);
    }
    default:
        fail("expected an expression, found " + describe(t), t);
    }
}

} // namespace mandate::policy
