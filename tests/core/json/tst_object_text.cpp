// SPDX-License-Identifier: Apache-2.0
// json::ObjectText against json::parse, differentially: on every input it accepts exactly what
// parse() accepts as an object, fails with parse()'s error otherwise, and every member it reads
// is the value parse() gives for it.
#include "json/JsonReader.h"
#include "json/JsonWriter.h"
#include "json/ObjectText.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace mandate;

class TestObjectText : public QObject
{
    Q_OBJECT

private slots:
    void agreesWithParse_data();
    void agreesWithParse();
    void seedsAgreeWithParse();
    void escapedAndNonAsciiNames();
    void objectsInArray();
    void limitsAndDuplicatesAsParse();
    void emptyObjectText();
    void hasStringComparesTheValue();

private:
    static void compare(const QByteArray &input, const json::Limits &limits = {});
};

void TestObjectText::compare(const QByteArray &input, const json::Limits &limits)
{
    json::Failure expectedFailure = json::Failure::None;
    const auto expected = json::parse(input, limits, &expectedFailure);
    json::Failure failure = json::Failure::Syntax;
    const auto text = json::ObjectText::parse(input, limits, &failure);
    if (!expected) {
        QVERIFY(!text);
        QCOMPARE(failure, expectedFailure);
        QCOMPARE(text.error().message, expected.error().message);
        QCOMPARE(text.error().path, expected.error().path);
        return;
    }
    if (!expected->isObject()) {
        QVERIFY(!text);
        QCOMPARE(failure, json::Failure::NotAnObject);
        QCOMPARE(text.error().code, QStringLiteral("json"));
        return;
    }
    QVERIFY2(text, qPrintable(text ? QString() : text.error().toString()));
    QCOMPARE(failure, json::Failure::None);
    const QJsonObject object = expected->toObject();
    QCOMPARE(text->size(), object.size());
    QCOMPARE(text->toObject(), object);
    QCOMPARE(json::writeCompact(text->toObject()), json::writeCompact(object));
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString name = it.key();
        QVERIFY(text->contains(QStringView(name)));
        QCOMPARE(text->value(QStringView(name)), it.value());
        QCOMPARE(json::writeCompact(QJsonArray{text->value(QStringView(name))}), json::writeCompact(QJsonArray{it.value()}));
        const QByteArray latin1 = name.toLatin1();
        if (QString::fromLatin1(latin1) == name) {
            QCOMPARE(text->value(QLatin1StringView(latin1)), it.value());
            QCOMPARE(text->string(QLatin1StringView(latin1)), it.value().toString());
            const QString value = it.value().toString();
            QCOMPARE(text->hasString(QLatin1StringView(latin1), value), it.value().isString() && !value.isEmpty());
            QVERIFY(!text->hasString(QLatin1StringView(latin1), QString(value + QLatin1Char('x'))));
            if (value.size() > 1)
                QVERIFY(!text->hasString(QLatin1StringView(latin1), value.chopped(1)));
            QCOMPARE(json::parse(text->rawValue(QLatin1StringView(latin1))).value(), it.value());
        }
        if (it.value().isArray()) {
            QJsonArray objects;
            for (const QJsonValue &element : it.value().toArray()) {
                if (element.isObject())
                    objects.append(element);
            }
            QJsonArray read;
            for (const json::ObjectText &inner : text->objectsInArray(QLatin1StringView(latin1)))
                read.append(inner.toObject());
            if (QString::fromLatin1(latin1) == name)
                QCOMPARE(read, objects);
        }
    }
    QVERIFY(text->value(QLatin1String("no such member")).isUndefined());
    QVERIFY(!text->contains(QLatin1String("no such member")));
    QVERIFY(text->rawValue(QLatin1String("no such member")).isEmpty());
    QVERIFY(text->string(QLatin1String("no such member")).isNull());
    QVERIFY(!text->hasString(QLatin1String("no such member"), u"x"));
}

