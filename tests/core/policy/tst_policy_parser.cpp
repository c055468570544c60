// SPDX-License-Identifier: Apache-2.0
#include "policy/Parser.h"
#include "policy/PolicySet.h"

#include <QTest>

using namespace mandate::policy;

class TestPolicyParser : public QObject
{
    Q_OBJECT

private slots:
    void accepts_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("policies");
        QTest::addColumn<int>("templates");
        QTest::addRow("empty") << QString() << 0 << 0;
        QTest::addRow("comment only") << QStringLiteral("// nothing\n") << 0 << 0;
        QTest::addRow("unconstrained") << QStringLiteral("permit(principal, action, resource);") << 1 << 0;
        QTest::addRow("all scope forms") << QStringLiteral(
            "permit(principal == User::\"a\", action == Action::\"view\", resource in Folder::\"f\");\n"
            "forbid(principal is User, action in [Action::\"a\", NS::Action::\"b\"], resource is Doc in Folder::\"x\");\n"
            "permit(principal in Group::\"g\", action in Action::\"all\", resource == Doc::\"d\");")
                                         << 3 << 0;
        QTest::addRow("templates") << QStringLiteral(
            "permit(principal == ?principal, action, resource in ?resource);\n"
            "permit(principal is User in ?principal, action, resource);")
                                   << 0 << 2;
        QTest::addRow("annotations") << QStringLiteral("@id(\"p1\") @advice(\"x\\n\") @flag permit(principal, action, resource);")
                                     << 1 << 0;
        QTest::addRow("conditions") << QStringLiteral(
            "permit(principal, action, resource) when { principal.age >= 18 && resource.owner == principal }"
            " unless { context has ip && context.ip.isLoopback() } when { if true then 1 else 2 == 1 };")
                                    << 1 << 0;
        QTest::addRow("every operator") << QStringLiteral(
            "permit(principal, action, resource) when { !(-1 + 2 * 3 - 4 < 5) || [1, 2].contains(1) &&"
            " {a: 1, \"b c\": [true]}[\"b c\"].containsAll([true]) && \"x*y\" like \"x\\**\" && principal is User"
            " && principal is User in Group::\"g\" && principal in [Group::\"g\"] && resource has a.b.c"
            " && resource.getTag(\"t\") != resource.hasTag(\"t\") && decimal(\"1.5\").lessThan(decimal(\"2.0\"))"
            " && ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\")) && datetime(\"2024-01-01\").offset(duration(\"1h\"))"
            " > datetime(\"2024-01-01\") && [].isEmpty() && [1].containsAny([2]) };")
                                        << 1 << 0;
        QTest::addRow("escaped ids and namespaces") << QStringLiteral(
            "permit(principal == A::B::C::\"\\u{1F600} \\\"q\\\" \\\\\", action, resource);")
                                                    << 1 << 0;
        QTest::addRow("min long") << QStringLiteral(
            "permit(principal, action, resource) when { -9223372036854775808 < 0 };")
                                  << 1 << 0;
        QTest::addRow("four unary operators") << QStringLiteral(
            "permit(principal, action, resource) when { !!!!true };")
                                              << 1 << 0;
        QTest::addRow("extension call with wrong arity is an evaluation error")
            << QStringLiteral("permit(principal, action, resource) when { decimal(\"1.0\", 2) };") << 1 << 0;
    }

    void accepts()
    {
        QFETCH(QString, source);
        QFETCH(int, policies);
        QFETCH(int, templates);
        const QByteArray utf8 = source.toUtf8();
        auto set = PolicySet::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
        QVERIFY2(set.ok(), qPrintable(set.ok() ? QString() : set.error().toString()));
        QCOMPARE(int(set->policies().size()), policies);
        QCOMPARE(int(set->templates().size()), templates);
    }

    void idsAndAnnotations()
    {
        auto set = PolicySet::parse("@id(\"first\") permit(principal, action, resource);\n"
                                    "permit(principal == ?principal, action, resource);\n"
                                    "forbid(principal, action, resource);");
        QVERIFY(set.ok());
        QCOMPARE(set->policies().size(), size_t(2));
        QCOMPARE(set->policies()[0].id, QStringLiteral("policy0"));
        QCOMPARE(set->policies()[0].annotation(QStringLiteral("id")), QStringLiteral("first"));
        QCOMPARE(set->templates()[0].id, QStringLiteral("policy1"));
        QCOMPARE(set->policies()[1].id, QStringLiteral("policy2"));
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("position");
        QTest::addColumn<QString>("message");
        QTest::addRow("missing semicolon") << QStringLiteral("permit(principal, action, resource)") << QStringLiteral("1:36")
                                           << QStringLiteral("expected `when`, `unless` or `;`");
        QTest::addRow("bad effect") << QStringLiteral("allow(principal, action, resource);") << QStringLiteral("1:1")
                                    << QStringLiteral("expected `permit` or `forbid`");
        QTest::addRow("scope order") << QStringLiteral("permit(action, principal, resource);") << QStringLiteral("1:8")
                                     << QStringLiteral("expected `principal`");
        QTest::addRow("set in principal scope") << QStringLiteral("permit(principal in [User::\"a\"], action, resource);")
                                                << QStringLiteral("1:21") << QStringLiteral("only allowed in the action scope");
        QTest::addRow("action of wrong type") << QStringLiteral("permit(principal, action == User::\"a\", resource);")
                                              << QStringLiteral("1:29") << QStringLiteral("type `Action`");
        QTest::addRow("wrong slot") << QStringLiteral("permit(principal == ?resource, action, resource);")
                                    << QStringLiteral("1:21") << QStringLiteral("not allowed here");
        QTest::addRow("slot in condition") << QStringLiteral("permit(principal, action, resource) when { ?principal };")
                                           << QStringLiteral("1:44") << QStringLiteral("only allowed in the policy scope");
        QTest::addRow("raw carriage return in a string")
            << QStringLiteral("permit(principal, action, resource) when { \"a\rb\" == \"a\" };") << QStringLiteral("1:44")
            << QStringLiteral("a carriage return in a string literal must be written `\\r`");
        QTest::addRow("second line") << QStringLiteral("permit(principal, action, resource)\n  when { 1 + };")
                                     << QStringLiteral("2:14") << QStringLiteral("expected an expression");
        QTest::addRow("unterminated string") << QStringLiteral("permit(principal == User::\"a, action, resource);")
                                             << QStringLiteral("1:27") << QStringLiteral("unterminated string");
        QTest::addRow("bad escape") << QStringLiteral("permit(principal == User::\"\\q\", action, resource);")
                                    << QStringLiteral("1:27") << QStringLiteral("invalid escape");
        QTest::addRow("integer too large") << QStringLiteral("permit(principal, action, resource) when { 9223372036854775808 };")
                                           << QStringLiteral("1:44") << QStringLiteral("out of range");
        QTest::addRow("five unary operators") << QStringLiteral("permit(principal, action, resource) when { !!!!!true };")
                                              << QStringLiteral("1:48") << QStringLiteral("too many unary operators");
        QTest::addRow("unknown function") << QStringLiteral("permit(principal, action, resource) when { foo(1) };")
                                          << QStringLiteral("1:44") << QStringLiteral("unknown function `foo`");
        QTest::addRow("unknown method") << QStringLiteral("permit(principal, action, resource) when { [].size() };")
                                        << QStringLiteral("1:47") << QStringLiteral("unknown method `size`");
        QTest::addRow("contains arity") << QStringLiteral("permit(principal, action, resource) when { [].contains() };")
                                        << QStringLiteral("1:47") << QStringLiteral("takes 1 argument");
        QTest::addRow("unknown variable") << QStringLiteral("permit(principal, action, resource) when { user };")
                                          << QStringLiteral("1:44") << QStringLiteral("unknown variable `user`");
        QTest::addRow("duplicate record key") << QStringLiteral("permit(principal, action, resource) when { {a: 1, a: 2} };")
                                              << QStringLiteral("1:51") << QStringLiteral("duplicate key");
        QTest::addRow("duplicate annotation") << QStringLiteral("@a @a permit(principal, action, resource);")
                                              << QStringLiteral("1:4") << QStringLiteral("duplicate annotation");
        QTest::addRow("chained relations") << QStringLiteral("permit(principal, action, resource) when { 1 < 2 < 3 };")
                                           << QStringLiteral("1:50") << QStringLiteral("expected `}`");
        QTest::addRow("single equals") << QStringLiteral("permit(principal, action, resource) when { 1 = 1 };")
                                       << QStringLiteral("1:46") << QStringLiteral("use `==`");
        QTest::addRow("empty condition") << QStringLiteral("permit(principal, action, resource) when { };")
                                         << QStringLiteral("1:44") << QStringLiteral("must not be empty");
        QTest::addRow("stray character") << QStringLiteral("permit(principal, action, resource) when { 1 # 2 };")
                                         << QStringLiteral("1:46") << QStringLiteral("unexpected character `#`");
    }

    void rejects()
    {
        QFETCH(QString, source);
        QFETCH(QString, position);
        QFETCH(QString, message);
        const QByteArray utf8 = source.toUtf8();
        auto set = PolicySet::parse(std::string_view(utf8.constData(), size_t(utf8.size())));
        QVERIFY(!set.ok());
        QCOMPARE(set.error().path, position);
        QVERIFY2(set.error().message.contains(message), qPrintable(set.error().message));
    }

    // Pathological input must give an error (or parse), never overflow the stack or hang.
    void pathological_data()
    {
        QTest::addColumn<QByteArray>("source");
        QTest::addColumn<bool>("ok");
        const QByteArray head = "permit(principal, action, resource) when { ";
        QTest::addRow("10000 nested parens")
            << head + QByteArray(10000, '(') + "true" + QByteArray(10000, ')') + " };" << false;
        QTest::addRow("10000 nested sets") << head + QByteArray(10000, '[') + QByteArray(10000, ']') + " };" << false;
        QTest::addRow("10000 nested records") << head + QByteArray("{a:").repeated(10000) + "1" + QByteArray(10000, '}') + " };"
                                              << false;
        QTest::addRow("100000 chained additions") << head + "1" + QByteArray(" + 1").repeated(100000) + " == 1 };" << false;
        QTest::addRow("10000 chained method calls") << head + "[]" + QByteArray(".isEmpty()").repeated(10000) + " };"
                                                    << false;
        QTest::addRow("10 MB string") << head + '"' + QByteArray(10 << 20, 'x') + "\" == \"\" };" << true;
        QTest::addRow("10 MB of unterminated string") << head + '"' + QByteArray(10 << 20, 'x') << false;
        QTest::addRow("100 nested parens") << head + QByteArray(100, '(') + "true" + QByteArray(100, ')') + " };" << true;
        // A truncated UTF-8 sequence must not swallow the byte after it: `\xE2\x80(` is no
        // U+2028 (whitespace) and no `(`. Text that is not UTF-8 is refused whole.
        QTest::addRow("truncated UTF-8 before a parenthesis")
            << head + "!\xE2\x80(context.a && context.b\xE2\x80) };" << false;
        QTest::addRow("a lone continuation byte") << head + "true \x80 };" << false;
        QTest::addRow("UTF-8 in a string") << head + "\"\xE2\x80\xA8\" == \"\xE2\x80\xA8\" };" << true;
        // `e has a.b.c` stands for `e has a && e.a has b && ...`: spelled out, each segment would
        // copy the subject and the path so far (here about 10^11 nodes).
        QTest::addRow("has along 5000 segments of a 10000-element set")
            << head + '[' + QByteArray("principal,").repeated(10000) + "principal] has a" + QByteArray(".a").repeated(4999) + " };"
            << true;
    }

    void pathological()
    {
        QFETCH(QByteArray, source);
        QFETCH(bool, ok);
        auto set = PolicySet::parse(std::string_view(source.constData(), size_t(source.size())));
        QCOMPARE(set.ok(), ok);
        if (!ok)
            QVERIFY(!set.error().message.isEmpty());
    }

    void manyPolicies()
    {
        QByteArray source;
        for (int i = 0; i < 10000; ++i)
            source += "permit(principal == User::\"u" + QByteArray::number(i)
                + "\", action == Action::\"view\", resource in Folder::\"f\") when { context.n > " + QByteArray::number(i)
                + " };\n";
        auto set = PolicySet::parse(std::string_view(source.constData(), size_t(source.size())));
        QVERIFY(set.ok());
        QCOMPARE(set->policies().size(), size_t(10000));
        QCOMPARE(set->policies().back().id, QStringLiteral("policy9999"));
    }
};

QTEST_GUILESS_MAIN(TestPolicyParser)
#include "tst_policy_parser.moc"
