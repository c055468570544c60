// SPDX-License-Identifier: Apache-2.0
// SIGTERM drains (issue #5): calls held in flight by an upstream run here are still answered,
// completely, after mandated was told to stop; new connections are refused as soon as it drains;
// it exits with 0 and leaves an audit chain that verifies, with every answered call forwarded.
#include "DemoTokenExchange.h"
#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QUrlQuery>
#include <QtConcurrent/QtConcurrentRun>

#include <csignal>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace mandate;
using namespace mandate::testing;

namespace {

constexpr int CallsInFlight = 5;  // below QNetworkAccessManager's six connections per host

/// Bodies large enough to take more than one write on the way back.
const QByteArray &padding()
{
    static const QByteArray bytes(256 * 1024, 'x');
    return bytes;
}

} // namespace

class tst_SigtermDrain final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void inFlightCallsAreAnsweredThenTheGatewayExits();
    void aSignalDuringStartDrainsOnceStarted();
    void aSecondSignalStopsAHangingStart();
    void cleanupTestCase();

private:
    QByteArray exchangeToken();

    QHttpServer m_upstream;
    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<HttpProbe> m_http;
    QByteArray m_admin;
    QThreadPool m_upstreamThreads;
    QSemaphore m_release;  ///< the upstream answers one held call per release
    int m_held = 0;
};

void tst_SigtermDrain::initTestCase()
{
    m_upstreamThreads.setMaxThreadCount(CallsInFlight);
    m_upstream.route(QStringLiteral("/tickets/<arg>"), [this](const QString &id, const QHttpServerRequest &) {
        ++m_held;
        return QtConcurrent::run(&m_upstreamThreads, [this, id]() {
            m_release.acquire();
            return QHttpServerResponse(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("padding"), QString::fromLatin1(padding())}});
        });
    });
    const quint16 port = m_upstream.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);

    // A generous upstream timeout: the test, not the gateway, decides when the upstream answers.
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH),
                                                 QStringList{QStringLiteral("--upstream-timeout-ms"), QStringLiteral("60000")});
    QVERIFY2(m_gateway->start(30000), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    m_admin = m_gateway->key(QStringLiteral("admin"));
    QCOMPARE(m_http->pointToolAt(m_admin, QStringLiteral("ticket"), QStringLiteral("http://127.0.0.1:%1").arg(port)), 200);
}

QByteArray tst_SigtermDrain::exchangeToken()
{
    return exchangeDemoToken(*m_gateway, *m_http);
}

void tst_SigtermDrain::inFlightCallsAreAnsweredThenTheGatewayExits()
{
    const QByteArray token = exchangeToken();
    QVERIFY(!token.isEmpty());

    // Calls that the upstream holds: in flight in the gateway when it is told to stop.
    QNetworkAccessManager network;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < CallsInFlight; ++i) {
        QUrl url = m_gateway->url();
        url.setPath(QStringLiteral("/v1/tools/ticket/tickets/T-%1").arg(i));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + token);
        replies.append(network.get(request));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_held, CallsInFlight, 30000);

    QProcess &process = m_gateway->process();
    process.terminate();
    QByteArray output;
    QTRY_VERIFY_WITH_TIMEOUT((output += process.readAll()).contains("draining"), 30000);
    QVERIFY2(output.contains("5 call(s) in flight"), output.constData());
    QCOMPARE(process.state(), QProcess::Running);  // waiting for the calls, not gone

    // The listening socket is closed before "draining" is printed: new clients are refused.
    QTcpSocket late;
    late.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(m_gateway->url().port()));
    QVERIFY(!late.waitForConnected(10000));
    QCOMPARE(late.error(), QAbstractSocket::ConnectionRefusedError);

    // Now the upstream answers.
    m_release.release(CallsInFlight);
    QStringList decisions;
    for (QNetworkReply *reply : std::as_const(replies)) {
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 30000);
        QVERIFY2(reply->error() == QNetworkReply::NoError, qPrintable(reply->errorString()));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QByteArray body = reply->readAll();
        QCOMPARE(body.size(), reply->header(QNetworkRequest::ContentLengthHeader).toLongLong());
        const QJsonObject answer = QJsonDocument::fromJson(body).object();
        QCOMPARE(answer.value(QStringLiteral("padding")).toString().size(), padding().size());
        QVERIFY(reply->url().path().endsWith(answer.value(QStringLiteral("id")).toString()));
        decisions << QString::fromLatin1(reply->rawHeader("X-Mandate-Decision-Id"));
    }

    // (waitForFinished() is false for a process that has already been reaped.)
    const bool exited = process.state() == QProcess::NotRunning || process.waitForFinished(30000);
    QVERIFY2(exited, QByteArray(output + process.readAll()).constData());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);

    // Each answered call was forwarded on the record, and the chain verifies.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("drain-check"));
        db.setDatabaseName(QDir(m_gateway->dataDir()).filePath(QStringLiteral("mandate.db")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT json_extract(body, '$.\"mandate.decision.id\"') FROM audit_records WHERE event = 'forward'")));
        QStringList forwarded;
        while (query.next())
            forwarded << query.value(0).toString();
        for (const QString &decision : std::as_const(decisions))
            QVERIFY2(forwarded.contains(decision), qPrintable(decision));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("drain-check"));
    QProcess verify;
    verify.setProcessChannelMode(QProcess::MergedChannels);
    verify.start(QStringLiteral(MANDATECTL_PATH), {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), m_gateway->dataDir()});
    QVERIFY(verify.waitForFinished(60000));
    QVERIFY2(verify.exitStatus() == QProcess::NormalExit && verify.exitCode() == 0, verify.readAll().constData());
}