void TestObjectText::agreesWithParse_data()
{
    QTest::addColumn<QByteArray>("input");

    QTest::addRow("empty object") << QByteArray("{}");
    QTest::addRow("spaced empty object") << QByteArray(" \t{ \r\n} \n");
    QTest::addRow("jwt claims") << QByteArray(
        R"({"iss":"https://gateway.example","aud":"mandate","iat":1764474000,"nbf":1764474000,"exp":1764474900,)"
        R"("jti":"c3b0a4e1","sub":"user:alice","act":{"sub":"agent:support-agent","act":{"sub":"agent:triage"}},)"
        R"("client_id":"support-agent","scope":"refund:create ticket:read","authorization_details":[{"type":)"
        R"("agent_execution","execution":"exe_1","parent":null,"purpose":"refund for ticket T-1001","actions":)"
        R"(["refund:create","ticket:read"],"budget":{"calls":100,"tokens":1000000,"amount":"500.00"},)"
        R"("risk_ceiling":50,"depth":1}]})");
    QTest::addRow("whitespace everywhere") << QByteArray(R"( { "a" : [ { "b" : 1 } , 2 , { } , [ { } ] ] , "c" : 1e3 , "d" : true } )");
    QTest::addRow("numbers") << QByteArray(R"({"i":-9223372036854775808,"big":18446744073709551616,"e":1E3,"f":2.5,"z":-0.0,"x":20.0,"tiny":1e-300})");
    QTest::addRow("literals") << QByteArray(R"({"t":true,"f":false,"n":null})");
    QTest::addRow("escaped strings") << QByteArray(R"({"q":"a\"b","bs":"\\","bs2":"x\\\\","u":"\u00e9\ud83d\ude00","ctl":"\n\t\/"})");
    QTest::addRow("quotes and brackets inside strings") << QByteArray(R"({"s":"}]{[,:\"","a":["]","}"],"o":{"k":"{"}})");
    QTest::addRow("utf-8") << QByteArray("{\"caf\xc3\xa9\":\"\xe2\x82\xac\",\"k\":\"\xf0\x9f\x98\x80\"}");
    QTest::addRow("deep") << QByteArray(R"({"a":{"b":{"c":{"d":[[[{"e":[]}]]]}}}})");
    QTest::addRow("array of mixed") << QByteArray(R"({"details":[1,"x",{"type":"a"},null,{"type":"b","n":[{}]},[{"no":1}]]})");
    QTest::addRow("backslash runs in array objects")
        << QByteArray(R"({"d":[{"s":"\\"}]","t":"\"},{"u":-0},{"v":"\\"}],"e":"\""})");
    QTest::addRow("integer edges") << QByteArray(R"({"z":-0,"max":9223372036854775807,"over":9223372036854775808})");

    QTest::addRow("not an object: array") << QByteArray("[{}]");
    QTest::addRow("not an object: string") << QByteArray("\"{}\"");
    QTest::addRow("not an object: number") << QByteArray(" 42 ");
    QTest::addRow("duplicate") << QByteArray(R"({"a":1,"a":2})");
    QTest::addRow("nested duplicate") << QByteArray(R"({"a":[{"b":1,"b":1}]})");
    QTest::addRow("escaped duplicate") << QByteArray(R"({"ab":1,"a\u0062":2})");
    QTest::addRow("bad utf-8") << QByteArray("{\"a\":\"\xc0\xaf\"}");
    QTest::addRow("lone surrogate") << QByteArray(R"({"a":"\ud800"})");
    QTest::addRow("trailing data") << QByteArray("{} {}");
    QTest::addRow("trailing comma") << QByteArray(R"({"a":1,})");
    QTest::addRow("leading zero") << QByteArray(R"({"a":01})");
    QTest::addRow("unterminated") << QByteArray(R"({"a":"x)");
    QTest::addRow("empty") << QByteArray("");
    QTest::addRow("control character") << QByteArray("{\"a\":\"\x01\"}");
}

void TestObjectText::agreesWithParse()
{
    QFETCH(QByteArray, input);
    compare(input);
}

