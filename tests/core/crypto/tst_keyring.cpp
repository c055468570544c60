// SPDX-License-Identifier: Apache-2.0
// KeyRing: persistence, file permissions, rotation with overlap, pruning, and tokens it signs.
#include "crypto/KeyRing.h"
#include "crypto/TokenVerifier.h"
#include "json/JsonReader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace mandate;
using namespace mandate::crypto;

namespace {

constexpr qint64 kStart = 1'800'000'000;

int mode(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 0777);
}

QJsonObject claimsAt(qint64 now, qint64 ttl)
{
    return QJsonObject{{QStringLiteral("sub"), QStringLiteral("user:alice")},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("exp"), now + ttl}};
}

} // namespace

class TestKeyRing : public QObject
{
    Q_OBJECT

private slots:
    void createsFirstKeyWithPrivatePermissions();
    void persistsAcrossInstances();
    void rotationKeepsOldTokensValid();
    void retiredKeysArePrunedAfterOverlap();
    void aPreparedRotationChangesNothingUntilCommitted();
    void aRotationByAnotherGatewayInBetweenIsAConflict();
    void aFailedCommitLeavesNothingBehind();
    void gatewaysRotatingAtOnceLeaveOneCurrentKey();
    void gatewaysStartingAtOnceShareTheFirstKey();
    void refusesReadableKeyFiles();
    void refusesTamperedKeyFile();
    void signsAccessTokens();
    void followsARotationByAnotherGateway();
    void keepsItsKeysWhenTheDirectoryGoesBad();
    void looksAtTheDirectoryOncePerInterval();
};

void TestKeyRing::createsFirstKeyWithPrivatePermissions()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("keys"));
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(dir, clock);
    QVERIFY(ring.open().ok());
    const QString kid = ring.currentKid();
    QVERIFY(!kid.isEmpty());
    QCOMPARE(mode(dir), 0700);
    const QString file = QDir(dir).filePath(kid + QStringLiteral(".key"));
    QVERIFY(QFile::exists(file));
    QCOMPARE(mode(file), 0600);
    QCOMPARE(QDir(dir).entryList(QDir::Files).size(), 1); // no temporary file left behind
    // The published JWKS never carries the private key.
    const QByteArray jwks = ring.jwksJson();
    QVERIFY(!jwks.contains("\"d\""));
    auto parsed = Jwks::parse(jwks);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->entries().size(), 1);
    QCOMPARE(parsed->entries().first().kid, kid);
}

void TestKeyRing::persistsAcrossInstances()
{
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing first(tmp.path(), clock);
    QVERIFY(first.open().ok());
    auto token = first.sign(claimsAt(kStart, 600));
    QVERIFY(token.ok());

    KeyRing second(tmp.path(), clock);
    QVERIFY(second.open().ok());
    QCOMPARE(second.currentKid(), first.currentKid());
    const JwsVerifier verifier(JwsPolicy::accessTokens(), second.publicKeys());
    QVERIFY(verifier.verify(token.value()).ok());
    // Same key, same deterministic Ed25519 signature.
    QCOMPARE(second.sign(claimsAt(kStart, 600)).value(), token.value());
}

void TestKeyRing::rotationKeepsOldTokensValid()
{
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(ring.open().ok());
    const QString oldKid = ring.currentKid();
    const QByteArray oldToken = ring.sign(claimsAt(kStart, 900)).value();

    clock.advanceSecs(60);
    auto newKid = ring.rotate(900 + 60);
    QVERIFY(newKid.ok());
    QVERIFY(newKid.value() != oldKid);
    QCOMPARE(ring.currentKid(), newKid.value());
    const QByteArray newToken = ring.sign(claimsAt(kStart + 60, 900)).value();

    const Jwks published = ring.publicKeys();
    QCOMPARE(published.entries().size(), 2);
    const JwsVerifier verifier(JwsPolicy::accessTokens(), published);
    auto old = verifier.verify(oldToken);
    QVERIFY(old.ok());
    QCOMPARE(old->kid, oldKid);
    auto fresh = verifier.verify(newToken);
    QVERIFY(fresh.ok());
    QCOMPARE(fresh->kid, newKid.value());

    // The retirement time is persisted: a new instance sees the same current key and schedule.
    KeyRing reopened(tmp.path(), clock);
    QVERIFY(reopened.open().ok());
    QCOMPARE(reopened.currentKid(), newKid.value());
    const auto keys = reopened.keys();
    QCOMPARE(keys.size(), 2);
    for (const auto &info : keys)
        QCOMPARE(info.retireAfter, info.kid == oldKid ? kStart + 60 + 960 : qint64(0));
}

