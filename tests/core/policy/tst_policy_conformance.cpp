// SPDX-License-Identifier: Apache-2.0
// Cedar's own integration tests and the corpus from the Cedar nightly run: every request's
// decision, reason set and error set must equal the expected ones.
#include "policy/ConformanceRunner.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QTest>

using mandate::policy::ConformanceRunner;

class TestPolicyConformance : public QObject
{
    Q_OBJECT

private:
    static QString cedarDir() { return QStringLiteral(MANDATE_SHARED_DIR "/cedar"); }

    static QStringList testFiles(const QString &root, const QString &folder)
    {
        QStringList files;
        QDirIterator it(QDir(root).filePath(folder), {QStringLiteral("*.json")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (!path.endsWith(QLatin1String(".entities.json")))
                files << QDir(root).relativeFilePath(path);
        }
        files.sort();
        return files;
    }

    static void runAll(const QString &root, const QStringList &files)
    {
        const ConformanceRunner runner(root);
        ConformanceRunner::Report report;
        for (const QString &file : files)
            runner.run(file, report);
        for (const auto &m : report.mismatches.mid(0, 20))
            qWarning("%s / %s\n  expected: %s\n  got:      %s", qPrintable(m.test), qPrintable(m.request),
                     qPrintable(m.expected), qPrintable(m.got));
        qInfo("%d passed, %d failed (%lld test files)", report.passed, report.failed, qlonglong(files.size()));
        QVERIFY(report.passed > 0);
        QCOMPARE(report.failed, 0);
    }

private slots:
    void integrationTests()
    {
        if (!QDir(cedarDir()).exists(QStringLiteral("tests")))
            QSKIP("the Cedar conformance data (../shared/cedar/tests) is not present");
        const QStringList files = testFiles(cedarDir(), QStringLiteral("tests"));
        QVERIFY(!files.isEmpty());
        runAll(cedarDir(), files);
    }

    void corpus()
    {
        const QString tarball = QDir(cedarDir()).filePath(QStringLiteral("corpus-dev.tar.gz"));
        if (!QFile::exists(tarball))
            QSKIP("the Cedar corpus (../shared/cedar/corpus-dev.tar.gz) is not present");
        // Unpacked once per tarball version: a stamp records which one the folder holds.
        const QString scratch = QStringLiteral(MANDATE_BINARY_DIR "/tests/core/policy/cedar-corpus");
        const QFileInfo info(tarball);
        const QByteArray stamp = QByteArray::number(info.size()) + ' '
            + QByteArray::number(info.lastModified().toMSecsSinceEpoch());
        QFile stampFile(scratch + QStringLiteral("/.unpacked"));
        if (!stampFile.open(QIODevice::ReadOnly) || stampFile.readAll() != stamp) {
            stampFile.close();
            QDir(scratch).removeRecursively();
            QVERIFY(QDir().mkpath(scratch));
            QProcess tar;
            tar.start(QStringLiteral("tar"), {QStringLiteral("-xzf"), tarball, QStringLiteral("-C"), scratch});
            if (!tar.waitForStarted())
                QSKIP("`tar` is not available to unpack the corpus");
            QVERIFY(tar.waitForFinished(300'000));
            QCOMPARE(tar.exitCode(), 0);
            QVERIFY(stampFile.open(QIODevice::WriteOnly));
            stampFile.write(stamp);
        }
        const QStringList files = testFiles(scratch, QStringLiteral("corpus-tests"));
        QVERIFY2(files.size() > 1000, "the corpus unpacked to fewer tests than expected");
        runAll(scratch, files);
    }
};

QTEST_GUILESS_MAIN(TestPolicyConformance)
#include "tst_policy_conformance.moc"
