// SPDX-License-Identifier: Apache-2.0
// Decision semantics, template links and the scope index.
#include "PolicyTestUtil.h"

#include "policy/Authorizer.h"
#include "policy/PolicySet.h"

#include <QTest>

using namespace mandate::policy;
using namespace mandate::policy::test;

class TestPolicyAuthorizer : public QObject
{
    Q_OBJECT

    EntityStore m_entities;

    Request request(const char *principal, const char *action, const char *resource) const
    {
        return Request{UidTable::uid("User", principal), UidTable::uid("Action", action), UidTable::uid("Doc", resource),
                       Value::record({{"n", Value(int64_t(5))}}), nullptr};
    }

private slots:
    void initTestCase()
    {
        m_entities = entitiesFrom(R"([
            {"uid": {"type": "User", "id": "alice"}, "attrs": {"level": 5}, "parents": [{"type": "Group", "id": "eng"}]},
            {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": []},
            {"uid": {"type": "Group", "id": "eng"}, "attrs": {}, "parents": [{"type": "Group", "id": "all"}]},
            {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Action", "id": "any"}]},
            {"uid": {"type": "Doc", "id": "d1"}, "attrs": {"public": true}, "parents": [{"type": "Folder", "id": "f"}]}
        ])");
    }

    void decisions_data()
    {
        QTest::addColumn<QString>("policies");
        QTest::addColumn<QByteArray>("principal");
        QTest::addColumn<QByteArray>("action");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<QString>("reasons");
        QTest::addColumn<QString>("errors");
        auto row = [](const char *name, const char *policies, const char *principal, const char *action, bool allowed,
                      const char *reasons, const char *errors) {
            QTest::addRow("%s", name) << QString::fromUtf8(policies) << QByteArray(principal) << QByteArray(action)
                                      << allowed << QString::fromUtf8(reasons) << QString::fromUtf8(errors);
        };
#define PERMIT_ALL "permit(principal, action, resource);\n"
        row("default deny", "", "alice", "read", false, "", "");
        row("permit", PERMIT_ALL, "alice", "read", true, "policy0", "");
        row("forbid overrides permit", PERMIT_ALL "forbid(principal == User::\"alice\", action, resource);", "alice",
            "read", false, "policy1", "");
        row("forbid not matching", PERMIT_ALL "forbid(principal == User::\"alice\", action, resource);", "bob", "read",
            true, "policy0", "");
        row("erroring policy is skipped and reported",
            PERMIT_ALL "forbid(principal, action, resource) when { principal.level > 1 };", "bob", "read", true,
            "policy0", "policy1");
        row("error alone denies", "permit(principal, action, resource) when { 1 + \"a\" == 2 };", "alice", "read", false,
            "", "policy0");
        row("hierarchy in scope",
            "permit(principal in Group::\"all\", action in Action::\"any\", resource in Folder::\"f\");", "alice",
            "read", true, "policy0", "");
        row("action set", "permit(principal, action in [Action::\"write\", Action::\"any\"], resource);", "alice",
            "read", true, "policy0", "");
        row("empty action set", "permit(principal, action in [], resource);", "alice", "read", false, "", "");
        row("is constraints",
            "permit(principal is User, action, resource is Doc in Folder::\"f\");\n"
            "permit(principal is Group, action, resource);",
            "alice", "read", true, "policy0", "");
        row("several reasons",
            "permit(principal == User::\"alice\", action, resource);\n"
            "permit(principal, action == Action::\"read\", resource);\n"
            "permit(principal, action, resource == Doc::\"d1\") when { resource.public };\n"
            "permit(principal, action, resource) unless { context.n == 5 };",
            "alice", "read", true, "policy0,policy1,policy2", "");
#undef PERMIT_ALL
    }

    void decisions()
    {
        QFETCH(QString, policies);
        QFETCH(QByteArray, principal);
        QFETCH(QByteArray, action);
        QFETCH(bool, allowed);
        QFETCH(QString, reasons);
        QFETCH(QString, errors);
        const QByteArray utf8 = policies.toUtf8();
        auto set = PolicySet::parse(view(utf8));
        QVERIFY2(set.ok(), qPrintable(set.ok() ? QString() : set.error().toString()));
        const Decision d = Authorizer::isAuthorized(
            set.value(), m_entities, request(principal.constData(), action.constData(), "d1"));
        QCOMPARE(d.allowed, allowed);
        QStringList gotReasons = d.reasonIds();
        gotReasons.sort();
        QCOMPARE(gotReasons.join(QLatin1Char(',')), reasons);
        QCOMPARE(d.errorIds().join(QLatin1Char(',')), errors);
        for (const PolicyError &e : d.errors)
            QVERIFY(!e.message.empty());
    }

    void templateLinks()
    {
        auto set = PolicySet::parse("permit(principal == ?principal, action, resource in ?resource);");
        QVERIFY(set.ok());
        QVERIFY(set->link(QStringLiteral("policy0"), QStringLiteral("link1"), UidTable::uid("User", "alice"),
                          UidTable::uid("Folder", "f")).ok());
        QVERIFY(!set->link(QStringLiteral("policy0"), QStringLiteral("link1"), UidTable::uid("User", "bob"),
                           UidTable::uid("Folder", "f")).ok()); // duplicate id
        QVERIFY(!set->link(QStringLiteral("policy0"), QStringLiteral("link2"), UidTable::uid("User", "bob"),
                           std::nullopt).ok()); // missing slot
        QVERIFY(!set->link(QStringLiteral("nope"), QStringLiteral("link3"), std::nullopt, std::nullopt).ok());
        const Decision yes = Authorizer::isAuthorized(set.value(), m_entities, request("alice", "read", "d1"));
        QVERIFY(yes.allowed);
        QCOMPARE(yes.reasonIds(), QStringList{QStringLiteral("link1")});
        QCOMPARE(set->find(QStringLiteral("link1"))->templateId, QStringLiteral("policy0"));
        QVERIFY(!Authorizer::isAuthorized(set.value(), m_entities, request("bob", "read", "d1")).allowed);
    }

    // The index must never hide a policy that applies: compare against evaluating every policy.
    void indexMatchesFullScan()
    {
        QByteArray source;
        const char *principals[] = {"", "principal == User::\"alice\"", "principal in Group::\"all\"",
                                    "principal is User", "principal is User in Group::\"eng\"", "principal == User::\"bob\""};
        const char *actions[] = {"", "action == Action::\"read\"", "action in Action::\"any\"",
                                 "action in [Action::\"x\", Action::\"read\"]", "action == Action::\"write\""};
        const char *resources[] = {"", "resource == Doc::\"d1\"", "resource in Folder::\"f\"", "resource is Doc",
                                   "resource is Folder"};
        for (const char *p : principals)
            for (const char *a : actions)
                for (const char *r : resources)
                    source += QByteArray("permit(") + (*p ? p : "principal") + ", " + (*a ? a : "action") + ", "
                        + (*r ? r : "resource") + ");\n";
        auto set = PolicySet::parse(view(source));
        QVERIFY(set.ok());
        for (const char *who : {"alice", "bob", "carol"}) {
            for (const char *what : {"read", "write", "x"}) {
                const Request req = request(who, what, "d1");
                const Evaluator evaluator(m_entities, req);
                QStringList expected;
                for (const Policy &p : set->policies())
                    if (evaluator.scopeMatches(p))
                        expected << p.id;
                QStringList got = Authorizer::isAuthorized(set.value(), m_entities, req).reasonIds();
                got.sort();
                expected.sort();
                QCOMPARE(got, expected);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestPolicyAuthorizer)
#include "tst_policy_authorizer.moc"