void TestKeyRing::retiredKeysArePrunedAfterOverlap()
{
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(ring.open().ok());
    const QString oldKid = ring.currentKid();
    QVERIFY(ring.rotate(600).ok());

    clock.advanceSecs(599);
    QCOMPARE(ring.prune().value(), 0);
    QCOMPARE(ring.publicKeys().entries().size(), 2);

    clock.advanceSecs(1);
    QCOMPARE(ring.publicKeys().entries().size(), 1); // no longer published
    QCOMPARE(ring.prune().value(), 1);
    QVERIFY(!QFile::exists(QDir(tmp.path()).filePath(oldKid + QStringLiteral(".key"))));
    QCOMPARE(ring.keys().size(), 1);
    QVERIFY(ring.sign(claimsAt(kStart, 60)).ok()); // the current key is never pruned
}

void TestKeyRing::aPreparedRotationChangesNothingUntilCommitted()
{
    // The gateway records a rotation before making it: the prepared one must leave the ring and
    // its directory as they were, and say exactly what the commit and the prune after it do.
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(ring.open().ok());
    QVERIFY(ring.rotate(600).ok());
    clock.advanceSecs(600);  // the first key is past its overlap: the next prune deletes it
    const QString current = ring.currentKid();
    const QStringList files = QDir(tmp.path()).entryList(QDir::Files);
    const QByteArray jwks = ring.jwksJson();

    Result<KeyRing::Rotation> rotation = ring.prepareRotation(0);
    QVERIFY(rotation.ok());
    QCOMPARE(ring.currentKid(), current);
    QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), files);
    QCOMPARE(ring.jwksJson(), jwks);
    QCOMPARE(rotation->pruned(), 2);  // overlap 0: the key current now goes at once, too
    QCOMPARE(rotation->keysAfter().size(), 1);
    QCOMPARE(rotation->keysAfter().constFirst().kid, rotation->kid());
    QVERIFY(rotation->keysAfter().constFirst().current);

    const Result<QString> committed = ring.commit(rotation.value());
    QVERIFY(committed.ok());
    QCOMPARE(committed.value(), rotation->kid());
    QCOMPARE(ring.prune(rotation->preparedAt()).value(), rotation->pruned());
    const QList<KeyRing::KeyInfo> keys = ring.keys();
    QCOMPARE(keys.size(), 1);
    QCOMPARE(keys.constFirst().kid, rotation->kid());
    QCOMPARE(keys.constFirst().createdAt, rotation->keysAfter().constFirst().createdAt);
    QVERIFY(keys.constFirst().current);

    // With an overlap, the retiring key stays, retired at the time the record states, even when
    // that time has passed before the prune: the prune goes by the prepared time.
    Result<KeyRing::Rotation> overlapping = ring.prepareRotation(300);
    QVERIFY(overlapping.ok());
    QCOMPARE(overlapping->pruned(), 0);
    QCOMPARE(overlapping->retiringKid(), rotation->kid());
    QVERIFY(ring.commit(overlapping.value()).ok());
    clock.advanceSecs(300);
    QCOMPARE(ring.prune(overlapping->preparedAt()).value(), 0);
    const QList<KeyRing::KeyInfo> after = ring.keys();
    QCOMPARE(after.size(), overlapping->keysAfter().size());
    for (const KeyRing::KeyInfo &expected : overlapping->keysAfter()) {
        const auto found = std::find_if(after.cbegin(), after.cend(), [&](const KeyRing::KeyInfo &k) { return k.kid == expected.kid; });
        QVERIFY(found != after.cend());
        QCOMPARE(found->current, expected.current);
        QCOMPARE(found->retireAfter, expected.retireAfter);
        QCOMPARE(found->createdAt, expected.createdAt);
    }
}

void TestKeyRing::aRotationByAnotherGatewayInBetweenIsAConflict()
{
    // Two gateways share the key directory; the other rotates while this one's rotation is being
    // recorded. Committing then must not retire the other's new key: it changes nothing.
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(ring.open().ok());
    KeyRing other(tmp.path(), clock);
    QVERIFY(other.open().ok());
    Result<KeyRing::Rotation> rotation = ring.prepareRotation(0);
    QVERIFY(rotation.ok());
    clock.advanceSecs(1);
    const Result<QString> theirs = other.rotate(600);
    QVERIFY(theirs.ok());
    const QStringList files = QDir(tmp.path()).entryList(QDir::Files);

    const Result<QString> committed = ring.commit(rotation.value());
    QVERIFY(!committed.ok());
    QCOMPARE(committed.error().code, QStringLiteral("conflict"));
    QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), files);
    QCOMPARE(ring.currentKid(), theirs.value());
    QVERIFY(ring.publicKeys().find(theirs.value()));
}

