// SPDX-License-Identifier: Apache-2.0
// Schema::parseCedar: the human-readable schema format.
#include "policy/Lexer.h"
#include "policy/Schema.h"

#include <deque>

namespace mandate::policy {

namespace {

using K = Token::Kind;

class CedarSchemaReader
{
public:
    explicit CedarSchemaReader(std::string_view source)
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

    struct Failure
    {
        std::string message;
        int line, column;
    };

    void run(Schema &schema)
    {
        m_schema = &schema;
        while (peek().kind != K::End) {
            skipAnnotations();
            if (isIdent("namespace")) {
                take();
                const std::string ns = path();
                expect(K::LBrace, "`{` after the namespace name");
                while (peek().kind != K::RBrace) {
                    if (peek().kind == K::End)
                        fail("expected `}` to close the namespace", peek());
                    skipAnnotations();
                    declaration(ns);
                }
                take();
            } else {
                declaration({});
            }
        }
    }

private:
    const Token &peek(size_t ahead = 0) const { return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)]; }
    Token take()
    {
        const Token t = peek();
        if (t.kind == K::Error)
            fail(m_lexError, t);
        if (m_pos < m_tokens.size() - 1)
            ++m_pos;
        return t;
    }
    bool isIdent(std::string_view w) const { return peek().kind == K::Ident && peek().text == w; }
    [[noreturn]] void fail(const std::string &message, const Token &at) const
    {
        throw Failure{at.kind == K::Error && !m_lexError.empty() ? m_lexError : message, at.line, at.column};
    }
    static std::string describe(const Token &t)
    {
        return t.kind == K::End ? "end of input" : t.kind == K::String ? "a string" : '`' + std::string(t.text) + '`';
    }
    Token expect(K kind, const char *what)
    {
        if (peek().kind == K::Error)
            fail(m_lexError, peek());
        if (peek().kind != kind)
            fail(std::string("expected ") + what + ", found " + describe(peek()), peek());
        return take();
    }
    std::string str(const Token &t)
    {
        std::string out, error;
        if (!Lexer::unescape(t.text, out, error))
            fail(error, t);
        return out;
    }
    std::string path()
    {
        std::string p(expect(K::Ident, "a name").text);
        while (peek().kind == K::ColonColon && peek(1).kind == K::Ident) {
            take();
            p += "::";
            p += take().text;
        }
        return p;
    }
    std::string name()
    {
        if (peek().kind == K::String)
            return str(take());
        return std::string(expect(K::Ident, "a name").text);
    }
    void skipAnnotations()
    {
        while (peek().kind == K::At) {
            take();
            expect(K::Ident, "an annotation name");
            if (peek().kind == K::LParen) {
                take();
                expect(K::String, "a string");
                expect(K::RParen, "`)`");
            }
        }
    }

    SchemaTypePtr type(const std::string &ns, int depth)
    {
        if (depth > 64)
            fail("type is nested too deeply", peek());
        if (peek().kind == K::LBrace)
            return recordType(ns, depth);
        const Token at = peek();
        const std::string p = path();
        if (p == "Set" && peek().kind == K::Lt) {
            take();
            auto t = std::make_shared<SchemaType>();
            t->kind = SchemaType::Kind::Set;
            t->element = type(ns, depth + 1);
            expect(K::Gt, "`>` to close `Set<...>`");
            return t;
        }
        (void)at;
        auto t = std::make_shared<SchemaType>();
        t->kind = SchemaType::Kind::Named;
        t->name = p;
        t->ns = ns;
        return t;
    }

    SchemaTypePtr recordType(const std::string &ns, int depth)
    {
        expect(K::LBrace, "`{`");
        auto t = std::make_shared<SchemaType>();
        t->kind = SchemaType::Kind::Record;
        while (peek().kind != K::RBrace) {
            skipAnnotations();
            SchemaType::Attribute attr;
            const Token at = peek();
            attr.name = name();
            for (const auto &existing : t->attributes)
                if (existing.name == attr.name)
                    fail("duplicate attribute `" + attr.name + '`', at);
            if (peek().kind == K::Question) {
                take();
                attr.required = false;
            }
            expect(K::Colon, "`:` after the attribute name");
            attr.type = type(ns, depth + 1);
            t->attributes.push_back(std::move(attr));
            if (peek().kind != K::Comma)
                break;
            take();
        }
        expect(K::RBrace, "`}` to close the record type");
        return t;
    }

    std::vector<std::string> typeList()
    {
        std::vector<std::string> out;
        if (peek().kind == K::LBracket) {
            take();
            while (peek().kind != K::RBracket) {
                out.push_back(path());
                if (peek().kind != K::Comma)
                    break;
                take();
            }
            expect(K::RBracket, "`]`");
        } else {
            out.push_back(path());
        }
        return out;
    }

    // An action reference: "name", name, or Path::"name".
    std::pair<std::string, std::string> actionRef()
    {
        if (peek().kind == K::String)
            return {std::string(), str(take())};
        std::string p(expect(K::Ident, "an action name").text);
        while (peek().kind == K::ColonColon) {
            take();
            if (peek().kind == K::String)
                return {p, str(take())};
            p += "::";
            p += expect(K::Ident, "a name").text;
        }
        return {std::string(), p};
    }

