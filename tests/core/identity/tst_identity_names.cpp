// SPDX-License-Identifier: Apache-2.0
// The registry's name rules on their own: record ids, action names ("tool:verb") and memory
// scope names, one row per case at and around each limit. The records' rules are in
// tst_identity_validation.
#include "identity/Validator.h"

#include <QTest>

using namespace mandate;
using namespace mandate::identity;

namespace {

QString s(const char *text) { return QString::fromUtf8(text); }
QString repeat(char c, int count) { return QString(count, QLatin1Char(c)); }

} // namespace

class TestIdentityNames : public QObject
{
    Q_OBJECT

private slots:
    void ids_data();
    void ids();
    void actionNames_data();
    void actionNames();
    void scopeNames_data();
    void scopeNames();
};

void TestIdentityNames::ids_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::addRow("two letters") << s("ab") << true;
    QTest::addRow("letters digits hyphens") << s("support-agent-2") << true;
    QTest::addRow("64 characters") << (s("a") + repeat('b', 63)) << true;
    QTest::addRow("ends with digit") << s("a1") << true;
    QTest::addRow("empty") << QString() << false;
    QTest::addRow("one letter") << s("a") << false;
    QTest::addRow("65 characters") << (s("a") + repeat('b', 64)) << false;
    QTest::addRow("uppercase") << s("Support") << false;
    QTest::addRow("starts with digit") << s("1agent") << false;
    QTest::addRow("starts with hyphen") << s("-agent") << false;
    QTest::addRow("ends with hyphen") << s("agent-") << false;
    QTest::addRow("double hyphen") << s("a--b") << false;
    QTest::addRow("underscore") << s("a_b") << false;
    QTest::addRow("dot") << s("a.b") << false;
    QTest::addRow("space") << s("a b") << false;
    QTest::addRow("trailing newline") << s("ab\n") << false;
    QTest::addRow("leading newline") << s("\nab") << false;
    QTest::addRow("non-ascii letter") << s("caf\xc3\xa9") << false;
}
void TestIdentityNames::ids()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(Validator::isValidId(id), valid);
}
void TestIdentityNames::actionNames_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("valid");

    QTest::addRow("tool and verb") << s("refund:create") << true;
    QTest::addRow("hyphens and digits") << s("crm-2:bulk-update") << true;
    QTest::addRow("no colon") << s("refund") << false;
    QTest::addRow("two colons") << s("refund:create:now") << false;
    QTest::addRow("empty tool") << s(":create") << false;
    QTest::addRow("empty verb") << s("refund:") << false;
    QTest::addRow("uppercase") << s("Refund:create") << false;
    QTest::addRow("verb starts with digit") << s("refund:1create") << false;
    QTest::addRow("wildcard") << s("refund:*") << false;
    QTest::addRow("trailing newline") << s("refund:create\n") << false;
    QTest::addRow("129 characters") << (s("a") + repeat('b', 63) + s(":") + repeat('c', 64)) << false;
    QTest::addRow("128 characters") << (s("a") + repeat('b', 62) + s(":") + repeat('c', 64)) << true;
}
void TestIdentityNames::actionNames()
{
    QFETCH(QString, action);
    QFETCH(bool, valid);
    QCOMPARE(Validator::isValidAction(action), valid);
}
void TestIdentityNames::scopeNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::addRow("single letter") << s("n") << true;
    QTest::addRow("dots underscores hyphens") << s("notes.v2_draft-1") << true;
    QTest::addRow("64 characters") << (s("n") + repeat('x', 63)) << true;
    QTest::addRow("65 characters") << (s("n") + repeat('x', 64)) << false;
    QTest::addRow("empty") << QString() << false;
    QTest::addRow("uppercase") << s("Notes") << false;
    QTest::addRow("starts with digit") << s("1notes") << false;
    QTest::addRow("starts with dot") << s(".notes") << false;
    QTest::addRow("slash") << s("notes/private") << false;
    QTest::addRow("trailing newline") << s("notes\n") << false;
}
void TestIdentityNames::scopeNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(Validator::isValidScopeName(name), valid);
}

QTEST_GUILESS_MAIN(TestIdentityNames)
#include "tst_identity_names.moc"