namespace {

/// The keys in `directory` that are neither retired nor pending retirement: exactly one, the
/// current key, in a consistent ring.
QStringList unretiredKeys(const QString &directory, const Clock &clock)
{
    KeyRing reader(directory, clock);
    if (!reader.open().ok())
        return {QStringLiteral("(unreadable)")};
    QStringList kids;
    for (const KeyRing::KeyInfo &info : reader.keys()) {
        if (info.retireAfter == 0)
            kids << info.kid;
    }
    return kids;
}

} // namespace

void TestKeyRing::gatewaysRotatingAtOnceLeaveOneCurrentKey()
{
    // Two gateways (two rings on one directory, each in its own thread) rotate at the same time.
    // Each rotation either happens whole or is refused as a conflict; never do both add a key
    // retiring the same one, which would leave a key that is neither current nor ever retired.
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing first(tmp.path(), clock);
    QVERIFY(first.open().ok());
    KeyRing second(tmp.path(), clock);
    QVERIFY(second.open().ok());
    constexpr int kRotations = 25;
    std::atomic<int> rotated{0};
    std::atomic<int> failed{0};
    const auto rotateMany = [&](KeyRing &ring) {
        for (int i = 0; i < kRotations; ++i) {
            const Result<QString> kid = ring.rotate(3600);
            if (kid.ok())
                ++rotated;
            else if (kid.error().code != QLatin1String("conflict"))
                ++failed;
        }
    };
    std::thread other([&] { rotateMany(second); });
    rotateMany(first);
    other.join();
    QCOMPARE(failed.load(), 0);
    QVERIFY(rotated.load() >= kRotations);
    QCOMPARE(unretiredKeys(tmp.path(), clock).size(), 1);
    KeyRing reader(tmp.path(), clock);
    QVERIFY(reader.open().ok());
    QCOMPARE(reader.keys().size(), rotated.load() + 1);  // every rotation made is on disk
}

void TestKeyRing::gatewaysStartingAtOnceShareTheFirstKey()
{
    // Gateways started together on an empty key directory: both start, on one and the same key.
    for (int round = 0; round < 30; ++round) {
        QTemporaryDir tmp;
        ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
        KeyRing first(tmp.path(), clock);
        KeyRing second(tmp.path(), clock);
        Status secondOpened;
        std::thread other([&] { secondOpened = second.open(); });
        const Status firstOpened = first.open();
        other.join();
        QVERIFY2(firstOpened.ok(), qPrintable(firstOpened.ok() ? QString() : firstOpened.error().message));
        QVERIFY2(secondOpened.ok(), qPrintable(secondOpened.ok() ? QString() : secondOpened.error().message));
        QCOMPARE(first.currentKid(), second.currentKid());
        QCOMPARE(unretiredKeys(tmp.path(), clock).size(), 1);
        // One key, retiring nothing: a second gateway must not retire the first one's new key.
        KeyRing reader(tmp.path(), clock);
        QVERIFY(reader.open().ok());
        QCOMPARE(reader.keys().size(), 1);
    }
}

void TestKeyRing::aFailedCommitLeavesNothingBehind()
{
    // The retiring key cannot be stored (its temporary file's name is taken by a directory):
    // the new key's file goes again, and the ring is as it was.
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(ring.open().ok());
    const QString current = ring.currentKid();
    QVERIFY(QDir(tmp.path()).mkdir(current + QStringLiteral(".key.new")));
    const QStringList files = QDir(tmp.path()).entryList(QDir::Files);
    Result<KeyRing::Rotation> rotation = ring.prepareRotation(600);
    QVERIFY(rotation.ok());

    const Result<QString> committed = ring.commit(rotation.value());
    QVERIFY(!committed.ok());
    QCOMPARE(committed.error().code, QStringLiteral("key_ring"));
    QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), files);
    QCOMPARE(ring.currentKid(), current);
    KeyRing reread(tmp.path(), clock);
    QVERIFY(reread.open().ok());
    QCOMPARE(reread.currentKid(), current);
    QCOMPARE(reread.keys().size(), 1);
}

void TestKeyRing::refusesReadableKeyFiles()
{
    QTemporaryDir tmp;
    ManualClock clock;
    {
        KeyRing ring(tmp.path(), clock);
        QVERIFY(ring.open().ok());
    }
    const QString file = QDir(tmp.path()).filePath(QDir(tmp.path()).entryList(QDir::Files).first());
    QVERIFY(::chmod(QFile::encodeName(file).constData(), 0644) == 0);
    KeyRing ring(tmp.path(), clock);
    const Status status = ring.open();
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.contains(QStringLiteral("0600")), qPrintable(status.error().message));
}

