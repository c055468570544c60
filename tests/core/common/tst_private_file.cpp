// SPDX-License-Identifier: Apache-2.0
// PrivateFile: a secret's file is the owner's alone from its first byte whatever the umask,
// is never written through a symbolic link or into an existing file, and a failure leaves
// nothing behind.
#include "common/PrivateFile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace mandate;

namespace {

/// The permission bits of `path` itself (a link is not followed), or -1.
int modeOf(const QString &path)
{
    struct stat info {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Runs with a umask that would leave new files open to everyone.
class OpenUmask
{
public:
    OpenUmask() : m_previous(::umask(0)) {}
    ~OpenUmask() { ::umask(m_previous); }

private:
    mode_t m_previous;
};

} // namespace

class TestPrivateFile : public QObject
{
    Q_OBJECT

private slots:
    void createIsOwnerOnlyAndWhole();
    void createRefusesWhatExists();
    void createNeverFollowsALink();
    void replaceSwapsTheWholeFile();
    void replaceReplacesALinkNotItsTarget();
    void aFailedReplaceLeavesNothing();

private:
    QTemporaryDir m_dir;
};

void TestPrivateFile::createIsOwnerOnlyAndWhole()
{
    const OpenUmask open;
    const QString path = m_dir.filePath(QStringLiteral("admin.key"));
    const Status made = PrivateFile::create(path, "mnd_secret\n");
    QVERIFY2(made.ok(), made ? "" : qPrintable(made.error().message));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(contents(path), QByteArray("mnd_secret\n"));
}

void TestPrivateFile::createRefusesWhatExists()
{
    const QString path = m_dir.filePath(QStringLiteral("taken.key"));
    QFile other(path);
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.write("someone else's\n");
    other.close();
    const Status refused = PrivateFile::create(path, "mnd_secret\n");
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, QStringLiteral("io"));
    QVERIFY2(refused.error().message.contains(path) && refused.error().message.contains(QStringLiteral("exists")),
             qPrintable(refused.error().message));
    QCOMPARE(contents(path), QByteArray("someone else's\n"));  // untouched
}

void TestPrivateFile::createNeverFollowsALink()
{
    const QString target = m_dir.filePath(QStringLiteral("elsewhere"));
    const QString link = m_dir.filePath(QStringLiteral("linked.key"));
    QVERIFY(QFile::link(target, link));  // dangling: creating through it would make `target`
    QVERIFY(!PrivateFile::create(link, "mnd_secret\n").ok());
    QVERIFY(!QFile::exists(target));
}

void TestPrivateFile::replaceSwapsTheWholeFile()
{
    const OpenUmask open;
    const QString path = m_dir.filePath(QStringLiteral("replaced.key"));
    QVERIFY(PrivateFile::replace(path, "first\n").ok());
    QVERIFY(PrivateFile::replace(path, "second\n").ok());
    QCOMPARE(contents(path), QByteArray("second\n"));
    QCOMPARE(modeOf(path), 0600);
    QVERIFY(!QFile::exists(path + QStringLiteral(".new")));
}

void TestPrivateFile::replaceReplacesALinkNotItsTarget()
{
    const QString target = m_dir.filePath(QStringLiteral("victim"));
    QFile victim(target);
    QVERIFY(victim.open(QIODevice::WriteOnly));
    victim.write("keep me\n");
    victim.close();
    const QString link = m_dir.filePath(QStringLiteral("link.key"));
    QVERIFY(QFile::link(target, link));
    QVERIFY(PrivateFile::replace(link, "mnd_secret\n").ok());
    QCOMPARE(contents(target), QByteArray("keep me\n"));
    QCOMPARE(QFileInfo(link).isSymLink(), false);
    QCOMPARE(contents(link), QByteArray("mnd_secret\n"));
    QCOMPARE(modeOf(link), 0600);
}

void TestPrivateFile::aFailedReplaceLeavesNothing()
{
    // A directory where the file goes: the rename fails after the temporary file is written.
    const QString path = m_dir.filePath(QStringLiteral("blocked.key"));
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("blocked.key/in-the-way")));
    const Status failed = PrivateFile::replace(path, "mnd_secret\n");
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error().message.contains(path), qPrintable(failed.error().message));
    QVERIFY(!QFile::exists(path + QStringLiteral(".new")));
}

QTEST_GUILESS_MAIN(TestPrivateFile)
#include "tst_private_file.moc"
