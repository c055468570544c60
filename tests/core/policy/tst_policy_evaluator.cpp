// SPDX-License-Identifier: Apache-2.0
#include "PolicyTestUtil.h"

#include <QTest>

using namespace mandate::policy;
using namespace mandate::policy::test;

class TestPolicyEvaluator : public QObject
{
    Q_OBJECT

    EntityStore m_entities;
    Request m_request;

private slots:
    void initTestCase()
    {
        m_entities = entitiesFrom(R"([
            {"uid": {"type": "User", "id": "alice"}, "attrs": {"age": 30, "name": "Alice",
             "manager": {"__entity": {"type": "User", "id": "bob"}}, "address": {"city": "Paris"}},
             "parents": [{"type": "Group", "id": "admins"}], "tags": {"level": 3}},
            {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": []},
            {"uid": {"type": "Group", "id": "admins"}, "attrs": {}, "parents": [{"type": "Group", "id": "staff"}]},
            {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": []},
            {"uid": {"type": "Doc", "id": "d1"}, "attrs": {"owner": {"__entity": {"type": "User", "id": "alice"}}},
             "parents": []}
        ])");
        m_request.principal = UidTable::uid("User", "alice");
        m_request.action = UidTable::uid("Action", "view");
        m_request.resource = UidTable::uid("Doc", "d1");
        m_request.context = JsonFormats::value(*JsonFormats::read(R"({"n": 5, "tags": ["a", "b"]})"), nullptr).value();
    }

    void evaluates_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("expected");
        auto row = [](const char *name, const char *expr, const char *result) {
            QTest::addRow("%s", name) << QString::fromUtf8(expr) << QString::fromUtf8(result);
        };
        // literals and variables
        row("long", "42", "42");
        row("string escapes", R"("a\tb\u{e9}")", "\"a\\tb\u00e9\"");
        row("principal", "principal", "User::\"alice\"");
        row("context", "context.n", "5");
        row("set dedups and is unordered", "[2, 1, 2] == [1, 2]", "true");
        row("record equality ignores order", "{a: 1, b: 2} == {b: 2, a: 1}", "true");
        row("different types are unequal", "1 == \"1\"", "false");
        // precedence
        row("mult before add", "1 + 2 * 3", "7");
        row("unary minus", "-(2 - 5)", "3");
        row("and before or", "true || false && false", "true");
        row("if", "if 1 < 2 then \"y\" else \"n\"", "\"y\"");
        // arithmetic overflow
        row("add overflow", "9223372036854775807 + 1", "error");
        row("sub overflow", "-9223372036854775808 - 1", "error");
        row("mul overflow", "4611686018427387904 * 2", "error");
        row("neg overflow", "-(-9223372036854775808)", "error");
        row("min long literal", "-9223372036854775808", "-9223372036854775808");
        // short circuit and type errors
        row("and short circuit", "false && (1 + \"a\")", "false");
        row("or short circuit", "true || 1", "true");
        row("and needs bool", "true && 1", "error");
        row("not needs bool", "!1", "error");
        row("if needs bool", "if 1 then 2 else 3", "error");
        row("compare strings", "\"a\" < \"b\"", "error");
        // hierarchy
        row("in self", "principal in principal", "true");
        row("in parent", "principal in Group::\"admins\"", "true");
        row("in transitive", "principal in Group::\"staff\"", "true");
        row("in set", "principal in [Group::\"x\", Group::\"staff\"]", "true");
        row("not in", "User::\"bob\" in Group::\"admins\"", "false");
        row("unknown entity in itself", "User::\"ghost\" in User::\"ghost\"", "true");
        row("in non-entity", "principal in 1", "error");
        row("in set with non-entity", "principal in [1]", "error");
        row("is", "principal is User", "true");
        row("is in", "principal is User in Group::\"staff\"", "true");
        row("is wrong type", "principal is Group in Group::\"staff\"", "false");
        row("is on non-entity", "1 is User", "error");
        // attributes
        row("attr", "principal.age", "30");
        row("nested attr", "principal.address.city", "\"Paris\"");
        row("index syntax", "principal[\"name\"]", "\"Alice\"");
        row("entity attr chain", "resource.owner.manager", "User::\"bob\"");
        row("missing attr", "principal.height", "error");
        row("attr of missing entity", "User::\"ghost\".age", "error");
        row("has", "principal has age", "true");
        row("has missing", "principal has height", "false");
        row("has on missing entity", "User::\"ghost\" has age", "false");
        row("has path", "principal has address.city", "true");
        row("has path missing", "principal has address.zip", "false");
        row("has on long", "1 has a", "error");
        row("record has string key", "{\"a b\": 1} has \"a b\"", "true");
        // tags
        row("getTag", "principal.getTag(\"level\")", "3");
        row("hasTag", "principal.hasTag(\"level\")", "true");
        row("hasTag missing", "principal.hasTag(\"x\")", "false");
        row("getTag missing", "principal.getTag(\"x\")", "error");
        row("hasTag on missing entity", "User::\"ghost\".hasTag(\"x\")", "false");
        // like
        row("like star", "\"hello world\" like \"hello*\"", "true");
        row("like middle", "\"abcde\" like \"a*c*e\"", "true");
        row("like escaped star", "\"a*\" like \"a\\*\"", "true");
        row("like escaped star no match", "\"ab\" like \"a\\*\"", "false");
        row("like unicode", "\"\u00e9t\u00e9\" like \"*t*\"", "true");
        row("like exact", "\"abc\" like \"abd\"", "false");
        row("like on long", "1 like \"*\"", "error");
        // sets
        row("contains", "context.tags.contains(\"a\")", "true");
        row("containsAll", "[1, 2, 3].containsAll([1, 3])", "true");
        row("containsAll false", "[1, 2].containsAll([1, 4])", "false");
        row("containsAny", "[1, 2].containsAny([4, 2])", "true");
        row("containsAny empty", "[1, 2].containsAny([])", "false");
        row("isEmpty", "[].isEmpty()", "true");
        row("contains on non-set", "1.contains(1)", "error");
        row("set of records", "[{a: 1}, {a: 1}] == [{a: 1}]", "true");
        row("set literal with error", "[1, 1 + \"a\"]", "error");
    }

