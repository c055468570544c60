// SPDX-License-Identifier: Apache-2.0
// Where a gateway keeps its files (issue #5): --database and --key-dir (or [gateway] database and
// key-dir in the config file) put the database and the signing keys apart from the data
// directory, and every file the gateway creates is readable by its owner only. So does
// --upstream-credentials ([gateway] upstream-credentials) for the headers tools are called with.
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <sys/stat.h>

using namespace mandate;
using namespace mandate::testing;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat info {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? (info.st_mode & 0777) : mode_t(01000);
}

} // namespace

class tst_GatewayLayout final : public QObject
{
    Q_OBJECT

private slots:
    void databaseAndKeysWhereTheFlagsSay();
    void databaseAndKeysWhereTheConfigSays();
    void firstKeyThatCannotBeWrittenStopsTheStart();
    void upstreamCredentialsWhereTheFlagOrConfigSays_data();
    void upstreamCredentialsWhereTheFlagOrConfigSays();
    void demoOnEveryAddressCallsItsApiOverLoopback();

private:
    void checkLayout(GatewayProcess &gateway, const QString &database, const QString &keyDir);
};

void tst_GatewayLayout::checkLayout(GatewayProcess &gateway, const QString &database, const QString &keyDir)
{
    gateway.setDemo(false);
    QVERIFY2(gateway.start(), qPrintable(gateway.error()));
    HttpProbe http(gateway.url());
    const QByteArray admin = gateway.key(QStringLiteral("admin"));
    QCOMPARE(http.get(QStringLiteral("/v1/whoami"), admin).status, 200);  // a write is in the database

    QVERIFY(QFile::exists(database));
    QVERIFY(!QFile::exists(QDir(gateway.dataDir()).filePath(QStringLiteral("mandate.db"))));
    QCOMPARE(modeOf(database), mode_t(0600));
    QCOMPARE(modeOf(database + QStringLiteral("-wal")), mode_t(0600));
    QCOMPARE(modeOf(keyDir), mode_t(0700));
    QVERIFY(!QDir(gateway.dataDir()).exists(QStringLiteral("keys")));
    // The key that signs is the one in the key directory.
    const QString kid = http.get(QStringLiteral("/v1/keys"), admin).json().value(QStringLiteral("current")).toString();
    QVERIFY(!kid.isEmpty());
    const QStringList files = QDir(keyDir).entryList(QDir::Files);
    QVERIFY2(std::any_of(files.cbegin(), files.cend(), [&kid](const QString &file) { return file.contains(kid); }),
             qPrintable(files.join(u' ')));
    for (const QString &file : files)
        QCOMPARE(modeOf(QDir(keyDir).filePath(file)), mode_t(0600));
    for (const QString &file : QDir(gateway.dataDir()).entryList(QDir::Files))
        QVERIFY2(modeOf(QDir(gateway.dataDir()).filePath(file)) == 0600, qPrintable(file));

    // A restart finds both again: same signing key, same admin key; and a database that was
    // left readable by others (an older version made it so) is made private again.
    QCOMPARE(gateway.stop(), 0);
    QVERIFY(QFile::setPermissions(database, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    QCOMPARE(modeOf(database), mode_t(0644));
    QVERIFY2(gateway.start(), qPrintable(gateway.error()));
    QCOMPARE(modeOf(database), mode_t(0600));
    HttpProbe again(gateway.url());
    QCOMPARE(again.get(QStringLiteral("/v1/keys"), admin).json().value(QStringLiteral("current")).toString(), kid);
    QCOMPARE(gateway.stop(), 0);
}

void tst_GatewayLayout::databaseAndKeysWhereTheFlagsSay()
{
    QTemporaryDir elsewhere;
    const QString database = elsewhere.filePath(QStringLiteral("db/gateway.sqlite"));  // its folder is created too
    const QString keyDir = elsewhere.filePath(QStringLiteral("signing"));
    GatewayProcess gateway(QStringLiteral(MANDATED_PATH), {QStringLiteral("--database"), database, QStringLiteral("--key-dir"), keyDir});
    checkLayout(gateway, database, keyDir);
}

void tst_GatewayLayout::databaseAndKeysWhereTheConfigSays()
{
    QTemporaryDir elsewhere;
    const QString database = elsewhere.filePath(QStringLiteral("gateway.sqlite"));
    const QString keyDir = elsewhere.filePath(QStringLiteral("ring"));
    QFile config(elsewhere.filePath(QStringLiteral("mandated.conf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("[gateway]\ndatabase = " + database.toUtf8() + "\nkey-dir = " + keyDir.toUtf8() + "\n");
    config.close();
    GatewayProcess gateway(QStringLiteral(MANDATED_PATH), {QStringLiteral("--config"), config.fileName()});
    checkLayout(gateway, database, keyDir);
}

void tst_GatewayLayout::firstKeyThatCannotBeWrittenStopsTheStart()
{
    // Without its file, the first admin key would lock every admin out: no file, no start.
    GatewayProcess gateway(QStringLiteral(MANDATED_PATH));
    gateway.setDemo(false);
    QVERIFY(QDir(gateway.dataDir()).mkpath(QStringLiteral("admin.key/in-the-way")));  // a directory where the file goes
    QVERIFY(!gateway.start(10000));
    QCOMPARE(gateway.process().exitCode(), 1);
    QVERIFY2(gateway.output().contains("admin.key"), gateway.output().constData());
    QVERIFY(!QFile::exists(QDir(gateway.dataDir()).filePath(QStringLiteral("admin.key.new"))));
    // Nothing was stored either: once the obstacle is gone, the next start makes the first key.
    QVERIFY(QDir(QDir(gateway.dataDir()).filePath(QStringLiteral("admin.key"))).removeRecursively());
    QVERIFY2(gateway.start(), qPrintable(gateway.error()));
    QVERIFY(gateway.output().contains("First start"));
    HttpProbe http(gateway.url());
    const QJsonArray keys = http.get(QStringLiteral("/v1/api-keys"), gateway.key(QStringLiteral("admin"))).json().value(QStringLiteral("items")).toArray();
    QCOMPARE(keys.size(), 1);
    QCOMPARE(gateway.stop(), 0);
}

void tst_GatewayLayout::upstreamCredentialsWhereTheFlagOrConfigSays_data()
{
    QTest::addColumn<bool>("viaConfig");
    QTest::newRow("flag") << false;
    QTest::newRow("config") << true;
}

void tst_GatewayLayout::upstreamCredentialsWhereTheFlagOrConfigSays()
{
    QFETCH(bool, viaConfig);
    QTemporaryDir elsewhere;
    const QString directory = elsewhere.filePath(QStringLiteral("secrets/upstreams"));
    QStringList arguments{QStringLiteral("--upstream-credentials"), directory};
    if (viaConfig) {
        QFile config(elsewhere.filePath(QStringLiteral("mandated.conf")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("[gateway]\nupstream-credentials = " + directory.toUtf8() + "\n");
        config.close();
        arguments = {QStringLiteral("--config"), config.fileName()};
    }
    // The demo writes its tools' credential where the gateway reads credentials from.
    GatewayProcess gateway(QStringLiteral(MANDATED_PATH), arguments);
    QVERIFY2(gateway.start(), qPrintable(gateway.error()));
    QCOMPARE(modeOf(directory), mode_t(0700));
    QCOMPARE(modeOf(directory + QStringLiteral("/demo-api")), mode_t(0600));
    QVERIFY(!QDir(gateway.dataDir()).exists(QStringLiteral("upstream-credentials")));
    // And the demo API takes it.
    QFile file(directory + QStringLiteral("/demo-api"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray token = file.readAll().trimmed().mid(qsizetype(sizeof "Authorization: Bearer"));
    HttpProbe http(gateway.url());
    QCOMPARE(http.get(QStringLiteral("/demo-api/account/accounts/A-1"), token).status, 200);
    QCOMPARE(gateway.stop(), 0);

    // A credential that cannot be used is reported when the gateway starts, for each tool that
    // names it, not only at the tools' first calls.
    QVERIFY(QFile::setPermissions(directory + QStringLiteral("/demo-api"), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
    gateway.setDemo(false);
    QVERIFY2(gateway.start(), qPrintable(gateway.error()));
    QCOMPARE(gateway.stop(), 0);
    const QByteArray log = gateway.output();
    for (const char *tool : {"ticket", "refund", "account"})
        QVERIFY2(log.contains(QByteArray(QByteArray("tool ") + tool + " names upstream credential demo-api which cannot be used")), log.constData());
    QVERIFY(log.contains("accessible by group or others (mode 640)"));
    QVERIFY(!log.contains(token));
}

void tst_GatewayLayout::demoOnEveryAddressCallsItsApiOverLoopback()
{
    // The demo credential goes over plain http to a loopback address only: a demo listening on
    // every address points its tools at 127.0.0.1, not at 0.0.0.0.
    GatewayProcess gateway(QStringLiteral(MANDATED_PATH), {QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")});
    QVERIFY2(gateway.start(), qPrintable(gateway.error()));
    QUrl local = gateway.url();
    local.setHost(QStringLiteral("127.0.0.1"));
    HttpProbe http(local);
    const QString upstream = http.get(QStringLiteral("/v1/tools/ticket"), gateway.key(QStringLiteral("admin")))
                                 .json().value(QStringLiteral("upstream")).toString();
    QCOMPARE(upstream, QStringLiteral("http://127.0.0.1:%1/demo-api/ticket").arg(local.port()));
    QVERIFY(!gateway.output().contains("cannot be used"));
    QCOMPARE(gateway.stop(), 0);
}

QTEST_GUILESS_MAIN(tst_GatewayLayout)
#include "tst_gateway_layout.moc"
