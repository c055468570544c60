// SPDX-License-Identifier: Apache-2.0
// Cedar's JSON formats: values, entities, contexts; with and without a schema.
#include "PolicyTestUtil.h"

#include <QTest>

using namespace mandate::policy;
using namespace mandate::policy::test;

class TestPolicyJson : public QObject
{
    Q_OBJECT

    static Schema schema()
    {
        auto s = Schema::parseCedar(R"(
            entity Group;
            entity User in [Group] { age: Long, ip?: ipaddr, since?: datetime, limit?: decimal,
                                     ttl?: duration, boss?: User, friends?: Set<User>,
                                     address?: { city: String, zip?: String } } tags Long;
            action view appliesTo { principal: User, resource: Group, context: { src: ipaddr, n?: Long } };
            action all;
            action read in [all];
        )");
        if (!s)
            qFatal("%s", qPrintable(s.error().toString()));
        return std::move(s.value());
    }

private slots:
    void values_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::addRow("integer") << QByteArray("42") << QStringLiteral("42");
        QTest::addRow("16+ digit integer is exact") << QByteArray("9007199254740993") << QStringLiteral("9007199254740993");
        QTest::addRow("max long") << QByteArray("9223372036854775807") << QStringLiteral("9223372036854775807");
        QTest::addRow("min long") << QByteArray("-9223372036854775808") << QStringLiteral("-9223372036854775808");
        QTest::addRow("fraction") << QByteArray("1.5") << QStringLiteral("error");
        QTest::addRow("string") << QByteArray("\"a\\\"b\"") << QStringLiteral("\"a\\\"b\"");
        QTest::addRow("array is a set") << QByteArray("[2, 1, 2]") << QStringLiteral("[1, 2]");
        QTest::addRow("record") << QByteArray(R"({"b": true, "a": "x"})") << QStringLiteral(R"({"a": "x", "b": true})");
        QTest::addRow("__entity") << QByteArray(R"({"__entity": {"type": "NS::User", "id": "a\u0000b"}})")
                                  << QStringLiteral(R"(NS::User::"a\0b")");
        QTest::addRow("implicit entity is a record without schema") << QByteArray(R"({"type": "User", "id": "a"})")
                                                                    << QStringLiteral(R"({"id": "a", "type": "User"})");
        QTest::addRow("__extn") << QByteArray(R"({"__extn": {"fn": "decimal", "arg": "1.25"}})")
                                << QStringLiteral(R"(decimal("1.2500"))");
        QTest::addRow("__extn with args") << QByteArray(R"({"__extn": {"fn": "offset", "args": [
                {"__extn": {"fn": "datetime", "arg": "2024-01-01"}}, {"__extn": {"fn": "duration", "arg": "1h"}}]}})")
                                          << QStringLiteral(R"(datetime("2024-01-01T01:00:00.000Z"))");
        QTest::addRow("bad __extn") << QByteArray(R"({"__extn": {"fn": "ip", "arg": "x"}})") << QStringLiteral("error");
        QTest::addRow("null") << QByteArray("null") << QStringLiteral("error");
    }

    void values()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        auto parsed = JsonFormats::read(json);
        QVERIFY(parsed.ok());
        auto v = JsonFormats::value(parsed.value(), nullptr);
        QCOMPARE(v.ok() ? QString::fromStdString(v->toCedar()) : QStringLiteral("error"), expected);
    }

    void entitiesWithSchema()
    {
        const Schema s = schema();
        const EntityStore store = entitiesFrom(R"([
            {"uid": {"type": "User", "id": "a"}, "attrs": {"age": 9007199254740993, "ip": "10.0.0.1",
             "since": "2024-01-01", "limit": "1.5", "ttl": "1h", "boss": {"type": "User", "id": "b"},
             "friends": [{"__entity": {"type": "User", "id": "b"}}], "address": {"city": "Oslo"}},
             "parents": [{"type": "Group", "id": "g"}], "tags": {"t": 1}},
            {"uid": {"type": "User", "id": "b"}, "attrs": {"age": 1}, "parents": []}
        ])", &s);
        const Request request{UidTable::uid("User", "a"), UidTable::uid("Action", "read"), UidTable::uid("Group", "g"),
                              Value::record({}), nullptr};
        QCOMPARE(evaluate(QStringLiteral("principal.age"), store, request), QStringLiteral("9007199254740993"));
        QCOMPARE(evaluate(QStringLiteral("principal.ip.isInRange(ip(\"10.0.0.0/8\"))"), store, request), QStringLiteral("true"));
        QCOMPARE(evaluate(QStringLiteral("principal.since"), store, request),
                 QStringLiteral("datetime(\"2024-01-01T00:00:00.000Z\")"));
        QCOMPARE(evaluate(QStringLiteral("principal.limit"), store, request), QStringLiteral("decimal(\"1.5000\")"));
        QCOMPARE(evaluate(QStringLiteral("principal.ttl"), store, request), QStringLiteral("duration(\"1h\")"));
        QCOMPARE(evaluate(QStringLiteral("principal.boss.age"), store, request), QStringLiteral("1"));
        QCOMPARE(evaluate(QStringLiteral("principal.friends.contains(User::\"b\")"), store, request), QStringLiteral("true"));
        QCOMPARE(evaluate(QStringLiteral("principal.getTag(\"t\")"), store, request), QStringLiteral("1"));
        // Action entities and their groups come from the schema.
        QCOMPARE(evaluate(QStringLiteral("action in Action::\"all\""), store, request), QStringLiteral("true"));
    }

    void entityErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::addRow("not an array") << QByteArray("{}") << QStringLiteral("array");
        QTest::addRow("missing uid") << QByteArray(R"([{"attrs": {}}])") << QStringLiteral("entity reference");
        QTest::addRow("undeclared type") << QByteArray(R"([{"uid": {"type": "Doc", "id": "x"}}])")
                                         << QStringLiteral("not declared");
        QTest::addRow("wrong attribute type") << QByteArray(R"([{"uid": {"type": "User", "id": "x"}, "attrs": {"age": "1"}, "parents": []}])")
                                              << QStringLiteral("expected a long");
        QTest::addRow("missing required attribute") << QByteArray(R"([{"uid": {"type": "User", "id": "x"}, "attrs": {}, "parents": []}])")
                                                    << QStringLiteral("required attribute `age`");
        QTest::addRow("undeclared attribute")
            << QByteArray(R"([{"uid": {"type": "User", "id": "x"}, "attrs": {"age": 1, "zz": 1}, "parents": []}])")
            << QStringLiteral("`zz` is not declared");
        QTest::addRow("bad extension string")
            << QByteArray(R"([{"uid": {"type": "User", "id": "x"}, "attrs": {"age": 1, "ip": "nope"}, "parents": []}])")
            << QStringLiteral("invalid ipaddr");
        QTest::addRow("missing attrs") << QByteArray(R"([{"uid": {"type": "Group", "id": "x"}, "parents": []}])")
                                       << QStringLiteral("missing field `attrs`");
        QTest::addRow("missing parents") << QByteArray(R"([{"uid": {"type": "Group", "id": "x"}, "attrs": {}}])")
                                         << QStringLiteral("missing field `parents`");
        QTest::addRow("null attribute") << QByteArray(R"([{"uid": {"type": "Group", "id": "x"}, "attrs": {"a": null}, "parents": []}])")
                                        << QStringLiteral("attribute `a`");
        QTest::addRow("duplicate entity") << QByteArray(R"([{"uid": {"type": "Group", "id": "x"}, "attrs": {}, "parents": []}, {"uid": {"type": "Group", "id": "x"}, "attrs": {}, "parents": []}])")
                                          << QStringLiteral("duplicate entity entry");
        QTest::addRow("tags on a type without tags") << QByteArray(R"([{"uid": {"type": "Group", "id": "x"}, "attrs": {}, "parents": [], "tags": {"a": 1}}])")
                                                     << QStringLiteral("tags");
    }

    void entityErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const Schema s = schema();
        auto parsed = JsonFormats::read(json);
        QVERIFY(parsed.ok());
        auto store = JsonFormats::entities(parsed.value(), &s);
        QVERIFY(!store.ok());
        QVERIFY2(store.error().message.contains(message), qPrintable(store.error().message));
    }

    void contextWithSchema()
    {
        const Schema s = schema();
        auto ctx = JsonFormats::context(*JsonFormats::read(R"({"src": "192.168.1.1"})"), &s, UidTable::uid("Action", "view"));
        QVERIFY(ctx.ok());
        QCOMPARE(QString::fromStdString(ctx->toCedar()), QStringLiteral("{\"src\": ip(\"192.168.1.1/32\")}"));
        auto bad = JsonFormats::context(*JsonFormats::read(R"({"n": 1})"), &s, UidTable::uid("Action", "view"));
        QVERIFY(!bad.ok());
    }

    void deepJsonIsAnError()
    {
        const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
        QVERIFY(!JsonFormats::read(deep).ok());
    }
};

QTEST_GUILESS_MAIN(TestPolicyJson)
#include "tst_policy_json.moc"
