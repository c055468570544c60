// SPDX-License-Identifier: Apache-2.0
// The strict JSON reader: what it accepts (checked by re-serialising compactly), what it rejects
// and where it says the error is.
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace mandate;

class TestJsonReader : public QObject
{
    Q_OBJECT

private slots:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void exactIntegers();
    void limits_data();
    void limits();
    void deepNestingDoesNotRecurse();
    void parseObjectRequiresObject();
    void writerEscapes();
    void failureKinds_data();
    void failureKinds();
    void stringScanEveryPosition();
    void duplicateKeysAcrossNesting_data();
    void duplicateKeysAcrossNesting();
};

void TestJsonReader::accepts_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("compact");

    QTest::addRow("empty object") << QByteArray("{}") << QByteArray("{}");
    QTest::addRow("empty array") << QByteArray(" [ ] ") << QByteArray("[]");
    QTest::addRow("scalar true") << QByteArray("true") << QByteArray("true");
    QTest::addRow("scalar null") << QByteArray("\tnull\r\n") << QByteArray("null");
    QTest::addRow("scalar string") << QByteArray("\"x\"") << QByteArray("\"x\"");
    QTest::addRow("zero") << QByteArray("0") << QByteArray("0");
    QTest::addRow("negative zero int") << QByteArray("-0") << QByteArray("0");
    QTest::addRow("fraction") << QByteArray("0.5") << QByteArray("0.5");
    QTest::addRow("exponent") << QByteArray("1E3") << QByteArray("1000");
    QTest::addRow("negative exponent") << QByteArray("25e-1") << QByteArray("2.5");
    QTest::addRow("integral double is an integer") << QByteArray("[1e17,20.0,-0.0]") << QByteArray("[100000000000000000,20,0]");
    QTest::addRow("integral double beyond int64") << QByteArray("[1e19]") << QByteArray("[1e+19]");
    QTest::addRow("int64 max") << QByteArray("9223372036854775807") << QByteArray("9223372036854775807");
    QTest::addRow("int64 min") << QByteArray("-9223372036854775808") << QByteArray("-9223372036854775808");
    QTest::addRow("beyond int64 becomes double") << QByteArray("18446744073709551616")
                                                << QByteArray("18446744073709551616");
    QTest::addRow("nested") << QByteArray(R"({"b":[1,{"c":null}],"a":"x"})")
                            << QByteArray(R"({"a":"x","b":[1,{"c":null}]})");
    QTest::addRow("escapes") << QByteArray(R"("\"\\\/\b\f\n\r\t")") << QByteArray(R"("\"\\/\b\f\n\r\t")");
    QTest::addRow("unicode escape") << QByteArray(R"("\u00e9\u20AC")") << QByteArray("\"\xc3\xa9\xe2\x82\xac\"");
    QTest::addRow("surrogate pair") << QByteArray(R"("\ud83d\ude00")") << QByteArray("\"\xf0\x9f\x98\x80\"");
    QTest::addRow("escaped nul") << QByteArray(R"("a\u0000b")") << QByteArray(R"("a\u0000b")");
    QTest::addRow("raw utf8 2-byte") << QByteArray("\"\xc3\xa9\"") << QByteArray("\"\xc3\xa9\"");
    QTest::addRow("raw utf8 4-byte max") << QByteArray("\"\xf4\x8f\xbf\xbf\"") << QByteArray("\"\xf4\x8f\xbf\xbf\"");
    QTest::addRow("raw utf8 U+FFFF") << QByteArray("\"\xef\xbf\xbf\"") << QByteArray("\"\xef\xbf\xbf\"");
    QTest::addRow("DEL is allowed") << QByteArray("\"\x7f\"") << QByteArray("\"\x7f\"");
    QTest::addRow("same key in sibling objects") << QByteArray(R"([{"a":1},{"a":2}])") << QByteArray(R"([{"a":1},{"a":2}])");
    QTest::addRow("same key at different depth") << QByteArray(R"({"a":{"a":1}})") << QByteArray(R"({"a":{"a":1}})");
}

void TestJsonReader::accepts()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, compact);
    const auto result = json::parse(input);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().toString()));
    QCOMPARE(json::writeCompact(result.value()), compact);
    // Both value builders (Qt's after validation, and Mandate's own) give the same value.
    const auto own = json::detail::parseWithOwnBuilder(input, json::Limits{});
    QVERIFY(own.ok());
    QCOMPARE(json::writeCompact(own.value()), compact);
    QCOMPARE(own.value(), result.value());
}