    void evaluates()
    {
        QFETCH(QString, expression);
        QFETCH(QString, expected);
        const QString got = evaluate(expression, m_entities, m_request);
        if (expected == QLatin1String("error"))
            QVERIFY2(got.startsWith(QLatin1String("error: ")), qPrintable(got));
        else
            QCOMPARE(got, expected);
    }

    void cyclicHierarchy()
    {
        // Cedar refuses an entity set whose parents form a cycle (the official engine fails the
        // request; tst_policy_differential asks it): no decision is made over it.
        auto parsed = JsonFormats::read(R"([
            {"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "b"}]},
            {"uid": {"type": "G", "id": "b"}, "attrs": {}, "parents": [{"type": "G", "id": "c"}]},
            {"uid": {"type": "G", "id": "c"}, "attrs": {}, "parents": [{"type": "G", "id": "a"}]}
        ])");
        QVERIFY(parsed.ok());
        const auto store = JsonFormats::entities(parsed.value(), nullptr);
        QVERIFY(!store.ok());
        QVERIFY2(store.error().message.contains(QStringLiteral("parents form a cycle through G::")), qPrintable(store.error().message));
        // Without the edge that closes it, the same hierarchy is transitive.
        const EntityStore chain = entitiesFrom(R"([
            {"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "b"}]},
            {"uid": {"type": "G", "id": "b"}, "attrs": {}, "parents": [{"type": "G", "id": "c"}]},
            {"uid": {"type": "G", "id": "c"}, "attrs": {}, "parents": []}
        ])");
        QVERIFY(chain.isDescendantOrSelf(UidTable::uid("G", "a"), UidTable::uid("G", "c")));
        QVERIFY(!chain.isDescendantOrSelf(UidTable::uid("G", "c"), UidTable::uid("G", "b")));
    }
};

QTEST_GUILESS_MAIN(TestPolicyEvaluator)
#include "tst_policy_evaluator.moc"
