// SPDX-License-Identifier: Apache-2.0
// Trusted identity providers' keys from a JWKS URL, against a real HTTP server on loopback
// (running on a thread of its own, as the fetch blocks the caller): caching per Cache-Control
// within bounds, refetch on an unknown kid (rate-limited), key rotation at the issuer, the
// server going down, and every limit of a fetch (size, timeout, status, redirects, strictness).
#include "broker/CacheControl.h"
#include "broker/TrustedIssuers.h"
#include "crypto/CompactJws.h"
#include "json/JsonWriter.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <atomic>
#include <stop_token>

using namespace mandate;
using broker::CacheControl;
using broker::JwksFetcher;

namespace {

const QString kIssuer = QStringLiteral("https://idp.test");
const QString kAudience = QStringLiteral("mandate");

/// A minimal HTTP/1.1 server answering every request with the configured response.
class JwksServer final : public QObject
{
    Q_OBJECT

public:
    struct Response
    {
        int status = 200;
        QByteArray body;
        QByteArray cacheControl;
        QByteArray location;  ///< sent with a 3xx status
        bool hang = false;    ///< read the request, never answer
    };

    void setResponse(const Response &response)
    {
        QMutexLocker lock(&m_mutex);
        m_response = response;
    }
    int requests() const { return m_requests.load(); }
    quint16 port() const { return m_port.load(); }

public slots:
    bool listen(quint16 port)
    {
        if (!m_server) {
            m_server = new QTcpServer(this);
            connect(m_server, &QTcpServer::newConnection, this, &JwksServer::accept);
        }
        if (!m_server->listen(QHostAddress::LocalHost, port))
            return false;
        m_port = m_server->serverPort();
        return true;
    }
    void close()
    {
        m_server->close();
        // Established connections go too: "down" means nothing answers.
        for (QTcpSocket *socket : findChildren<QTcpSocket *>())
            socket->abort();
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket]() { answer(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void answer(QTcpSocket *socket)
    {
        QByteArray &pending = m_buffers[socket];
        pending += socket->readAll();
        if (!pending.contains("\r\n\r\n"))
            return;
        pending.clear();
        ++m_requests;
        Response r;
        {
            QMutexLocker lock(&m_mutex);
            r = m_response;
        }
        if (r.hang)
            return;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(r.status) + " X\r\nContent-Type: application/json\r\n";
        if (!r.cacheControl.isEmpty())
            head += "Cache-Control: " + r.cacheControl + "\r\n";
        if (!r.location.isEmpty())
            head += "Location: " + r.location + "\r\n";
        head += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\nConnection: close\r\n\r\n";
        socket->write(head + r.body);
        socket->disconnectFromHost();
    }

    QTcpServer *m_server = nullptr;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    mutable QMutex m_mutex;
    Response m_response;
    std::atomic<int> m_requests{0};
    std::atomic<quint16> m_port{0};
};

struct SigningKey
{
    crypto::Ed25519Key key;
    QString kid;

    QByteArray jwk() const
    {
        return json::writeCompact(crypto::Jwk::fromEd25519(key, kid).toJson());
    }
    QByteArray idToken(qint64 now, const QString &user = QStringLiteral("alice")) const
    {
        const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("EdDSA")}, {QStringLiteral("kid"), kid},
                                 {QStringLiteral("typ"), QStringLiteral("JWT")}};
        const QJsonObject claims{{QStringLiteral("iss"), kIssuer},     {QStringLiteral("aud"), kAudience},
                                 {QStringLiteral("sub"), user},        {QStringLiteral("iat"), now},
                                 {QStringLiteral("exp"), now + 3600}};
        return crypto::CompactJws::sign(header, json::writeCompact(claims), key).value();
    }
};

QByteArray jwksOf(std::initializer_list<const SigningKey *> keys)
{
    QByteArray out = R"({"keys":[)";
    bool first = true;
    for (const SigningKey *k : keys) {
        out += (first ? "" : ",") + k->jwk();
        first = false;
    }
    return out + "]}";
}

} // namespace