void TestJsonReader::rejects_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("position");
    QTest::addColumn<QString>("messagePart");

    auto row = [](const char *name, const QByteArray &in, const char *pos, const char *msg) {
        QTest::addRow("%s", name) << in << QString::fromLatin1(pos) << QString::fromLatin1(msg);
    };
    row("empty", "", "1:1", "empty document");
    row("only space", "  \n ", "2:2", "empty document");
    row("duplicate key", R"({"a":1,"a":2})", "1:8", "duplicate member name \"a\"");
    row("duplicate key via escape", R"({"alg":1,"\u0061lg":2})", "1:10", "duplicate member name \"alg\"");
    row("duplicate nested", "{\"x\":{\"k\":1,\n\"k\":2}}", "2:1", "duplicate");
    row("trailing data", "{} x", "1:4", "trailing data");
    row("two documents", "{}{}", "1:3", "trailing data");
    row("trailing comma object", R"({"a":1,})", "1:8", "expected a member name");
    row("trailing comma array", "[1,]", "1:4", "unexpected ']'");
    row("leading zero", "01", "1:1", "leading zero");
    row("negative leading zero", "[-012]", "1:2", "leading zero");
    row("plus sign", "+1", "1:1", "unexpected '+'");
    row("bare fraction", ".5", "1:1", "unexpected '.'");
    row("dot without digits", "1.", "1:3", "after the decimal point");
    row("exponent without digits", "1e+", "1:4", "in the exponent");
    row("huge exponent", "1e400", "1:1", "out of range");
    row("underflow", "1e-400", "1:1", "out of range");
    row("NaN", "NaN", "1:1", "unexpected 'N'");
    row("Infinity", "-Infinity", "1:2", "expected a digit");
    row("control char in string", "\"a\tb\"", "1:3", "control character");
    row("newline in string", "\"a\nb\"", "1:3", "control character");
    row("unterminated string", "\"abc", "1:1", "unterminated string");
    row("bad escape", R"("\x")", "1:2", "invalid escape");
    row("short unicode escape", R"("\u12")", "1:4", "truncated \\u escape");
    row("non-hex unicode escape", R"("\u12g4")", "1:6", "invalid hex digit");
    row("lone high surrogate", R"("\ud800")", "1:2", "lone high surrogate");
    row("lone high surrogate then text", R"("\ud800x")", "1:2", "lone high surrogate");
    row("lone low surrogate", R"("\udc00")", "1:2", "lone low surrogate");
    row("high then high", R"("\ud800\ud800")", "1:2", "not followed by a low surrogate");
    row("invalid utf8 continuation", "\"\x80\"", "1:2", "invalid UTF-8");
    row("overlong 2-byte", "\"\xc0\xaf\"", "1:2", "invalid UTF-8");
    row("overlong 3-byte", "\"\xe0\x80\xaf\"", "1:2", "invalid UTF-8");
    row("utf8 surrogate", "\"\xed\xa0\x80\"", "1:2", "invalid UTF-8");
    row("above U+10FFFF", "\"\xf4\x90\x80\x80\"", "1:2", "invalid UTF-8");
    row("truncated utf8", "\"\xe2\x82", "1:2", "truncated UTF-8");
    row("5-byte lead", "\"\xf8\x88\x80\x80\x80\"", "1:2", "invalid UTF-8");
    row("BOM", "\xef\xbb\xbf{}", "1:1", "unexpected byte 0xef");
    row("single quotes", "{'a':1}", "1:2", "expected a member name");
    row("unquoted key", "{a:1}", "1:2", "expected a member name");
    row("missing colon", R"({"a" 1})", "1:6", "expected ':'");
    row("missing comma", "[1 2]", "1:4", "expected ',' or ']'");
    row("mismatched close", "[1}", "1:3", "mismatched");
    row("unclosed array", "[1,2", "1:5", "unexpected end of input");
    row("comment", "{} // c", "1:4", "trailing data");
    row("truncated literal", "tru", "1:1", "unexpected 't'");
    row("capital literal", "True", "1:1", "unexpected 'T'");
    row("nul byte outside string", QByteArray("[1,\0]", 5), "1:4", "unexpected byte 0x00");
}

