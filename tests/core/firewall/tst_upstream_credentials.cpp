// SPDX-License-Identifier: Apache-2.0
// Upstream credentials: the one header line a credential file may hold, the files the gateway
// refuses to use (open to others, not regular, too large, outside the directory), and a rotated
// or re-permissioned file noticed on the next call. No error ever quotes the secret.
#include "firewall/UpstreamCredentials.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace mandate;
using namespace mandate::firewall;

namespace {

constexpr char kSecret[] = "sk-live-7f3a9c1e5b";

bool writeFile(const QString &path, const QByteArray &text, QFileDevice::Permissions permissions)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        return false;
    file.close();
    return QFile::setPermissions(path, permissions);
}

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

} // namespace

class tst_UpstreamCredentials final : public QObject
{
    Q_OBJECT

private slots:
    void parsesOneHeaderLine_data();
    void parsesOneHeaderLine();
    void refusesMalformedOrReservedHeaders_data();
    void refusesMalformedOrReservedHeaders();
    void readsAnOwnerOnlyFile();
    void refusesFilesItMustNotUse();
    void refusesNamesThatAreNotFileNames_data();
    void refusesNamesThatAreNotFileNames();
    void noticesRotationAndPermissionChanges();
    void bindsToTheOriginsItNames();
    void refusesAFileOfAnotherUser();
    void redactsEchoesOfTheSecret();
    void refusesADirectoryOthersMayWrite();
    void saysWhyAFileCannotBeLookedAt();
};

void tst_UpstreamCredentials::parsesOneHeaderLine_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("bearer") << QByteArray("Authorization: Bearer abc.def") << QByteArray("Authorization") << QByteArray("Bearer abc.def");
    QTest::newRow("newline") << QByteArray("X-Api-Key: k1\n") << QByteArray("X-Api-Key") << QByteArray("k1");
    QTest::newRow("crlf") << QByteArray("X-Api-Key: k1\r\n") << QByteArray("X-Api-Key") << QByteArray("k1");
    QTest::newRow("no space, tab inside") << QByteArray("X-Key:a\tb") << QByteArray("X-Key") << QByteArray("a\tb");
    QTest::newRow("blank lines and comments after it") << QByteArray("X-Api-Key: k1\n\n# rotated 2026-12-01\n") << QByteArray("X-Api-Key")
                                                       << QByteArray("k1");
    QTest::newRow("value keeps its colons") << QByteArray("Authorization: Basic dXNlcjpwYXNz: x") << QByteArray("Authorization")
                                            << QByteArray("Basic dXNlcjpwYXNz: x");
}

void tst_UpstreamCredentials::parsesOneHeaderLine()
{
    QFETCH(QByteArray, text);
    const auto header = UpstreamCredentials::parse(text);
    QVERIFY2(header, header ? "" : qPrintable(header.error().message));
    QTEST(header->header.name, "name");
    QTEST(header->header.value, "value");
    QVERIFY(header->origins.isEmpty());
}

