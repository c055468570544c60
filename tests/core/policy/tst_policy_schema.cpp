// SPDX-License-Identifier: Apache-2.0
#include "policy/JsonFormats.h"
#include "policy/PolicySet.h"
#include "policy/Schema.h"

#include <QTest>

using namespace mandate::policy;

class TestPolicySchema : public QObject
{
    Q_OBJECT

private slots:
    void cedarFormat()
    {
        auto s = Schema::parseCedar(R"(
            // comment
            type Addr = { city: String, "zip code"?: String };
            @doc("x")
            entity Team, Org;
            entity Color enum ["red", "green"];
            namespace App::V1 {
                type Name = String;
                entity User in [Team] = { name: Name, home: Addr, tags: Set<String>, t?: __cedar::Long } tags String;
                entity Doc { owner: User };
                action "read", write in [all] appliesTo { principal: [User], resource: Doc, context: { ip: ipaddr } };
                action all;
            }
        )");
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().toString()));
        const auto *user = s->entityType(UidTable::type("App::V1::User"));
        QVERIFY(user);
        QCOMPARE(user->memberOf.size(), size_t(1));
        QCOMPARE(user->memberOf[0], UidTable::type("Team"));
        QVERIFY(user->tags && user->tags->kind == SchemaType::Kind::String);
        QCOMPARE(user->shape->attributes.size(), size_t(4));
        QCOMPARE(s->entityType(UidTable::type("Color"))->enumIds.size(), size_t(2));
        const auto *write = s->action(UidTable::uid("App::V1::Action", "write"));
        QVERIFY(write);
        QCOMPARE(write->memberOf.size(), size_t(1));
        QCOMPARE(write->memberOf[0], UidTable::uid("App::V1::Action", "all"));
        QCOMPARE(write->principalTypes, std::vector<TypeId>{UidTable::type("App::V1::User")});
        QVERIFY(s->action(UidTable::uid("App::V1::Action", "read")));
    }

    void jsonFormat()
    {
        auto json = JsonFormats::read(R"({
            "": {"entityTypes": {"Team": {}}, "actions": {}},
            "App": {
                "commonTypes": {"Name": {"type": "String"}},
                "entityTypes": {
                    "User": {"memberOfTypes": ["Team"], "shape": {"type": "Record", "attributes": {
                        "name": {"type": "Name"}, "ip": {"type": "Extension", "name": "ipaddr", "required": false},
                        "peers": {"type": "Set", "element": {"type": "Entity", "name": "User"}}}},
                        "tags": {"type": "Long"}}
                },
                "actions": {
                    "all": {},
                    "read": {"memberOf": [{"id": "all"}], "appliesTo": {"principalTypes": ["User"],
                             "resourceTypes": ["User"], "context": {"type": "Record", "attributes": {}}}}
                }
            }
        })");
        QVERIFY(json.ok());
        auto s = Schema::parseJson(json.value());
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().toString()));
        const auto *user = s->entityType(UidTable::type("App::User"));
        QVERIFY(user);
        QCOMPARE(user->shape->attributes.size(), size_t(3));
        QCOMPARE(user->shape->attributes[0].name, std::string("ip"));
        QCOMPARE(user->shape->attributes[0].type->kind, SchemaType::Kind::Extension);
        QVERIFY(!user->shape->attributes[0].required);
        QCOMPARE(user->shape->attributes[2].type->element->kind, SchemaType::Kind::Entity);
        QCOMPARE(s->action(UidTable::uid("App::Action", "read"))->memberOf[0], UidTable::uid("App::Action", "all"));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown type") << QStringLiteral("entity A { x: Nope };") << QStringLiteral("unknown type `Nope`");
        QTest::addRow("missing semicolon") << QStringLiteral("entity A") << QStringLiteral("expected `;`");
        QTest::addRow("undeclared parent") << QStringLiteral("entity A in [B];") << QStringLiteral("undeclared entity type `B`");
        QTest::addRow("undeclared action group") << QStringLiteral("action a in [b];") << QStringLiteral("undeclared action");
        QTest::addRow("action cycle") << QStringLiteral("action a in [b]; action b in [c]; action c in [a];")
                                      << QStringLiteral("the actions' memberOf form a cycle");
        QTest::addRow("action its own group") << QStringLiteral("action a in [a];") << QStringLiteral("form a cycle through Action::\"a\"");
        QTest::addRow("recursive common type") << QStringLiteral("type T = { a: T }; entity A { t: T };")
                                               << QStringLiteral("nested too deeply");
        QTest::addRow("duplicate attribute") << QStringLiteral("entity A { a: Long, a: String };")
                                             << QStringLiteral("duplicate attribute");
        QTest::addRow("garbage") << QStringLiteral("policy x;") << QStringLiteral("expected `entity`");
        QTest::addRow("deep nesting") << QStringLiteral("entity A { a: ") + QStringLiteral("Set<").repeated(1000)
                                      << QStringLiteral("nested too deeply");
    }

    void errors()
    {
        QFETCH(QString, source);
        QFETCH(QString, message);
        const QByteArray utf8 = source.toUtf8();
        auto s = Schema::parseCedar(std::string_view(utf8.constData(), size_t(utf8.size())));
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(message), qPrintable(s.error().toString()));
    }

    void checkPolicyScope()
    {
        auto s = Schema::parseCedar("entity U; entity D; action a appliesTo { principal: U, resource: D };");
        QVERIFY(s.ok());
        auto good = PolicySet::parse("permit(principal == U::\"x\", action in [Action::\"a\"], resource is D);");
        QVERIFY(good.ok());
        QVERIFY(s->checkPolicyScope(good->policies()[0]).isEmpty());
        auto bad = PolicySet::parse("permit(principal is Nope in U::\"x\", action == Action::\"zz\", resource in X::\"y\");");
        QVERIFY(bad.ok());
        const QStringList problems = s->checkPolicyScope(bad->policies()[0]);
        QCOMPARE(problems.size(), 3);
        QVERIFY(problems.join(QLatin1Char('\n')).contains(QLatin1String("`Nope`")));
    }

    void validateRequest()
    {
        auto s = Schema::parseCedar("entity U; entity D; action a appliesTo { principal: U, resource: D };");
        QVERIFY(s.ok());
        Request ok{UidTable::uid("U", "1"), UidTable::uid("Action", "a"), UidTable::uid("D", "1"), Value::record({}), nullptr};
        QVERIFY(s->validateRequest(ok).ok());
        Request wrong = ok;
        wrong.principal = UidTable::uid("D", "1");
        QVERIFY(!s->validateRequest(wrong).ok());
        wrong = ok;
        wrong.action = UidTable::uid("Action", "zz");
        QVERIFY(!s->validateRequest(wrong).ok());
    }
};

QTEST_GUILESS_MAIN(TestPolicySchema)
#include "tst_policy_schema.moc"