namespace {

/// The key directory's rotation lock, held by this process: a gateway starting on the directory
/// with no key yet waits for it (up to its bound) before making its first key.
class HeldKeyDirectory
{
public:
    explicit HeldKeyDirectory(const QString &dataDir)
    {
        const QString keys = QDir(dataDir).filePath(QStringLiteral("keys"));
        QDir().mkpath(keys);
        QFile::setPermissions(keys, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        m_fd = ::open(QFile::encodeName(QDir(keys).filePath(QStringLiteral(".rotation.lock"))).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        m_held = m_fd >= 0 && ::flock(m_fd, LOCK_EX) == 0;
    }
    ~HeldKeyDirectory() { release(); }
    bool held() const { return m_held; }
    void release()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
    bool m_held = false;
};

/// Starts `process` as a gateway on `dataDir`, whose key directory `keys` holds: false when it
/// did not start. Half a second later it is well into its start, waiting for the lock.
bool startBehindHeldLock(QProcess &process, const QString &dataDir, const HeldKeyDirectory &keys)
{
    if (!keys.held())
        return false;
    process.start(QStringLiteral(MANDATED_PATH), {QStringLiteral("--demo"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                                  QStringLiteral("--data-dir"), dataDir});
    if (!process.waitForStarted(10000))
        return false;
    QTest::qWait(500);
    return process.state() == QProcess::Running;
}

} // namespace

void tst_SigtermDrain::aSignalDuringStartDrainsOnceStarted()
{
    // SIGTERM while the gateway is still starting (here: waiting for the key directory's lock)
    // is kept, and drains the gateway once it runs: a clean exit, not death by the signal.
    QTemporaryDir data;
    HeldKeyDirectory keys(data.path());
    QProcess process;
    QVERIFY(startBehindHeldLock(process, data.path(), keys));
    ::kill(pid_t(process.processId()), SIGTERM);
    QTest::qWait(200);
    QCOMPARE(process.state(), QProcess::Running);  // still starting: the signal waits
    keys.release();
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(process.readAllStandardError().contains("shutting down"), "the gateway drained");
}

void tst_SigtermDrain::aSecondSignalStopsAHangingStart()
{
    // A start that hangs can still be stopped: the second signal ends the process at once.
    QTemporaryDir data;
    HeldKeyDirectory keys(data.path());
    QProcess process;
    QVERIFY(startBehindHeldLock(process, data.path(), keys));
    ::kill(pid_t(process.processId()), SIGTERM);
    QTest::qWait(100);
    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(2000));  // long before the lock's 5 s bound
    QCOMPARE(process.exitStatus(), QProcess::CrashExit);
    QCOMPARE(process.exitCode(), SIGTERM);
}

void tst_SigtermDrain::cleanupTestCase()
{
    // After a failure the upstream may still hold calls: let them go before the pool is destroyed.
    m_release.release(CallsInFlight);
    m_upstreamThreads.waitForDone();
}

QTEST_GUILESS_MAIN(tst_SigtermDrain)
#include "tst_sigterm_drain.moc"