class tst_JwksFetcher final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cacheControl_data();
    void cacheControl();
    void checkUrl_data();
    void checkUrl();
    void cachesWithinBounds();
    void refetchesOnRotation();
    void sameKeysKeepTheirVersion();
    void serverDownKeepsCachedKeysUntilExpiry();
    void fetchLimits_data();
    void fetchLimits();
    void loadFileTakesJwksUri();
    void prefetchFetchesBeforeTheFirstToken();
    void aFailedPrefetchHoldsOffNoExchange();

private:
    QUrl url(const QString &path = QStringLiteral("/jwks")) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(path));
    }
    JwksFetcher::Options options() const
    {
        JwksFetcher::Options o;
        o.url = url();
        o.timeoutMs = 3000;
        return o;
    }
    bool invoke(const char *method, quint16 port = 0)
    {
        bool ok = true;
        if (qstrcmp(method, "listen") == 0)
            QMetaObject::invokeMethod(m_server, "listen", Qt::BlockingQueuedConnection, Q_RETURN_ARG(bool, ok), Q_ARG(quint16, port));
        else
            QMetaObject::invokeMethod(m_server, method, Qt::BlockingQueuedConnection);
        return ok;
    }

    QThread m_thread;
    JwksServer *m_server = nullptr;
    SigningKey m_a, m_b, m_c;
};

void tst_JwksFetcher::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false\nmandate.*.warning=false"));
    m_a = {crypto::Ed25519Key::generate().value(), QStringLiteral("key-a")};
    m_b = {crypto::Ed25519Key::generate().value(), QStringLiteral("key-b")};
    m_c = {crypto::Ed25519Key::generate().value(), QStringLiteral("key-c")};
    m_server = new JwksServer;
    m_server->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_server, &QObject::deleteLater);
    m_thread.start();
    QVERIFY(invoke("listen"));
}

void tst_JwksFetcher::cleanupTestCase()
{
    m_thread.quit();
    m_thread.wait();
}

void tst_JwksFetcher::init()
{
    m_server->setResponse({200, jwksOf({&m_a}), "max-age=120", {}, false});
}

void tst_JwksFetcher::cacheControl_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("expected");  // -1: nullopt
    QTest::addRow("max-age") << QByteArray("max-age=300") << qint64(300);
    QTest::addRow("among others") << QByteArray("public, max-age=60, must-revalidate") << qint64(60);
    QTest::addRow("case and spaces") << QByteArray("  Max-Age=7 ,private") << qint64(7);
    QTest::addRow("quoted") << QByteArray("max-age=\"30\"") << qint64(30);
    QTest::addRow("no-store") << QByteArray("no-store") << qint64(0);
    QTest::addRow("no-cache wins") << QByteArray("max-age=60, no-cache") << qint64(0);
    QTest::addRow("huge saturates") << QByteArray("max-age=99999999999999999999") << qint64(std::numeric_limits<qint32>::max());
    QTest::addRow("same twice") << QByteArray("max-age=5, max-age=5") << qint64(5);
    QTest::addRow("conflicting twice") << QByteArray("max-age=5, max-age=6") << qint64(-1);
    QTest::addRow("not digits") << QByteArray("max-age=abc") << qint64(-1);
    QTest::addRow("negative") << QByteArray("max-age=-1") << qint64(-1);
    QTest::addRow("no value") << QByteArray("max-age") << qint64(-1);
    QTest::addRow("shared only") << QByteArray("s-maxage=5") << qint64(-1);
    QTest::addRow("garbage after value") << QByteArray("max-age=5 x") << qint64(-1);
    QTest::addRow("unterminated quote") << QByteArray("max-age=\"5") << qint64(-1);
    QTest::addRow("empty") << QByteArray() << qint64(-1);
}

void tst_JwksFetcher::cacheControl()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, expected);
    QCOMPARE(CacheControl::maxAgeSecs(header).value_or(-1), expected);
}

void tst_JwksFetcher::checkUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("https") << QStringLiteral("https://idp.example/.well-known/jwks.json") << true;
    QTest::addRow("http loopback") << QStringLiteral("http://127.0.0.1:8080/jwks") << true;
    QTest::addRow("http localhost") << QStringLiteral("http://localhost/jwks") << true;
    QTest::addRow("http remote") << QStringLiteral("http://idp.example/jwks") << false;
    QTest::addRow("ftp") << QStringLiteral("ftp://idp.example/jwks") << false;
    QTest::addRow("file") << QStringLiteral("file:///etc/passwd") << false;
    QTest::addRow("credentials") << QStringLiteral("https://user:pw@idp.example/jwks") << false;
    QTest::addRow("relative") << QStringLiteral("/jwks") << false;
}

