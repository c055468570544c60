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
    static QString ours(const GenCase &c)
    {
        const std::string text = c.policyText();
        auto set = PolicySet::parse(text);
        auto store = JsonFormats::entities(c.entities, nullptr);
        auto p = JsonFormats::entityUid(c.principal);
        auto a = JsonFormats::entityUid(c.action);
        auto r = JsonFormats::entityUid(c.resource);
        auto ctx = JsonFormats::context(c.context, nullptr, a.ok() ? a.value() : EntityRef{});
        if (!set || !store || !p || !a || !r || !ctx)
            return QStringLiteral("failure");
        const Decision d = Authorizer::isAuthorized(set.value(), store.value(), Request{*p, *a, *r, ctx.value()});
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