void tst_UpstreamCredentials::refusesMalformedOrReservedHeaders_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("why");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("one header");
    QTest::newRow("no colon") << QByteArray("Bearer abc") << QStringLiteral("one header");
    QTest::newRow("no name") << QByteArray(": abc") << QStringLiteral("one header");
    QTest::newRow("blank first line") << QByteArray("\nX-Api-Key: a") << QStringLiteral("one header");
    QTest::newRow("second header") << QByteArray("X-Api-Key: a\nX-Other: b") << QStringLiteral("line 2 must be \"upstream ORIGIN\"");
    QTest::newRow("bare CR inside") << QByteArray("X-Api-Key: a\rInjected: b") << QStringLiteral("bare carriage return");
    QTest::newRow("origin with a path") << QByteArray("X-Api-Key: a\nupstream https://billing.internal/v1")
                                        << QStringLiteral("line 2 must name an origin");
    QTest::newRow("origin not http") << QByteArray("X-Api-Key: a\n\nupstream ftp://billing.internal")
                                     << QStringLiteral("line 3 must name an origin");
    QTest::newRow("origin with user info") << QByteArray("X-Api-Key: a\nupstream https://u:p@billing.internal")
                                           << QStringLiteral("must name an origin");
    QTest::newRow("origin with a query") << QByteArray("X-Api-Key: a\nupstream https://billing.internal?x=1")
                                         << QStringLiteral("must name an origin");
    QTest::newRow("origin missing") << QByteArray("X-Api-Key: a\nupstream ") << QStringLiteral("must name an origin");
    QTest::newRow("space in name") << QByteArray("X Api: a") << QStringLiteral("field name");
    QTest::newRow("empty value") << QByteArray("X-Api-Key:   \n") << QStringLiteral("empty");
    QTest::newRow("NUL in value") << QByteArray("X-Api-Key: a\0b", 14) << QStringLiteral("visible ASCII");
    QTest::newRow("non-ASCII value") << QByteArray("X-Api-Key: caf\xc3\xa9") << QStringLiteral("visible ASCII");
    QTest::newRow("DEL in value") << QByteArray("X-Api-Key: a\x7f") << QStringLiteral("visible ASCII");
    for (const char *reserved : {"Host", "content-length", "Content-Type", "Transfer-Encoding", "Connection", "TE", "Upgrade",
                                 "traceparent", "Tracestate", "X-Mandate-Agent", "x-mandate-on-behalf-of", "Proxy-Authorization"})
        QTest::newRow(reserved) << (QByteArray(reserved) + ": v") << QStringLiteral("gateway sets itself");
}

void tst_UpstreamCredentials::refusesMalformedOrReservedHeaders()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, why);
    const auto header = UpstreamCredentials::parse(text);
    QVERIFY(!header);
    QCOMPARE(header.error().code, QStringLiteral("credential_unavailable"));
    QVERIFY2(header.error().message.contains(why), qPrintable(header.error().message));
}

void tst_UpstreamCredentials::readsAnOwnerOnlyFile()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("billing")), QByteArray("Authorization: Bearer ") + kSecret + '\n', kOwnerOnly));
    const UpstreamCredentials credentials(dir.path());
    const auto header = credentials.credential(QStringLiteral("billing"));
    QVERIFY2(header, header ? "" : qPrintable(header.error().message));
    QCOMPARE(header->header.name, QByteArray("Authorization"));
    QCOMPARE(header->header.value, QByteArray("Bearer ") + kSecret);
    // Read-only for its owner is as good; so is a symbolic link to such a file (a mounted
    // secret volume links its files).
    QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("billing")), QFileDevice::ReadOwner));
    QVERIFY(credentials.credential(QStringLiteral("billing")));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("billing")), dir.filePath(QStringLiteral("linked"))));
    QCOMPARE(credentials.credential(QStringLiteral("linked"))->header.value, QByteArray("Bearer ") + kSecret);
}