    void declaration(const std::string &ns)
    {
        const Token at = peek();
        if (isIdent("type")) {
            take();
            const std::string n(expect(K::Ident, "a type name").text);
            expect(K::Eq, "`=` after the type name");
            auto t = type(ns, 0);
            expect(K::Semicolon, "`;` after the type declaration");
            m_schema->declareCommonType(ns.empty() ? n : ns + "::" + n, t);
        } else if (isIdent("entity")) {
            take();
            std::vector<std::string> names{std::string(expect(K::Ident, "an entity type name").text)};
            while (peek().kind == K::Comma) {
                take();
                names.emplace_back(expect(K::Ident, "an entity type name").text);
            }
            Schema::EntityTypeDecl decl;
            std::vector<std::string> memberOf;
            if (isIdent("enum")) {
                take();
                expect(K::LBracket, "`[` after `enum`");
                while (peek().kind != K::RBracket) {
                    decl.enumIds.push_back(str(expect(K::String, "a string")));
                    if (peek().kind != K::Comma)
                        break;
                    take();
                }
                expect(K::RBracket, "`]`");
                if (decl.enumIds.empty())
                    fail("an enumerated entity type needs at least one value", at);
            } else {
                if (isIdent("in")) {
                    take();
                    memberOf = typeList();
                }
                if (peek().kind == K::Eq)
                    take();
                if (peek().kind == K::LBrace)
                    decl.shape = recordType(ns, 0);
                if (isIdent("tags")) {
                    take();
                    decl.tags = type(ns, 0);
                }
            }
            if (!decl.shape) {
                decl.shape = std::make_shared<SchemaType>();
                decl.shape->kind = SchemaType::Kind::Record;
            }
            expect(K::Semicolon, "`;` after the entity declaration");
            for (const std::string &n : names) {
                Schema::EntityTypeDecl d = decl;
                d.type = UidTable::type(ns.empty() ? n : ns + "::" + n);
                m_schema->declareEntityType(std::move(d), ns, memberOf);
            }
        } else if (isIdent("action")) {
            take();
            std::vector<std::string> names{name()};
            while (peek().kind == K::Comma) {
                take();
                names.push_back(name());
            }
            std::vector<std::pair<std::string, std::string>> memberOf;
            if (isIdent("in")) {
                take();
                if (peek().kind == K::LBracket) {
                    take();
                    while (peek().kind != K::RBracket) {
                        memberOf.push_back(actionRef());
                        if (peek().kind != K::Comma)
                            break;
                        take();
                    }
                    expect(K::RBracket, "`]`");
                } else {
                    memberOf.push_back(actionRef());
                }
            }
            Schema::ActionDecl decl;
            std::vector<std::string> principals, resources;
            if (isIdent("appliesTo")) {
                take();
                decl.appliesTo = true;
                expect(K::LBrace, "`{` after `appliesTo`");
                while (peek().kind != K::RBrace) {
                    const Token key = expect(K::Ident, "`principal`, `resource` or `context`");
                    expect(K::Colon, "`:`");
                    if (key.text == "principal")
                        principals = typeList();
                    else if (key.text == "resource")
                        resources = typeList();
                    else if (key.text == "context")
                        decl.context = type(ns, 0);
                    else
                        fail("expected `principal`, `resource` or `context`, found " + describe(key), key);
                    if (peek().kind != K::Comma)
                        break;
                    take();
                }
                expect(K::RBrace, "`}` to close `appliesTo`");
            }
            if (!decl.context) {
                decl.context = std::make_shared<SchemaType>();
                decl.context->kind = SchemaType::Kind::Record;
            }
            expect(K::Semicolon, "`;` after the action declaration");
            const TypeId actionType = UidTable::type(ns.empty() ? std::string("Action") : ns + "::Action");
            for (const std::string &n : names) {
                Schema::ActionDecl d = decl;
                d.uid = UidTable::uid(actionType, n);
                m_schema->declareAction(std::move(d), ns, memberOf, principals, resources);
            }
        } else {
            fail("expected `entity`, `action`, `type` or `namespace`, found " + describe(at), at);
        }
    }

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    std::string m_lexError;
    Schema *m_schema = nullptr;
};

} // namespace

Result<Schema> Schema::parseCedar(std::string_view source)
{
    auto uids = std::make_shared<UidLease>();
    const UidLease::Scope scope(*uids);
    Schema schema;
    schema.m_uids = uids;
    try {
        CedarSchemaReader reader(source);
        reader.run(schema);
    } catch (const CedarSchemaReader::Failure &f) {
        return Error{QStringLiteral("parse"), QString::fromStdString(f.message),
                     QString::number(f.line) + QLatin1Char(':') + QString::number(f.column)};
    }
    if (const Status s = schema.resolve(); !s)
        return s.error();
    return schema;
}

} // namespace mandate::policy