void tst_JwksFetcher::checkUrl()
{
    QFETCH(QString, url);
    QFETCH(bool, accepted);
    QCOMPARE(JwksFetcher::checkUrl(QUrl(url)).ok(), accepted);
}

void tst_JwksFetcher::cachesWithinBounds()
{
    ManualClock clock;
    broker::TrustedIssuers issuers(clock, kAudience);
    JwksFetcher::Options o = options();
    o.minCacheSecs = 60;
    o.maxCacheSecs = 3600;
    QVERIFY(issuers.trustJwksUrl(kIssuer, o).ok());
    const int before = m_server->requests();
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 1);
    clock.advanceSecs(119);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 1);  // max-age=120: still fresh
    clock.advanceSecs(1);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 2);

    // A max-age below the minimum is raised to it; above the maximum, cut to it.
    m_server->setResponse({200, jwksOf({&m_a}), "max-age=1", {}, false});
    clock.advanceSecs(120);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 3);
    clock.advanceSecs(59);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 3);
    m_server->setResponse({200, jwksOf({&m_a}), "max-age=999999999", {}, false});
    clock.advanceSecs(1);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 4);
    clock.advanceSecs(3599);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 4);
    clock.advanceSecs(1);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    QCOMPARE(m_server->requests(), before + 5);
}

void tst_JwksFetcher::refetchesOnRotation()
{
    ManualClock clock;
    broker::TrustedIssuers issuers(clock, kAudience);
    JwksFetcher::Options o = options();
    o.refetchIntervalSecs = 30;
    QVERIFY(issuers.trustJwksUrl(kIssuer, o).ok());
    const int before = m_server->requests();
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());

    // The issuer rotates from A to B. Right after a fetch, an unknown kid is refused without
    // asking again (rate limit)...
    m_server->setResponse({200, jwksOf({&m_b}), "max-age=120", {}, false});
    auto early = issuers.verify(m_b.idToken(clock.nowSecs()));
    QVERIFY(!early.ok());
    QCOMPARE(early.error().code, QStringLiteral("unknown_kid"));
    QCOMPARE(m_server->requests(), before + 1);
    // ...and once the interval has passed, the unknown kid brings the new set at once.
    clock.advanceSecs(30);
    auto rotated = issuers.verify(m_b.idToken(clock.nowSecs()));
    QVERIFY2(rotated.ok(), rotated.ok() ? "" : qPrintable(rotated.error().message));
    QCOMPARE(m_server->requests(), before + 2);
    QCOMPARE(rotated->kid, m_b.kid);

    // A is gone from the issuer's set, so its tokens are refused, even one verified before.
    auto old = issuers.verify(m_a.idToken(clock.nowSecs() - 30));
    QVERIFY(!old.ok());
    QCOMPARE(old.error().code, QStringLiteral("unknown_kid"));
    QCOMPARE(m_server->requests(), before + 2);
}