void tst_UpstreamCredentials::refusesFilesItMustNotUse()
{
    QTemporaryDir dir;
    const UpstreamCredentials credentials(dir.path());
    const QByteArray line = QByteArray("X-Api-Key: ") + kSecret;
    bool quoted = false;  // whether any refusal below quoted the secret
    const auto refusal = [&](const QString &name) -> QString {
        const auto header = credentials.credential(name);
        if (header)
            return QStringLiteral("accepted");
        quoted = quoted || header.error().message.contains(QLatin1String(kSecret));
        return header.error().message;
    };
    QVERIFY(refusal(QStringLiteral("absent")).contains(QLatin1String("there is no credential file")));

    QVERIFY(writeFile(dir.filePath(QStringLiteral("shared")), line, kOwnerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    QVERIFY2(refusal(QStringLiteral("shared")).contains(QLatin1String("accessible by group or others (mode 644)")),
             qPrintable(refusal(QStringLiteral("shared"))));

    // A link is followed, and the file it leads to is what is checked.
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("shared")), dir.filePath(QStringLiteral("link-to-shared"))));
    QVERIFY2(refusal(QStringLiteral("link-to-shared")).contains(QLatin1String("accessible by group or others")),
             qPrintable(refusal(QStringLiteral("link-to-shared"))));

    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("folder")));
    QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("folder")), kOwnerOnly | QFileDevice::ExeOwner));
    QVERIFY2(refusal(QStringLiteral("folder")).contains(QLatin1String("not a regular file")), qPrintable(refusal(QStringLiteral("folder"))));

    // A FIFO is refused without waiting for a writer that never comes.
    QVERIFY(::mkfifo(QFile::encodeName(dir.filePath(QStringLiteral("pipe"))).constData(), 0600) == 0);
    QVERIFY2(refusal(QStringLiteral("pipe")).contains(QLatin1String("not a regular file")), qPrintable(refusal(QStringLiteral("pipe"))));

    QVERIFY(writeFile(dir.filePath(QStringLiteral("huge")), "X-Api-Key: " + QByteArray(UpstreamCredentials::kMaxFileBytes, 'k'), kOwnerOnly));
    QVERIFY2(refusal(QStringLiteral("huge")).contains(QLatin1String("larger than 8192 bytes")), qPrintable(refusal(QStringLiteral("huge"))));

    // A malformed file is named, and what is wrong with it said, without its contents.
    QVERIFY(writeFile(dir.filePath(QStringLiteral("twolines")), line + "\nX-Other: " + kSecret + '\n', kOwnerOnly));
    const QString malformed = refusal(QStringLiteral("twolines"));
    QVERIFY2(malformed.contains(dir.filePath(QStringLiteral("twolines"))) && malformed.contains(QLatin1String("line 2 must be")),
             qPrintable(malformed));
    QVERIFY(!quoted);
}

void tst_UpstreamCredentials::refusesNamesThatAreNotFileNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("parent") << QStringLiteral("..");
    QTest::newRow("climbs") << QStringLiteral("../secret");
    QTest::newRow("absolute") << QStringLiteral("/etc/passwd");
    QTest::newRow("hidden") << QStringLiteral(".hidden");
    QTest::newRow("inner dot") << QStringLiteral("a.b");
    QTest::newRow("upper case") << QStringLiteral("Billing");
}

void tst_UpstreamCredentials::refusesNamesThatAreNotFileNames()
{
    QFETCH(QString, name);
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("inner")));
    // A valid credential one level up, which "../secret" would reach.
    QVERIFY(writeFile(dir.filePath(QStringLiteral("secret")), QByteArray("X-Api-Key: ") + kSecret, kOwnerOnly));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("inner/.hidden")), QByteArray("X-Api-Key: ") + kSecret, kOwnerOnly));
    const UpstreamCredentials credentials(dir.filePath(QStringLiteral("inner")));
    const auto header = credentials.credential(name);
    QVERIFY(!header);
    QCOMPARE(header.error().code, QStringLiteral("credential_unavailable"));
    // Refused for its name, before any file is looked at.
    QVERIFY2(header.error().message.contains(QLatin1String("credential name")), qPrintable(header.error().message));
}

void tst_UpstreamCredentials::noticesRotationAndPermissionChanges()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("billing"));
    QVERIFY(writeFile(path, "X-Api-Key: first\n", kOwnerOnly));
    const UpstreamCredentials credentials(dir.path());
    QCOMPARE(credentials.credential(QStringLiteral("billing"))->header.value, QByteArray("first"));

    // Rotated the usual way: a new file renamed over the old one.
    QVERIFY(writeFile(path + QStringLiteral(".new"), "X-Api-Key: second\n", kOwnerOnly));
    QVERIFY(::rename(QFile::encodeName(path + QStringLiteral(".new")).constData(), QFile::encodeName(path).constData()) == 0);
    QCOMPARE(credentials.credential(QStringLiteral("billing"))->header.value, QByteArray("second"));

    // Rewritten in place with a value of the same length: only the modification time tells.
    // File times advance with the kernel's coarse clock, a few milliseconds per tick.
    QTest::qWait(20);
    QVERIFY(writeFile(path, "X-Api-Key: thirds\n", kOwnerOnly));
    QCOMPARE(credentials.credential(QStringLiteral("billing"))->header.value, QByteArray("thirds"));

    // Opened to others after it was cached, at once (the same tick of the file clock, which
    // the mode in the version catches): refused from the next call, not served from the cache.
    QVERIFY(QFile::setPermissions(path, kOwnerOnly | QFileDevice::ReadOther));
    QVERIFY(!credentials.credential(QStringLiteral("billing")));
    QVERIFY(QFile::setPermissions(path, kOwnerOnly));
    QCOMPARE(credentials.credential(QStringLiteral("billing"))->header.value, QByteArray("thirds"));

    // Removed: refused, though it was read before.
    QVERIFY(QFile::remove(path));
    QVERIFY(!credentials.credential(QStringLiteral("billing")));
}

