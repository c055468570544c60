// SPDX-License-Identifier: Apache-2.0
// crypto::Random::identifierBytes: DRBG output handed out from a per-thread pool, never twice
// (not across calls, threads, or a fork).
#include "crypto/Random.h"

#include <QSet>
#include <QUuid>
#include <QTest>

#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace mandate;
using namespace mandate::crypto;

class TestIdentifierRandom : public QObject
{
    Q_OBJECT

private slots:
    void identifierBytes();
    void identifierBytesAfterFork();
    void uuidsAreVersion4();
};

void TestIdentifierRandom::identifierBytes()
{
    QVERIFY(!Random::identifierBytes(-1).ok());
    QVERIFY(!Random::identifierBytes(Random::kMaxIdentifierBytes + 1).ok());
    QCOMPARE(Random::identifierBytes(0).value().size(), 0);
    // Many draws across several refills of the pool, of sizes that do not divide it: no two
    // alike, and no all-zero draw (the bytes handed out are wiped in the pool).
    QSet<QByteArray> seen;
    for (int i = 0; i < 500; ++i) {
        const QByteArray draw = Random::identifierBytes(28 + i % 37).value();
        QCOMPARE(draw.size(), 28 + i % 37);
        QVERIFY(draw != QByteArray(draw.size(), '\0'));
        QVERIFY(!seen.contains(draw));
        seen.insert(draw);
    }
    // Another thread has a pool of its own: nothing it draws was drawn here.
    QList<QByteArray> other;
    std::thread([&other] {
        for (int i = 0; i < 100; ++i)
            other.append(Random::identifierBytes(28).value());
    }).join();
    for (const QByteArray &draw : std::as_const(other))
        QVERIFY(!seen.contains(draw));
}

void TestIdentifierRandom::uuidsAreVersion4()
{
    // Decision ids: RFC 9562 version 4 (random), variant 10, in the 8-4-4-4-12 form, all different.
    QSet<QString> seen;
    for (int i = 0; i < 1000; ++i) {
        const QString id = Random::uuid();
        QCOMPARE(id.size(), 36);
        const QUuid parsed(id);
        QVERIFY2(!parsed.isNull(), qPrintable(id));
        QCOMPARE(parsed.toString(QUuid::WithoutBraces), id);
        QCOMPARE(parsed.version(), QUuid::Random);
        QCOMPARE(parsed.variant(), QUuid::DCE);
        QVERIFY(!seen.contains(id));
        seen.insert(id);
    }
}

void TestIdentifierRandom::identifierBytesAfterFork()
{
    // A forked child starts with a copy of the parent's pool; it must not hand out the bytes
    // the parent is about to.
    QVERIFY(Random::identifierBytes(16).ok());  // the pool is filled
    int pipeFds[2];
    QCOMPARE(pipe(pipeFds), 0);
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        const QByteArray draw = Random::identifierBytes(32).value();
        const bool written = write(pipeFds[1], draw.constData(), size_t(draw.size())) == draw.size();
        _exit(written ? 0 : 1);
    }
    close(pipeFds[1]);
    QByteArray fromChild(32, Qt::Uninitialized);
    qsizetype got = 0;
    while (got < fromChild.size()) {
        const ssize_t n = read(pipeFds[0], fromChild.data() + got, size_t(fromChild.size() - got));
        if (n <= 0)
            break;
        got += n;
    }
    close(pipeFds[0]);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    QCOMPARE(got, 32);
    QVERIFY(Random::identifierBytes(32).value() != fromChild);
}

QTEST_GUILESS_MAIN(TestIdentifierRandom)
#include "tst_identifier_random.moc"