void TestJsonReader::rejects()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, position);
    QFETCH(QString, messagePart);
    const auto result = json::parse(input);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("json"));
    QCOMPARE(result.error().path, position);
    QVERIFY2(result.error().message.contains(messagePart), qPrintable(result.error().message));
}

void TestJsonReader::exactIntegers()
{
    const auto result = json::parse(R"({"big":9007199254740993,"neg":-9007199254740993})");
    QVERIFY(result.ok());
    const QJsonObject o = result->toObject();
    QCOMPARE(o.value(QStringLiteral("big")).toInteger(), Q_INT64_C(9007199254740993));
    QCOMPARE(o.value(QStringLiteral("neg")).toInteger(), Q_INT64_C(-9007199254740993));
    QCOMPARE(o.value(QStringLiteral("big")).toVariant().typeId(), QMetaType::LongLong);
    // Beyond 64 bits it is a double, as documented, not a wrapped integer.
    const auto huge = json::parse("18446744073709551616");
    QVERIFY(huge.ok());
    QCOMPARE(huge->toVariant().typeId(), QMetaType::Double);
    QCOMPARE(huge->toDouble(), 18446744073709551616.0);
}

void TestJsonReader::limits_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<int>("maxDepth");
    QTest::addColumn<int>("maxString");
    QTest::addColumn<int>("maxMembers");
    QTest::addColumn<bool>("ok");

    QTest::addRow("bytes at limit") << QByteArray("[1,2]") << 5 << 64 << 100 << 100 << true;
    QTest::addRow("bytes over limit") << QByteArray("[1,2]") << 4 << 64 << 100 << 100 << false;
    QTest::addRow("depth at limit") << QByteArray("[[[]]]") << 100 << 3 << 100 << 100 << true;
    QTest::addRow("depth over limit") << QByteArray("[[[[]]]]") << 100 << 3 << 100 << 100 << false;
    QTest::addRow("object depth over limit") << QByteArray(R"({"a":{"b":{}}})") << 100 << 2 << 100 << 100 << false;
    QTest::addRow("string at limit") << QByteArray("\"abcd\"") << 100 << 64 << 4 << 100 << true;
    QTest::addRow("string over limit") << QByteArray("\"abcde\"") << 100 << 64 << 4 << 100 << false;
    QTest::addRow("string limit counts utf8 bytes") << QByteArray(R"("\u00e9\u00e9\u00e9")") << 100 << 64 << 5 << 100 << false;
    QTest::addRow("key over string limit") << QByteArray(R"({"abcde":1})") << 100 << 64 << 4 << 100 << false;
    QTest::addRow("members at limit") << QByteArray("[1,2,3]") << 100 << 64 << 100 << 3 << true;
    QTest::addRow("members over limit") << QByteArray("[1,2,3,4]") << 100 << 64 << 100 << 3 << false;
    QTest::addRow("object members over limit") << QByteArray(R"({"a":1,"b":2})") << 100 << 64 << 100 << 1 << false;
}

void TestJsonReader::limits()
{
    QFETCH(QByteArray, input);
    QFETCH(int, maxBytes);
    QFETCH(int, maxDepth);
    QFETCH(int, maxString);
    QFETCH(int, maxMembers);
    QFETCH(bool, ok);
    json::Limits limits;
    limits.maxBytes = maxBytes;
    limits.maxDepth = maxDepth;
    limits.maxStringBytes = maxString;
    limits.maxMembers = maxMembers;
    const auto result = json::parse(input, limits);
    QCOMPARE(result.ok(), ok);
}