void TestKeyRing::refusesTamperedKeyFile()
{
    QTemporaryDir tmp;
    ManualClock clock;
    QString kid;
    {
        KeyRing ring(tmp.path(), clock);
        QVERIFY(ring.open().ok());
        kid = ring.currentKid();
    }
    // A key file renamed to another kid must not be served under that kid.
    const QString from = QDir(tmp.path()).filePath(kid + QStringLiteral(".key"));
    const QString to = QDir(tmp.path()).filePath(QStringLiteral("impostor.key"));
    QVERIFY(QFile::rename(from, to));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(!ring.open().ok());
}

void TestKeyRing::signsAccessTokens()
{
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(ring.open().ok());
    const QByteArray token = ring.sign(claimsAt(kStart, 300)).value();
    const TokenVerifier verifier(JwsPolicy::accessTokens(), ClaimsPolicy{}, ring.publicKeys(), clock);
    auto verified = verifier.verify(token);
    QVERIFY2(verified.ok(), verified.ok() ? "" : qPrintable(verified.error().message));
    QCOMPARE(verified->header.value(QStringLiteral("alg")).toString(), QStringLiteral("EdDSA"));
    QCOMPARE(verified->header.value(QStringLiteral("typ")).toString(), QStringLiteral("at+jwt"));
    QCOMPARE(verified->header.value(QStringLiteral("kid")).toString(), ring.currentKid());
    QCOMPARE(verified->claims.value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
}


// Gateways sharing a data directory share its keys: one rotates, the others follow.
void TestKeyRing::followsARotationByAnotherGateway()
{
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing first(tmp.path(), clock);
    QVERIFY(first.open().ok());
    KeyRing second(tmp.path(), clock);
    QVERIFY(second.open().ok());
    second.setRefreshInterval(std::chrono::milliseconds(0));
    const QString old = second.currentKid();
    QCOMPARE(first.currentKid(), old);

    // A compromised key, retired at once by the first gateway: the second stops publishing it
    // and signs with the new key.
    const QString fresh = first.rotate(0).value();
    QCOMPARE(second.currentKid(), fresh);
    QVERIFY(second.publicKeys().find(old) == nullptr);
    QVERIFY(second.publicKeys().find(fresh) != nullptr);
    const QByteArray token = second.sign(claimsAt(kStart, 300)).value();
    const TokenVerifier verifier(JwsPolicy::accessTokens(), ClaimsPolicy{}, first.publicKeys(), clock);
    QVERIFY(verifier.verify(token).ok());

    // The second gateway's own rotation retires the key that is current now, the first's.
    const QString third = second.rotate(60).value();
    first.setRefreshInterval(std::chrono::milliseconds(0));
    QCOMPARE(first.currentKid(), third);
    QVERIFY(first.publicKeys().find(fresh) != nullptr);  // retiring, within its overlap
}

void TestKeyRing::keepsItsKeysWhenTheDirectoryGoesBad()
{
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing ring(tmp.path(), clock);
    QVERIFY(ring.open().ok());
    ring.setRefreshInterval(std::chrono::milliseconds(0));
    const QString kid = ring.currentKid();
    // A key file others may read is refused on reload as on open; the ring keeps what it had.
    QFile stray(QDir(tmp.path()).filePath(QStringLiteral("stray.key")));
    QVERIFY(stray.open(QIODevice::WriteOnly));
    stray.write("{}");
    stray.close();
    QVERIFY(::chmod(QFile::encodeName(stray.fileName()).constData(), 0644) == 0);
    QCOMPARE(ring.currentKid(), kid);
    QVERIFY(ring.sign(claimsAt(kStart, 300)).ok());
    QVERIFY(ring.publicKeys().find(kid) != nullptr);
}

void TestKeyRing::looksAtTheDirectoryOncePerInterval()
{
    QTemporaryDir tmp;
    ManualClock clock(QDateTime::fromSecsSinceEpoch(kStart, Qt::UTC));
    KeyRing first(tmp.path(), clock);
    QVERIFY(first.open().ok());
    KeyRing second(tmp.path(), clock);
    QVERIFY(second.open().ok());
    second.setRefreshInterval(std::chrono::hours(1));
    const QString old = second.currentKid();  // the look that starts the hour
    QVERIFY(first.rotate(0).ok());
    QCOMPARE(second.currentKid(), old);  // not looked again yet
    QVERIFY(second.rotate(60).ok());       // a rotation always looks first
    QVERIFY(second.currentKid() != old);
    QCOMPARE(second.keys().size(), 3);
}

QTEST_GUILESS_MAIN(TestKeyRing)
#include "tst_keyring.moc"