void tst_JwksFetcher::sameKeysKeepTheirVersion()
{
    // A new version empties the verified-token caches. A refetch that brings the same keys (a
    // token naming a kid nobody has, which anyone can send; or the cache's expiry) keeps it.
    ManualClock clock;
    JwksFetcher::Options o = options();
    o.refetchIntervalSecs = 30;
    JwksFetcher fetcher(o, clock);
    m_server->setResponse({200, jwksOf({&m_a}), "max-age=60", {}, false});
    const auto first = fetcher.current();
    QVERIFY(first.ok());
    const int before = m_server->requests();
    clock.advanceSecs(30);
    const auto again = fetcher.refetchForUnknownKid(first->version);
    QCOMPARE(m_server->requests(), before + 1);  // asked
    QVERIFY(again);
    QCOMPARE(again->version, first->version);
    clock.advanceSecs(60);  // expired: fetched anew, the same keys
    const auto expired = fetcher.current();
    QVERIFY(expired.ok());
    QCOMPARE(m_server->requests(), before + 2);
    QCOMPARE(expired->version, first->version);

    m_server->setResponse({200, jwksOf({&m_a, &m_b}), "max-age=60", {}, false});
    clock.advanceSecs(30);
    const auto rotated = fetcher.refetchForUnknownKid(first->version);
    QVERIFY(rotated);
    QCOMPARE(rotated->version, first->version + 1);
    QCOMPARE(rotated->keys.entries().size(), 2);

    // The same key material with another use is another key set: the verifier must see it.
    QJsonObject encryptionOnly = json::parseObject(m_a.jwk()).value();
    encryptionOnly.insert(QStringLiteral("use"), QStringLiteral("enc"));
    m_server->setResponse({200, "{\"keys\":[" + json::writeCompact(encryptionOnly) + ',' + m_b.jwk() + "]}", "max-age=60", {}, false});
    clock.advanceSecs(30);
    const auto restricted = fetcher.refetchForUnknownKid(rotated->version);
    QVERIFY(restricted);
    QCOMPARE(restricted->version, rotated->version + 1);
}

void tst_JwksFetcher::serverDownKeepsCachedKeysUntilExpiry()
{
    ManualClock clock;
    broker::TrustedIssuers issuers(clock, kAudience);
    QVERIFY(issuers.trustJwksUrl(kIssuer, options()).ok());
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
    const quint16 port = m_server->port();
    QVERIFY(invoke("close"));

    clock.advanceSecs(100);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());  // cached keys, unexpired
    auto unknown = issuers.verify(m_c.idToken(clock.nowSecs()));  // refetch fails
    QVERIFY(!unknown.ok());
    QCOMPARE(unknown.error().code, QStringLiteral("unknown_kid"));
    clock.advanceSecs(20);  // past max-age=120
    auto expired = issuers.verify(m_a.idToken(clock.nowSecs()));
    QVERIFY(!expired.ok());
    QCOMPARE(expired.error().code, QStringLiteral("jwks_unavailable"));

    // Back up: keys come back after the retry interval.
    QVERIFY(invoke("listen", port));
    clock.advanceSecs(30);
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());
}

void tst_JwksFetcher::fetchLimits_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("location");
    QTest::addColumn<bool>("hang");
    QTest::addColumn<QString>("expected");  // a fragment of the error message; empty: success

    const QByteArray good = jwksOf({&m_a});
    QTest::addRow("good") << 200 << good << QByteArray() << false << QString();
    QTest::addRow("too big") << 200 << QByteArray(R"({"keys":[]})").append(QByteArray(8192, ' ')) << QByteArray() << false
                             << QStringLiteral("more than the limit");
    QTest::addRow("timeout") << 200 << good << QByteArray() << true << QStringLiteral("within");
    QTest::addRow("server error") << 500 << good << QByteArray() << false << QStringLiteral("500");
    QTest::addRow("not json") << 200 << QByteArray("<html>") << QByteArray() << false << QStringLiteral("strict JSON");
    QTest::addRow("duplicate member") << 200 << QByteArray(R"({"keys":[],"keys":[]})") << QByteArray() << false
                                      << QStringLiteral("strict JSON");
    QTest::addRow("no usable key") << 200 << QByteArray(R"({"keys":[{"kty":"oct","k":"AAAA"}]})") << QByteArray() << false
                                   << QStringLiteral("no usable key");
    QTest::addRow("redirect to another host") << 302 << QByteArray() << QByteArray("http://localhost:%PORT%/jwks") << false
                                              << QStringLiteral("redirect");
}

void tst_JwksFetcher::fetchLimits()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, location);
    QFETCH(bool, hang);
    QFETCH(QString, expected);
    location.replace("%PORT%", QByteArray::number(m_server->port()));
    m_server->setResponse({status, body, {}, location, hang});
    JwksFetcher::Options o = options();
    o.maxBytes = 4096;
    if (hang)
        o.timeoutMs = 300;
    auto fetched = JwksFetcher::fetch(o);
    if (expected.isEmpty()) {
        QVERIFY2(fetched.ok(), fetched.ok() ? "" : qPrintable(fetched.error().message));
        QVERIFY(fetched->keys.find(m_a.kid));
        return;
    }
    QVERIFY(!fetched.ok());
    QCOMPARE(fetched.error().code, QStringLiteral("jwks_unavailable"));
    QVERIFY2(fetched.error().message.contains(expected, Qt::CaseInsensitive), qPrintable(fetched.error().message));
}