void TestJsonReader::deepNestingDoesNotRecurse()
{
    // A million open brackets must fail cleanly on the depth limit. With the limit lifted, the
    // parser's explicit stack must cope without overflowing the native one (the document is left
    // unclosed: a fully built tree that deep could not be destroyed, Qt frees it recursively).
    const QByteArray deep(1'000'000, '[');
    const auto bounded = json::parse(deep, json::Limits{.maxBytes = 4'000'000});
    QVERIFY(!bounded.ok());
    QVERIFY(bounded.error().message.contains(QStringLiteral("nesting")));
    const auto unbounded = json::parse(deep, json::Limits{.maxBytes = 4'000'000, .maxDepth = 2'000'000});
    QVERIFY(!unbounded.ok());
    QVERIFY(unbounded.error().message.contains(QStringLiteral("unexpected end of input")));
    const QByteArray closed = QByteArray(5'000, '[') + QByteArray(5'000, ']');
    QVERIFY(json::parse(closed, json::Limits{.maxDepth = 5'000}).ok());
}

void TestJsonReader::parseObjectRequiresObject()
{
    QVERIFY(json::parseObject("{}").ok());
    const auto array = json::parseObject("[]");
    QVERIFY(!array.ok());
    QVERIFY(array.error().message.contains(QStringLiteral("object")));
}

void TestJsonReader::writerEscapes()
{
    const QJsonValue v(QString::fromUtf8("q\"\\\x01\n\xc3\xa9"));
    QCOMPARE(json::writeCompact(v), QByteArray("\"q\\\"\\\\\\u0001\\n\xc3\xa9\""));
    // Round trip: the reader reads back exactly what the writer wrote.
    const auto back = json::parse(json::writeCompact(v));
    QVERIFY(back.ok());
    QCOMPARE(back->toString(), v.toString());
}

void TestJsonReader::failureKinds_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("kind");
    QTest::addRow("ok") << QByteArray("{}") << int(json::Failure::None);
    QTest::addRow("syntax") << QByteArray("{,}") << int(json::Failure::Syntax);
    QTest::addRow("duplicate") << QByteArray(R"({"a":1,"a":1})") << int(json::Failure::DuplicateKey);
    QTest::addRow("utf8") << QByteArray("\"\xff\"") << int(json::Failure::Encoding);
    QTest::addRow("surrogate") << QByteArray(R"("\udc00")") << int(json::Failure::Encoding);
    QTest::addRow("depth") << QByteArray(100, '[') << int(json::Failure::Limit);
}

void TestJsonReader::failureKinds()
{
    QFETCH(QByteArray, input);
    QFETCH(int, kind);
    json::Failure failure = json::Failure::Syntax;
    const auto result = json::parse(input, json::Limits{}, &failure);
    QCOMPARE(result.ok(), kind == int(json::Failure::None));
    QCOMPARE(int(failure), kind);
}

void TestJsonReader::stringScanEveryPosition()
{
    // Strings are scanned in 16-byte blocks: put each kind of byte the scan must stop at in
    // every position of a block, of the block after it and of the tail shorter than a block.
    auto check = [](const QByteArray &input, bool ok, const QString &position, const QString &messagePart,
                    json::Failure kind) {
        json::Failure failure = json::Failure::None;
        const auto result = json::parse(input, json::Limits{}, &failure);
        const auto own = json::detail::parseWithOwnBuilder(input, json::Limits{});
        QVERIFY2(result.ok() == ok, qPrintable(QString::fromLatin1(input.toHex())));
        QCOMPARE(own.ok(), ok);
        QCOMPARE(failure, kind);
        if (ok) {
            QCOMPARE(own.value(), result.value());
            return;
        }
        QCOMPARE(result.error().path, position);
        QVERIFY2(result.error().message.contains(messagePart), qPrintable(result.error().message));
        QCOMPARE(own.error().path, position);
        QCOMPARE(own.error().message, result.error().message);
    };
    // Bytes that stop a string scan and fail it, wherever they fall.
    struct StopByte
    {
        QByteArray bytes;
        QString message;
        json::Failure kind;
    };
    const StopByte stops[] = {
        {QByteArray("\x00\x01\t\n\r\x1f", 6), QStringLiteral("control character"), json::Failure::Syntax},
        {QByteArray("\x80\xbf\xc0\xc1\xf5\xff"), QStringLiteral("UTF-8"), json::Failure::Encoding}};
    for (int length = 1; length <= 40; ++length) {
        const QByteArray plain(length, 'a');
        check('"' + plain + '"', true, {}, {}, json::Failure::None);
        check('"' + plain, false, QStringLiteral("1:1"), QStringLiteral("unterminated string"), json::Failure::Syntax);
        for (int i = 0; i < length; ++i) {
            const QString column = QStringLiteral("1:%1").arg(i + 2); // after the opening quote
            for (const StopByte &stop : stops) {
                for (const char byte : stop.bytes) {
                    QByteArray body = plain;
                    body[i] = byte;
                    check('"' + body + '"', false, column, stop.message, stop.kind);
                    // The same after an escape, where the decoding path copies runs of plain bytes.
                    check("\"\\n" + body + '"', false, QStringLiteral("1:%1").arg(i + 4), stop.message, stop.kind);
                }
            }
            QByteArray body = plain;
            body[i] = '"';
            check('"' + body + '"', false, QStringLiteral("1:%1").arg(i + 3), QStringLiteral("trailing data"),
                  json::Failure::Syntax);
            body[i] = '\x7f'; // DEL is not a control character in JSON
            check('"' + body + '"', true, {}, {}, json::Failure::None);
            // Valid multi-byte UTF-8 and escapes are accepted and decoded wherever they fall.
            const QByteArray twoByte = plain.first(i) + "\xc3\xa9" + plain.sliced(i);
            check('"' + twoByte + '"', true, {}, {}, json::Failure::None);
            QCOMPARE(json::parse(QByteArray('"' + twoByte + '"'))->toString(), QString::fromUtf8(twoByte));
            const QByteArray fourByte = plain.first(i) + "\xf0\x9f\x98\x80" + plain.sliced(i);
            QCOMPARE(json::parse(QByteArray('"' + fourByte + '"'))->toString(), QString::fromUtf8(fourByte));
            const QByteArray escaped = plain.first(i) + "\\n" + plain.sliced(i);
            QCOMPARE(json::parse(QByteArray('"' + escaped + '"'))->toString(),
                     QString::fromLatin1(QByteArray(plain.first(i) + '\n' + plain.sliced(i))));
            // A multi-byte sequence cut short by the closing quote or by the end of the input.
            const QByteArray cut = plain.first(i) + "\xe2\x82";
            check('"' + cut + '"', false, column, QStringLiteral("invalid UTF-8"), json::Failure::Encoding);
            check('"' + cut, false, column, QStringLiteral("truncated UTF-8"), json::Failure::Encoding);
        }
    }
}

void TestJsonReader::duplicateKeysAcrossNesting_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("position"); // empty: accepted
    QByteArray many = "{";
    for (int i = 0; i < 40; ++i)
        many += "\"k" + QByteArray::number(i) + "\":" + QByteArray::number(i) + ',';
    QTest::addRow("parent key after a child object") << QByteArray(R"({"a":{"b":1,"c":2},"b":3})") << QString();
    QTest::addRow("child key after parent keys") << QByteArray(R"({"a":1,"b":{"a":2}})") << QString();
    QTest::addRow("duplicate after a child object") << QByteArray(R"({"a":{"b":1},"c":3,"a":4})") << QStringLiteral("1:20");
    QTest::addRow("duplicate in a child after parent keys") << QByteArray(R"({"a":1,"b":{"c":2,"c":3}})")
                                                             << QStringLiteral("1:19");
    QTest::addRow("sibling objects in an array") << QByteArray(R"({"x":[{"a":1},{"a":2}],"a":3})") << QString();
    QTest::addRow("many keys, then a child, then a new key") << many + R"("c":{"k1":1},"z":1})" << QString();
    QTest::addRow("many keys, then a child, then a duplicate") << many + R"("c":{"k1":1},"k39":1})"
                                                                << QStringLiteral("1:%1").arg(many.size() + 14);
    QTest::addRow("many keys in a child, then a parent duplicate")
        << QByteArray(R"({"p":1,"c":)") + many + R"("z":1},"p":2})" << QStringLiteral("1:%1").arg(many.size() + 19);
    QTest::addRow("many keys in a child, then a parent key") << QByteArray(R"({"p":1,"c":)") + many + R"("z":1},"k0":2})"
                                                             << QString();
}

void TestJsonReader::duplicateKeysAcrossNesting()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, position);
    json::Failure failure = json::Failure::None;
    const auto result = json::parse(input, json::Limits{}, &failure);
    QCOMPARE(result.ok(), position.isEmpty());
    QCOMPARE(json::detail::parseWithOwnBuilder(input, json::Limits{}).ok(), position.isEmpty());
    if (!position.isEmpty()) {
        QCOMPARE(failure, json::Failure::DuplicateKey);
        QCOMPARE(result.error().path, position);
    }
}

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"