void tst_UpstreamCredentials::bindsToTheOriginsItNames()
{
    const auto bound = UpstreamCredentials::parse("X-Api-Key: k1\nupstream https://Billing.Internal\nupstream http://127.0.0.1:8080/\n");
    QVERIFY2(bound, bound ? "" : qPrintable(bound.error().message));
    QCOMPARE(bound->origins, (QStringList{QStringLiteral("https://billing.internal:443"), QStringLiteral("http://127.0.0.1:8080")}));
    QString why;
    QVERIFY(bound->mayBeSentTo(QUrl(QStringLiteral("https://billing.internal/api/v2")), &why));
    QVERIFY(bound->mayBeSentTo(QUrl(QStringLiteral("https://BILLING.internal:443/")), &why));
    QVERIFY(bound->mayBeSentTo(QUrl(QStringLiteral("http://127.0.0.1:8080/base")), &why));
    QVERIFY(!bound->mayBeSentTo(QUrl(QStringLiteral("https://attacker.example/api")), &why));
    QVERIFY2(why.contains(QLatin1String("not to https://attacker.example:443")), qPrintable(why));
    QVERIFY(!bound->mayBeSentTo(QUrl(QStringLiteral("https://billing.internal:8443/api")), &why));
    QVERIFY(!bound->mayBeSentTo(QUrl(QStringLiteral("http://billing.internal/api")), &why));

    // Unbound: any https upstream, and plain http only on the loopback interface.
    const auto unbound = UpstreamCredentials::parse("X-Api-Key: k1\n");
    QVERIFY(unbound && unbound->origins.isEmpty());
    QVERIFY(unbound->mayBeSentTo(QUrl(QStringLiteral("https://anywhere.example/x")), &why));
    QVERIFY(unbound->mayBeSentTo(QUrl(QStringLiteral("http://127.0.0.1:9/x")), &why));
    QVERIFY(unbound->mayBeSentTo(QUrl(QStringLiteral("http://[::1]:9/x")), &why));
    QVERIFY(!unbound->mayBeSentTo(QUrl(QStringLiteral("http://10.0.0.7/x")), &why));
    QVERIFY2(why.contains(QLatin1String("unencrypted")), qPrintable(why));
    // Names are whatever the resolver makes of them: plain http goes to literal loopback addresses only.
    for (const char *name : {"http://localhost:9/x", "http://127.0.0.1.attacker.example/x", "http://localhost.attacker.example/x"})
        QVERIFY2(!unbound->mayBeSentTo(QUrl(QLatin1String(name)), &why), name);

    // IPv6 origins are bracketed, as in URLs.
    const auto six = UpstreamCredentials::parse("X-Api-Key: k1\nupstream http://[::1]:8080\n");
    QVERIFY2(six, six ? "" : qPrintable(six.error().message));
    QCOMPARE(six->origins, QStringList{QStringLiteral("http://[::1]:8080")});
    QVERIFY(six->mayBeSentTo(QUrl(QStringLiteral("http://[::1]:8080/v1")), &why));
    QVERIFY(!six->mayBeSentTo(QUrl(QStringLiteral("http://[::1]:8081/v1")), &why));
}

