// SPDX-License-Identifier: Apache-2.0
// Differential test against the official engine (@cedar-policy/cedar-wasm under Node): random
// policy sets, entities and requests; both engines decide; any difference fails with the
// smallest reproducer found by shrinking. Skips (saying why) when node/npm or the package is
// unavailable. MANDATE_DIFF_CASES and MANDATE_DIFF_SEED override the defaults.
#include "CedarCaseGenerator.h"
#include "PolicyTestUtil.h"

#include "policy/Authorizer.h"
#include "policy/PolicySet.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace mandate::policy;
using namespace mandate::policy::test;

class TestPolicyDifferential : public QObject
{
    Q_OBJECT

    QProcess m_oracle;
    QString m_skipReason;

    static QString oracleSource() { return QStringLiteral(MANDATE_SOURCE_DIR "/tests/core/policy/oracle"); }
    static QString oracleBuild() { return QStringLiteral(MANDATE_BINARY_DIR "/tests/core/policy/oracle"); }

    // Installs the locked package into the build tree with `npm ci` unless already there.
    QString ensureModules()
    {
        for (const QString &dir : {oracleSource(), oracleBuild()}) {
            if (QFile::exists(dir + QStringLiteral("/node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm.js")))
                return dir + QStringLiteral("/node_modules");
        }
        const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
        if (npm.isEmpty()) {
            m_skipReason = QStringLiteral("npm is not installed: cannot install @cedar-policy/cedar-wasm");
            return {};
        }
        QDir().mkpath(oracleBuild());
        for (const char *file : {"package.json", "package-lock.json"}) {
            const QString name = QString::fromLatin1(file);
            QFile::remove(oracleBuild() + QLatin1Char('/') + name);
            QFile::copy(oracleSource() + QLatin1Char('/') + name, oracleBuild() + QLatin1Char('/') + name);
        }
        QProcess install;
        install.setWorkingDirectory(oracleBuild());
        install.setProcessChannelMode(QProcess::MergedChannels);
        install.start(npm, {QStringLiteral("ci"), QStringLiteral("--no-audit"), QStringLiteral("--no-fund")});
        if (!install.waitForFinished(240'000) || install.exitCode() != 0) {
            m_skipReason = QStringLiteral("`npm ci` for @cedar-policy/cedar-wasm failed: ")
                + QString::fromUtf8(install.readAll()).trimmed().right(400);
            return {};
        }
        return oracleBuild() + QStringLiteral("/node_modules");
    }

    QJsonObject ask(const QByteArray &line)
    {
        m_oracle.write(line + '\n');
        while (!m_oracle.canReadLine())
            if (!m_oracle.waitForReadyRead(30'000))
                return QJsonObject{{QStringLiteral("failure"), QStringLiteral("oracle did not answer")}};
        return QJsonDocument::fromJson(m_oracle.readLine()).object();
    }

    static QString summarize(const QJsonObject &answer)
    {
        if (answer.contains(QStringLiteral("failure")))
            return QStringLiteral("failure");
        QStringList reasons, errors;
        for (const auto &v : answer.value(QStringLiteral("reason")).toArray())
            reasons << v.toString();
        for (const auto &v : answer.value(QStringLiteral("errors")).toArray())
            errors << v.toString();
        reasons.sort();
        errors.sort();
        return answer.value(QStringLiteral("decision")).toString() + QStringLiteral(" reasons=[")
            + reasons.join(QLatin1Char(',')) + QStringLiteral("] errors=[") + errors.join(QLatin1Char(',')) + QLatin1Char(']');
    }

    // Our engine on the same case, summarized the same way; input it rejects is a "failure".
    // The oracle is given static policies, as the gateway enforces them (PolicySet::parseStatic).
    static QString ours(const GenCase &c) { return ours(c.policyText(), c.entities, c.principal, c.action, c.resource, c.context); }
    static QString ours(const std::string &text, const QJsonArray &entities, const QJsonObject &principal,
                        const QJsonObject &action, const QJsonObject &resource, const QJsonObject &context)
    {
        auto set = PolicySet::parseStatic(text);
        auto store = JsonFormats::entities(entities, nullptr);
        auto p = JsonFormats::entityUid(principal);
        auto a = JsonFormats::entityUid(action);
        auto r = JsonFormats::entityUid(resource);
        auto ctx = JsonFormats::context(context, nullptr, a.ok() ? a.value() : EntityRef{});
        if (!set || !store || !p || !a || !r || !ctx)
            return QStringLiteral("failure");
        const Decision d = Authorizer::isAuthorized(set.value(), store.value(), Request{*p, *a, *r, ctx.value(), nullptr});
        QStringList reasons = d.reasonIds();
        QStringList errors = d.errorIds();
        reasons.sort();
        errors.sort();
        return (d.allowed ? QStringLiteral("allow") : QStringLiteral("deny")) + QStringLiteral(" reasons=[")
            + reasons.join(QLatin1Char(',')) + QStringLiteral("] errors=[") + errors.join(QLatin1Char(',')) + QLatin1Char(']');
    }

    bool differs(const GenCase &c) { return ours(c) != summarize(ask(c.toJsonLine())); }

    GenCase shrink(GenCase c)
    {
        for (int round = 0; round < 200; ++round) {
            bool progressed = false;
            for (const GenCase &candidate : c.shrinkCandidates()) {
                if (differs(candidate)) {
                    c = candidate;
                    progressed = true;
                    break;
                }
            }
            if (!progressed)
                break;
        }
        return c;
    }

private slots:
    void initTestCase()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (node.isEmpty()) {
            m_skipReason = QStringLiteral("node is not installed: the cedar-wasm oracle cannot run");
            return;
        }
        const QString modules = ensureModules();
        if (modules.isEmpty())
            return;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CEDAR_ORACLE_MODULES"), modules);
        m_oracle.setProcessEnvironment(env);
        m_oracle.start(node, {oracleSource() + QStringLiteral("/oracle.js")});
        if (!m_oracle.waitForStarted() || !m_oracle.waitForReadyRead(30'000)) {
            m_skipReason = QStringLiteral("the oracle process did not start");
            return;
        }
        const QJsonObject hello = QJsonDocument::fromJson(m_oracle.readLine()).object();
        if (!hello.contains(QStringLiteral("ready"))) {
            m_skipReason = QStringLiteral("cannot load @cedar-policy/cedar-wasm: ")
                + hello.value(QStringLiteral("unavailable")).toString();
            return;
        }
        qInfo("oracle: cedar-wasm %s", qPrintable(hello.value(QStringLiteral("ready")).toString()));
    }

    void cleanupTestCase()
    {
        if (m_oracle.state() != QProcess::NotRunning) {
            m_oracle.closeWriteChannel();
            m_oracle.waitForFinished(5000);
        }
    }

    void writtenCases_data()
    {
        // Corners the generator does not reach (it parenthesises operands, builds acyclic
        // hierarchies and writes strings without escapes), each decided by both engines.
        QTest::addColumn<QString>("policies");
        QTest::addColumn<QByteArray>("context");
        QTest::addColumn<QByteArray>("entities");
        const QString allowAll = QStringLiteral("permit(principal, action, resource);\n");
        const auto when = [](const char *condition) {
            return QStringLiteral("permit(principal, action, resource) when { %1 };").arg(QString::fromUtf8(condition));
        };
        const QByteArray path = R"({"p": "/admin/x"})";
        // `like`: only `\*` is a literal star; a star written as an escape is the wildcard.
        QTest::newRow("like \\u{2a} is the wildcard")
            << allowAll + QStringLiteral(R"(forbid(principal, action, resource) when { context.p like "/admin/\u{2a}" };)") << path << QByteArray("[]");
        QTest::newRow("like \\x2a is the wildcard")
            << allowAll + QStringLiteral(R"(forbid(principal, action, resource) when { context.p like "/admin/\x2a" };)") << path << QByteArray("[]");
        QTest::newRow("like \\* is a star")
            << allowAll + QStringLiteral(R"(forbid(principal, action, resource) when { context.p like "/admin/\*" };)") << path << QByteArray("[]");
        QTest::newRow("like \\* matches a star") << when(R"("a*" like "a\*")") << QByteArray("{}") << QByteArray("[]");
        // The entity hierarchy must not have a cycle.
        const QByteArray cycle = R"([{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": [{"type": "Group", "id": "g"}]},
                                     {"uid": {"type": "Group", "id": "g"}, "attrs": {}, "parents": [{"type": "User", "id": "a"}]}])";
        QTest::newRow("entity cycle") << QStringLiteral(R"(permit(principal, action, resource in User::"a");)") << QByteArray("{}") << cycle;
        QTest::newRow("entity its own parent")
            << allowAll << QByteArray("{}") << QByteArray(R"([{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": [{"type": "User", "id": "a"}]}])");
        const QByteArray chain = R"([{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": [{"type": "Group", "id": "g"}]},
                                     {"uid": {"type": "Group", "id": "g"}, "attrs": {}, "parents": [{"type": "Group", "id": "top"}]}])";
        QTest::newRow("entity chain") << QStringLiteral(R"(permit(principal in Group::"top", action, resource);)") << QByteArray("{}") << chain;
        // String escapes, as Cedar reads them.
        QTest::newRow("\\x41") << when(R"("\x41" == "A")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("\\x80") << when(R"("\x80" == "A")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("\\x4") << when(R"("\x4" == "A")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("\\u{4_1}") << when(R"("\u{4_1}" == "A")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("\\u{0_0_0_0_4_1}") << when(R"("\u{0_0_0_0_4_1}" == "A")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("\\u{_41}") << when(R"("\u{_41}" == "A")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("\\u{0000041}") << when(R"("\u{0000041}" == "A")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("raw carriage return") << when("\"a\rb\" == \"a\"") << QByteArray("{}") << QByteArray("[]");
        // Unary operators: a run of one kind, at most four.
        QTest::newRow("!-1") << when("true || !-1") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("-!1") << when("-!1 == 1") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("!(-1 == 1)") << when("!(-1 == 1)") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("--1") << when("--1 == 1") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("-----1") << when("-----1 == -1") << QByteArray("{}") << QByteArray("[]");
        // The scope: one trailing comma, no more.
        QTest::newRow("trailing comma") << QStringLiteral("permit(principal, action, resource,);") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("two trailing commas") << QStringLiteral("permit(principal, action, resource,,);") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("comma after action") << QStringLiteral("permit(principal, action,);") << QByteArray("{}") << QByteArray("[]");
        // Reserved words are not names.
        QTest::newRow("has if") << when("context has if") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow(".if") << when("context.if == 1") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("{if: 1}") << when("{if: 1} has then") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("\"if\" as a string") << when(R"(context has "if")") << QByteArray(R"({"if": 1})") << QByteArray("[]");
        QTest::newRow("in::\"x\"") << when(R"(principal == in::"x")") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("is like") << QStringLiteral("permit(principal is like, action, resource);") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("__cedar::X") << QStringLiteral("permit(principal is __cedar::X, action, resource);") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("{__cedar: 1}") << when("{__cedar: 1} has __cedar") << QByteArray("{}") << QByteArray("[]");
        QTest::newRow("A::__cedar") << QStringLiteral("permit(principal is A::__cedar, action, resource);") << QByteArray("{}") << QByteArray("[]");
        // Whitespace is Unicode's.
        for (const char *space : {"\v", "\f", "\u0085", "\u00a0", "\u2028", "\u3000", "\u200b"}) {
            const QString text = QStringLiteral("permit(principal, action, resource)%1;").arg(QString::fromUtf8(space));
            QTest::addRow("whitespace U+%04X", unsigned(text.at(35).unicode())) << text << QByteArray("{}") << QByteArray("[]");
        }
        // Entity and extension JSON: names as the policy grammar has them, Cedar's own functions.
        for (const char *type : {"", "User ", "if", "A::B", "__cedar::B", "A::", "9a"}) {
            const QByteArray entity = QByteArray("[{\"uid\": {\"type\": \"") + type + "\", \"id\": \"x\"}, \"attrs\": {}, \"parents\": []}]";
            QTest::addRow("entity type \"%s\"", type) << allowAll << QByteArray("{}") << entity;
        }
        QTest::newRow("context entity type if") << allowAll << QByteArray(R"({"e": {"__entity": {"type": "if", "id": "x"}}})") << QByteArray("[]");
        QTest::newRow("__extn ipaddr") << allowAll << QByteArray(R"({"x": {"__extn": {"fn": "ipaddr", "arg": "1.2.3.4"}}})") << QByteArray("[]");
        QTest::newRow("__extn ip") << allowAll << QByteArray(R"({"x": {"__extn": {"fn": "ip", "arg": "1.2.3.4"}}})") << QByteArray("[]");
        // A template is no static policy.
        QTest::newRow("template") << QStringLiteral("forbid(principal == ?principal, action, resource);") << QByteArray("{}") << QByteArray("[]");
        // `has` along a path: true, false at a missing step, an error at a step that is no record.
        const QByteArray nested = R"({"a": {"b": {"c": 1}}, "n": {"b": 1}})";
        QTest::newRow("has a.b.c") << when("context has a.b.c") << nested << QByteArray("[]");
        QTest::newRow("has a.b.d") << when("context has a.b.d") << nested << QByteArray("[]");
        QTest::newRow("has a.x.c") << when("context has a.x.c") << nested << QByteArray("[]");
        QTest::newRow("has n.b.c") << when("context has n.b.c") << nested << QByteArray("[]");
        QTest::newRow("has n.b.c, errors skipped") << allowAll + when("context has n.b.c") << nested << QByteArray("[]");
    }

    void writtenCases()
    {
        if (!m_skipReason.isEmpty())
            QSKIP(qPrintable(m_skipReason));
        QFETCH(QString, policies);
        QFETCH(QByteArray, context);
        QFETCH(QByteArray, entities);
        const QJsonObject principal{{QStringLiteral("type"), QStringLiteral("User")}, {QStringLiteral("id"), QStringLiteral("a")}};
        const QJsonObject action{{QStringLiteral("type"), QStringLiteral("Action")}, {QStringLiteral("id"), QStringLiteral("view")}};
        const QJsonObject resource{{QStringLiteral("type"), QStringLiteral("Group")}, {QStringLiteral("id"), QStringLiteral("g")}};
        const QJsonObject contextObject = QJsonDocument::fromJson(context).object();
        const QJsonArray entityArray = QJsonDocument::fromJson(entities).array();
        QVERIFY(!QJsonDocument::fromJson(context).isNull() && !QJsonDocument::fromJson(entities).isNull());
        const QJsonObject call{{QStringLiteral("policies"), policies}, {QStringLiteral("entities"), entityArray},
                               {QStringLiteral("principal"), principal}, {QStringLiteral("action"), action},
                               {QStringLiteral("resource"), resource}, {QStringLiteral("context"), contextObject}};
        const QJsonObject answer = ask(QJsonDocument(call).toJson(QJsonDocument::Compact));
        const QString mine = ours(policies.toStdString(), entityArray, principal, action, resource, contextObject);
        QVERIFY2(mine == summarize(answer), qPrintable(QStringLiteral("mandate: %1\ncedar-wasm: %2")
                                                           .arg(mine, QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact)))));
    }

    void randomCases()
    {
        if (!m_skipReason.isEmpty()) {
            qWarning("SKIPPED: %s", qPrintable(m_skipReason));
            QSKIP(qPrintable(m_skipReason));
        }
        const int cases = qEnvironmentVariableIsSet("MANDATE_DIFF_CASES") ? qEnvironmentVariableIntValue("MANDATE_DIFF_CASES")
                                                                           : 3000;
        const uint32_t seed = qEnvironmentVariableIsSet("MANDATE_DIFF_SEED")
            ? uint32_t(qEnvironmentVariableIntValue("MANDATE_DIFF_SEED"))
            : 20261129u;
        qInfo("differential: %d cases, seed %u", cases, seed);
        CedarCaseGenerator generator(seed);
        int allows = 0, errors = 0, failures = 0;
        for (int i = 0; i < cases; ++i) {
            const GenCase c = generator.next();
            const QString mine = ours(c);
            const QString theirs = summarize(ask(c.toJsonLine()));
            allows += mine.startsWith(QLatin1String("allow"));
            errors += mine.contains(QLatin1String("errors=[p"));
            failures += mine == QLatin1String("failure");
            if (mine == theirs)
                continue;
            const GenCase small = shrink(c);
            const QJsonObject answer = ask(small.toJsonLine());
            QFAIL(qPrintable(QStringLiteral("case %1 (seed %2) differs; smallest reproducer:\n%3\n"
                                            "request+entities: %4\nmandate: %5\ncedar-wasm: %6 %7")
                                 .arg(i)
                                 .arg(seed)
                                 .arg(QString::fromStdString(small.policyText()),
                                      QString::fromUtf8(small.toJsonLine()), ours(small), summarize(answer),
                                      QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact)))));
        }
        qInfo("%d cases agree (%d allow, %d with evaluation errors, %d rejected input)", cases, allows, errors,
              failures);
        QVERIFY2(failures < cases / 10, "the generator produces too much invalid input to be useful");
    }
};

QTEST_GUILESS_MAIN(TestPolicyDifferential)
#include "tst_policy_differential.moc"