void tst_JwksFetcher::loadFileTakesJwksUri()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("issuers.json"));
    const auto write = [&](const QByteArray &text) {
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
    };
    // (Built without raw strings: moc reads the "//" of a URL in one as a comment.)
    const auto issuersWith = [](const QByteArray &source) -> QByteArray {
        return "{\"issuers\":[{\"issuer\":\"https:/" "/idp.test\"," + source + "}]}";
    };
    ManualClock clock;
    broker::TrustedIssuers issuers(clock, kAudience);
    QVERIFY(write("{\"issuers\":[{\"issuer\":\"https:/" "/idp.test\",\"jwks_uri\":\"" + url().toEncoded() + "\"}]}"));
    QVERIFY(issuers.loadFile(path).ok());
    QVERIFY(issuers.verify(m_a.idToken(clock.nowSecs())).ok());

    QVERIFY(write(issuersWith("\"jwks_uri\":\"http:/" "/idp.example/jwks\"")));
    QVERIFY(!issuers.loadFile(path).ok());  // plain http to a remote host
    QVERIFY(write(issuersWith("\"jwks_uri\":\"https:/" "/idp.example/jwks\",\"jwks\":{\"keys\":[]}")));
    QVERIFY(!issuers.loadFile(path).ok());  // two sources
}

void tst_JwksFetcher::prefetchFetchesBeforeTheFirstToken()
{
    ManualClock clock;
    broker::TrustedIssuers issuers(clock, kAudience);
    const int before = m_server->requests();
    QVERIFY(issuers.trustJwksUrl(kIssuer, options()).ok());
    QCOMPARE(m_server->requests(), before);  // trusting a URL fetches nothing yet
    // An issuer whose keys are given, and one whose URL nothing listens on.
    issuers.trust(QStringLiteral("https://given.example"), crypto::Jwks());
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    }
    JwksFetcher::Options down = options();
    down.url = QUrl(QStringLiteral("http://127.0.0.1:%1/jwks").arg(closedPort));
    QVERIFY(issuers.trustJwksUrl(QStringLiteral("https://down.example"), down).ok());

    QCOMPARE(issuers.prefetch(), 1);
    QCOMPARE(m_server->requests(), before + 1);
    // The first token is verified with the keys already there: no fetch on its way.
    const auto verified = issuers.verify(m_a.idToken(clock.nowSecs()));
    QVERIFY2(verified.ok(), verified.ok() ? "" : qPrintable(verified.error().message));
    QCOMPARE(m_server->requests(), before + 1);
    // Asked to stop, it fetches nothing more.
    broker::TrustedIssuers stopped(clock, kAudience);
    QVERIFY(stopped.trustJwksUrl(kIssuer, options()).ok());
    std::stop_source stop;
    stop.request_stop();
    QCOMPARE(stopped.prefetch(stop.get_token()), 0);
    QCOMPARE(m_server->requests(), before + 1);
}

void tst_JwksFetcher::aFailedPrefetchHoldsOffNoExchange()
{
    // The IdP is down when the gateway starts and up a moment later: the first exchange fetches
    // the keys itself instead of repeating the start's failure for the retry interval.
    ManualClock clock;
    broker::TrustedIssuers issuers(clock, kAudience);
    JwksFetcher::Options o = options();
    o.refetchIntervalSecs = 3600;
    QVERIFY(issuers.trustJwksUrl(kIssuer, o).ok());
    const quint16 port = m_server->port();
    QVERIFY(invoke("close"));
    QCOMPARE(issuers.prefetch(), 0);
    QVERIFY(invoke("listen", port));
    const int before = m_server->requests();
    const auto verified = issuers.verify(m_a.idToken(clock.nowSecs()));
    QVERIFY2(verified.ok(), verified.ok() ? "" : qPrintable(verified.error().message));
    QCOMPARE(m_server->requests(), before + 1);
}

QTEST_GUILESS_MAIN(tst_JwksFetcher)
#include "tst_jwks_fetcher.moc"
