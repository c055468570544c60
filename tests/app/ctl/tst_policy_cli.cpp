// SPDX-License-Identifier: Apache-2.0
// `mandatectl policy check` and `policy authorize` on files, as a policy repository's CI runs
// them: exit 0/1/2 as the usage text says, errors as file:line:col, and the engine's refusals
// (templates, text that is not UTF-8) reaching the command line.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class tst_PolicyCli final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    struct Run
    {
        int code = -1;
        QByteArray out, err;
    };

    static Run ctl(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(MANDATECTL), QStringList{QStringLiteral("policy")} + args);
        Run r;
        if (!p.waitForFinished(30'000))
            return r;
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    QString write(const QString &name, const QByteArray &bytes) const
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    /// `policy authorize` of User::"a" viewing Doc::"d" under `policies`, with `context`.
    Run authorize(const QString &policies, const QByteArray &context = "{}")
    {
        return ctl({QStringLiteral("authorize"), QStringLiteral("--policies"), policies, QStringLiteral("--entities"),
                    write(QStringLiteral("entities.json"), "[]"), QStringLiteral("--principal"), QStringLiteral("User::\"a\""),
                    QStringLiteral("--action"), QStringLiteral("Action::\"view\""), QStringLiteral("--resource"),
                    QStringLiteral("Doc::\"d\""), QStringLiteral("--context"), write(QStringLiteral("context.json"), context)});
    }

private slots:
    void checkSaysWhereAndExitsAsDocumented()
    {
        const QString good = write(QStringLiteral("good.cedar"), "permit(principal, action, resource) when { context.n > 1 };\n");
        Run r = ctl({QStringLiteral("check"), good});
        QVERIFY2(r.code == 0, r.err.constData());
        const QString bad = write(QStringLiteral("bad.cedar"), "permit(principal, action, resource)\n  when { 1 + };\n");
        r = ctl({QStringLiteral("check"), good, bad});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QByteArray(bad.toUtf8() + ":2:14: ")), r.err.constData());
        // A file that cannot be read is a usage error, the policies' or the schema's alike.
        QCOMPARE(ctl({QStringLiteral("check"), m_dir.filePath(QStringLiteral("missing.cedar"))}).code, 2);
        QCOMPARE(ctl({QStringLiteral("check"), good, QStringLiteral("--schema"), m_dir.filePath(QStringLiteral("missing.cedarschema"))}).code, 2);
        // A schema that does not parse fails the check.
        const QString badSchema = write(QStringLiteral("bad.cedarschema"), "entity A in [B];");
        r = ctl({QStringLiteral("check"), good, QStringLiteral("--schema"), badSchema});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("undeclared entity type `B`"), r.err.constData());
        // Options: a value, once.
        QCOMPARE(ctl({QStringLiteral("check"), good, QStringLiteral("--schema")}).code, 2);
        QCOMPARE(ctl({QStringLiteral("check"), good, QStringLiteral("--schema"), QString()}).code, 2);
        r = ctl({QStringLiteral("check"), good, QStringLiteral("--schema"), badSchema, QStringLiteral("--schema"), badSchema});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--schema is given twice"), r.err.constData());
    }

    void checkRefusesWhatTheGatewayWouldNotEnforce()
    {
        // A template never applies on a gateway: the check fails where a publish would.
        const QString withTemplate = write(QStringLiteral("template.cedar"),
                                           "permit(principal, action, resource);\nforbid(principal == ?principal, action, resource);\n");
        Run r = ctl({QStringLiteral("check"), withTemplate});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(":2:1: ") && r.err.contains("is a template"), r.err.constData());
        // Bytes that are not UTF-8 are refused whole, not read around.
        const QString notUtf8 = write(QStringLiteral("latin1.cedar"), "permit(principal, action, resource) when { !\xE2\x80(context.a) };\n");
        r = ctl({QStringLiteral("check"), notUtf8});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not valid UTF-8"), r.err.constData());
    }

    void authorizeDecides()
    {
        const QString policies = write(QStringLiteral("decide.cedar"),
                                       "permit(principal, action, resource) when { context.path like \"/docs/*\" };\n"
                                       "forbid(principal, action, resource) when { context.path like \"/docs/secret/\\u{2a}\" };\n");
        Run r = authorize(policies, R"({"path": "/docs/readme"})");
        QVERIFY2(r.code == 0 && r.out.contains("ALLOW"), QByteArray(r.out + r.err).constData());
        // The escaped star is Cedar's wildcard: the forbid covers everything under /docs/secret/.
        r = authorize(policies, R"({"path": "/docs/secret/plans"})");
        QVERIFY2(r.code == 1 && r.out.contains("DENY"), QByteArray(r.out + r.err).constData());
        // Its inputs failing is a usage error, not a deny.
        QCOMPARE(authorize(m_dir.filePath(QStringLiteral("nowhere.cedar"))).code, 2);
    }
};

QTEST_GUILESS_MAIN(tst_PolicyCli)
#include "tst_policy_cli.moc"