void tst_UpstreamCredentials::refusesAFileOfAnotherUser()
{
    if (::geteuid() != 0)
        QSKIP("giving a file to another user needs root; the check itself runs for every user");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("billing"));
    QVERIFY(writeFile(path, "X-Api-Key: k1\n", kOwnerOnly));
    const UpstreamCredentials credentials(dir.path());
    QVERIFY(credentials.credential(QStringLiteral("billing")));
    // Given away after it was cached: refused from the next call.
    QVERIFY(::chown(QFile::encodeName(path).constData(), 65534, 65534) == 0);
    const auto refused = credentials.credential(QStringLiteral("billing"));
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("belongs to user 65534")), qPrintable(refused.error().message));
}

void tst_UpstreamCredentials::redactsEchoesOfTheSecret()
{
    const UpstreamHeader header{"Authorization", "Bearer ab/cd+ef=gh12"};
    const QByteArray marker = "[credential redacted by Mandate]";
    const auto redacted = [&](QByteArray body) {
        return UpstreamCredentials::redact(body, header) ? body : QByteArray("(nothing redacted)");
    };
    QCOMPARE(redacted("h: Bearer ab/cd+ef=gh12;"), "h: " + marker + ';');
    QCOMPARE(redacted("token ab/cd+ef=gh12 alone"), "token " + marker + " alone");
    QCOMPARE(redacted(R"({"auth":"Bearer ab\/cd+ef=gh12"})"), R"({"auth":")" + marker + R"("})");  // PHP's json_encode
    QCOMPARE(redacted("q=ab%2Fcd%2Bef%3Dgh12&x=1"), "q=" + marker + "&x=1");
    QCOMPARE(redacted("nothing here"), QByteArray("(nothing redacted)"));
    // Too short to tell from ordinary text: left alone.
    QByteArray body = "key=abc1234";
    QVERIFY(!UpstreamCredentials::redact(body, UpstreamHeader{"X-Api-Key", "abc1234"}));
    QCOMPARE(body, QByteArray("key=abc1234"));
}

void tst_UpstreamCredentials::refusesADirectoryOthersMayWrite()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath(QStringLiteral("billing")), "X-Api-Key: k1\n", kOwnerOnly));
    const UpstreamCredentials credentials(dir.path());
    const QFileDevice::Permissions owner = kOwnerOnly | QFileDevice::ExeOwner;
    // Readable by others is fine (the files are private); writable by them is not.
    QVERIFY(QFile::setPermissions(dir.path(), owner | QFileDevice::ReadOther | QFileDevice::ExeOther));
    QVERIFY(credentials.credential(QStringLiteral("billing")));
    for (const QFileDevice::Permissions open : {QFileDevice::WriteGroup, QFileDevice::WriteOther}) {
        QVERIFY(QFile::setPermissions(dir.path(), owner | open | QFileDevice::ExeGroup | QFileDevice::ExeOther));
        const auto refused = credentials.credential(QStringLiteral("billing"));
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QLatin1String("may be written by others")), qPrintable(refused.error().message));
    }
    QVERIFY(QFile::setPermissions(dir.path(), owner));
    QVERIFY(credentials.credential(QStringLiteral("billing")));
}

void tst_UpstreamCredentials::saysWhyAFileCannotBeLookedAt()
{
    // Not "there is no credential file": the system's reason, when it is another.
    QTemporaryDir dir;
    const QString notADirectory = dir.filePath(QStringLiteral("plain-file"));
    QVERIFY(writeFile(notADirectory, "X-Api-Key: k1\n", kOwnerOnly));
    const UpstreamCredentials credentials(notADirectory);
    const auto refused = credentials.credential(QStringLiteral("billing"));
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.startsWith(QStringLiteral("cannot read credential file %1/billing: ").arg(notADirectory)),
             qPrintable(refused.error().message));
}

QTEST_GUILESS_MAIN(tst_UpstreamCredentials)
#include "tst_upstream_credentials.moc"