void TestObjectText::seedsAgreeWithParse()
{
    // The JSON fuzz target's seed corpus: the shapes its differential check starts from.
    const QDir seeds(QStringLiteral(MANDATE_SOURCE_DIR "/tests/fuzz/json/seeds"));
    const QStringList files = seeds.entryList(QDir::Files);
    QVERIFY(!files.isEmpty());
    for (const QString &name : files) {
        QFile file(seeds.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        compare(file.readAll());
        if (QTest::currentTestFailed())
            qWarning("while comparing seed %s", qPrintable(name));
    }
}

void TestObjectText::escapedAndNonAsciiNames()
{
    const auto text = json::ObjectText::parse(QByteArray("{\"a\\u0062\":1,\"x\\ny\":2,\"caf\xc3\xa9\":3,\"a\\\\nb\":4}"), {});
    QVERIFY(text);
    QCOMPARE(text->value(QLatin1String("ab")).toInteger(), 1);
    QCOMPARE(text->value(QStringView(u"x\ny")).toInteger(), 2);
    QCOMPARE(text->value(QLatin1String("caf\xe9")).toInteger(), 3);
    QCOMPARE(text->value(QStringView(u"caf\u00e9")).toInteger(), 3);
    QCOMPARE(text->value(QLatin1String("a\\nb")).toInteger(), 4);
    // The raw name of the first member is a\u0062: an escaped name matches only once decoded.
    QVERIFY(!text->contains(QLatin1String("a\\u0062")));
    QVERIFY(!text->contains(QLatin1String("a\\\\nb")));
}

void TestObjectText::objectsInArray()
{
    const auto text = json::ObjectText::parse(QByteArray(R"({"d":[{"type":"x","id":"1"},7,{"type":"y","id":"2"}],"s":"[{}]"})"), {});
    QVERIFY(text);
    const QList<json::ObjectText> objects = text->objectsInArray(QLatin1String("d"));
    QCOMPARE(objects.size(), 2);
    QCOMPARE(objects.at(1).value(QLatin1String("id")).toString(), QStringLiteral("2"));
    QCOMPARE(objects.at(0).text().toByteArray(), QByteArray(R"({"type":"x","id":"1"})"));
    QVERIFY(text->objectsInArray(QLatin1String("s")).isEmpty());
    QVERIFY(text->objectsInArray(QLatin1String("absent")).isEmpty());
}

void TestObjectText::limitsAndDuplicatesAsParse()
{
    json::Limits limits;
    limits.maxDepth = 2;
    compare(QByteArray(R"({"a":{"b":{}}})"), limits);
    limits = {};
    limits.maxBytes = 8;
    compare(QByteArray(R"({"a":"123456"})"), limits);
    limits = {};
    limits.maxMembers = 1;
    compare(QByteArray(R"({"a":1,"b":2})"), limits);
    json::Failure failure = json::Failure::None;
    QVERIFY(!json::ObjectText::parse(QByteArray(R"({"a":1,"a":1})"), {}, &failure));
    QCOMPARE(failure, json::Failure::DuplicateKey);
}

void TestObjectText::emptyObjectText()
{
    const json::ObjectText empty;
    QCOMPARE(empty.size(), 0);
    QVERIFY(empty.value(QLatin1String("a")).isUndefined());
    QVERIFY(empty.toObject().isEmpty());
    QVERIFY(empty.text().isEmpty());
}

void TestObjectText::hasStringComparesTheValue()
{
    // What the broker's client_id check relies on: only a string member equal to the value.
    const auto text = json::ObjectText::parse(QByteArray(R"({"n":1,"s":"1","e":"","esc":"a\u0062","u":"caf\u00e9","raw":"café"})"), {});
    QVERIFY(text);
    QVERIFY(!text->hasString(QLatin1String("n"), u"1"));
    QVERIFY(text->hasString(QLatin1String("s"), u"1"));
    QVERIFY(!text->hasString(QLatin1String("e"), u""));
    QVERIFY(text->hasString(QLatin1String("esc"), u"ab"));
    QVERIFY(!text->hasString(QLatin1String("esc"), u"a\\u0062"));
    QVERIFY(text->hasString(QLatin1String("u"), u"caf\u00e9"));
    QVERIFY(text->hasString(QLatin1String("raw"), u"caf\u00e9"));
    QVERIFY(!text->hasString(QLatin1String("raw"), u"cafe"));
}

QTEST_GUILESS_MAIN(TestObjectText)
#include "tst_object_text.moc"
