// SPDX-License-Identifier: Apache-2.0
// firewall::UpstreamForwarder over https (QNetworkAccessManager, one per thread for every
// execution), against a local TLS upstream with the test CA: an answer with an error status is
// the upstream's answer (400, 407 and 418, which Qt reports as protocol or proxy errors, too), a
// body cut short is not, no cookie of one call rides along on the next, and a header value with
// a line break is never sent.
#include "TestTls.h"

#include "firewall/UpstreamForwarder.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

using namespace mandate;
using firewall::UpstreamForwarder;
using firewall::UpstreamResponse;

namespace {

/// Answers each request by its path: "/status/N" with status N, "/login" with a cookie,
/// "/cut" with a body shorter than it announced, anything else 200; records the request heads.
class TlsUpstream final
{
public:
    bool start()
    {
        if (!testing::useTestServerCertificate(m_server, QStringLiteral(MANDATE_TLS_FIXTURES)))
            return false;
        QObject::connect(&m_server, &QTcpServer::pendingConnectionAvailable, &m_server, [this] {
            while (auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection())) {
                QObject::connect(socket, &QSslSocket::readyRead, socket, [this, socket] { answer(socket); });
                QObject::connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    QUrl url(const QString &path) const { return QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path)); }

    QByteArrayList heads;

private:
    void answer(QSslSocket *socket)
    {
        QByteArray request = socket->property("request").toByteArray() + socket->readAll();
        socket->setProperty("request", request);
        const qsizetype headEnd = request.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        socket->setProperty("request", QByteArray());
        heads << request.left(headEnd);
        const QByteArray path = request.split(' ').value(1);
        QByteArray response;
        if (path.startsWith("/status/")) {
            response = "HTTP/1.1 " + path.mid(8) + " Answer\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        } else if (path == "/login") {
            response = "HTTP/1.1 200 OK\r\nSet-Cookie: session=agent-a-secret; Path=/\r\nContent-Length: 2\r\n\r\nok";
        } else if (path == "/cut") {
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"balance\":\"10");
            socket->flush();
            socket->disconnectFromHost();
            return;
        } else {
            response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        }
        socket->write(response);
    }

    QSslServer m_server;
};

UpstreamForwarder::Limits limits()
{
    UpstreamForwarder::Limits l;
    l.timeoutMs = 5000;
    return l;
}

} // namespace

class tst_HttpsUpstream final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void errorStatusesAreAnswers_data();
    void errorStatusesAreAnswers();
    void aBodyCutShortIsNoAnswer();
    void cookiesAreNotKept();
    void headerLineBreaksAreNeverSent();

private:
    TlsUpstream m_upstream;
};

void tst_HttpsUpstream::initTestCase()
{
    // The upstream's certificate is from the test CA: trusted by this process's default.
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.addCaCertificates(QStringLiteral(MANDATE_TLS_FIXTURES "/ca.pem"));
    QSslConfiguration::setDefaultConfiguration(tls);
    QVERIFY(m_upstream.start());
}

void tst_HttpsUpstream::errorStatusesAreAnswers_data()
{
    QTest::addColumn<int>("status");
    for (const int status : {200, 400, 401, 404, 407, 418, 422, 500, 503})
        QTest::addRow("%d", status) << status;
}

void tst_HttpsUpstream::errorStatusesAreAnswers()
{
    QFETCH(int, status);
    const UpstreamResponse response = UpstreamForwarder::send("GET", m_upstream.url(QStringLiteral("/status/%1").arg(status)), {}, {}, limits());
    QVERIFY2(response.error.isEmpty(), qPrintable(response.error));
    QCOMPARE(response.status, status);
}

void tst_HttpsUpstream::aBodyCutShortIsNoAnswer()
{
    const UpstreamResponse response = UpstreamForwarder::send("GET", m_upstream.url(QStringLiteral("/cut")), {}, {}, limits());
    QCOMPARE(response.status, 0);
    QVERIFY2(!response.error.isEmpty(), "a truncated body must not pass as the upstream's answer");
    QCOMPARE(response.problemStatus, 502);
}

void tst_HttpsUpstream::cookiesAreNotKept()
{
    // One execution's call sets a cookie; the next call, whoever makes it, must not carry it.
    m_upstream.heads.clear();
    QCOMPARE(UpstreamForwarder::send("GET", m_upstream.url(QStringLiteral("/login")), {}, {{"X-Mandate-Execution", "exe_a"}}, limits()).status, 200);
    QCOMPARE(UpstreamForwarder::send("GET", m_upstream.url(QStringLiteral("/next")), {}, {{"X-Mandate-Execution", "exe_b"}}, limits()).status, 200);
    QCOMPARE(m_upstream.heads.size(), 2);
    QVERIFY2(!m_upstream.heads.last().toLower().contains("cookie:"), m_upstream.heads.last().constData());
}

void tst_HttpsUpstream::headerLineBreaksAreNeverSent()
{
    m_upstream.heads.clear();
    const UpstreamResponse response =
        UpstreamForwarder::send("GET", m_upstream.url(QStringLiteral("/next")), {}, {{"X-Mandate-On-Behalf-Of", "a\r\nX-Evil: 1"}}, limits());
    QCOMPARE(response.status, 0);
    QVERIFY2(response.error.contains(QLatin1String("line break")), qPrintable(response.error));
    QTest::qWait(100);
    QVERIFY(m_upstream.heads.isEmpty());
}

QTEST_GUILESS_MAIN(tst_HttpsUpstream)
#include "tst_https_upstream.moc"
