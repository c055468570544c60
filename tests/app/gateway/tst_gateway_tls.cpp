// SPDX-License-Identifier: Apache-2.0
// mandated over HTTPS (--tls-cert / --tls-key) as the console reaches it: the REST client and the
// live event stream (wss) both trust a private CA when the connection profile names it, and
// refuse the gateway when it does not.
#include "GatewayProcess.h"

#include "client/EventStream.h"
#include "client/GatewayClient.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>

using namespace mandate;
using namespace mandate::client;
using namespace mandate::testing;

namespace {

const QString kFixtures = QStringLiteral(MANDATE_TLS_FIXTURES);

std::optional<ClientResult<Health>> health(GatewayClient &client)
{
    std::optional<ClientResult<Health>> result;
    QObject context;
    client.health(&context, [&result](ClientResult<Health> r) { result.emplace(std::move(r)); });
    (void)QTest::qWaitFor([&result] { return result.has_value(); }, 20'000);
    return result;
}

} // namespace

class tst_GatewayTls final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void restTrustsOnlyTheProfilesCa();
    void eventStreamTrustsOnlyTheProfilesCa();

private:
    std::unique_ptr<GatewayProcess> m_gateway;
};

void tst_GatewayTls::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>(QStringLiteral(MANDATED_PATH),
                                                 QStringList{QStringLiteral("--tls-cert"), kFixtures + QStringLiteral("/server.pem"),
                                                             QStringLiteral("--tls-key"), kFixtures + QStringLiteral("/server.key")});
    QVERIFY2(m_gateway->start(30'000), qPrintable(m_gateway->error()));
    QCOMPARE(m_gateway->url().scheme(), QStringLiteral("https"));
}

void tst_GatewayTls::restTrustsOnlyTheProfilesCa()
{
    GatewayClient trusting;
    trusting.setBaseUrl(m_gateway->url());
    trusting.setTimeout(10'000);
    QVERIFY(trusting.setCaCertificateFile(kFixtures + QStringLiteral("/ca.pem")).ok());
    const auto ok = health(trusting);
    QVERIFY(ok.has_value());
    QVERIFY2(ok->ok(), qPrintable(ok->ok() ? QString() : ok->error().message()));

    for (const QString &ca : QStringList{QString(), kFixtures + QStringLiteral("/other-ca.pem")}) {
        GatewayClient client;
        client.setBaseUrl(m_gateway->url());
        client.setTimeout(10'000);
        if (!ca.isEmpty())
            QVERIFY(client.setCaCertificateFile(ca).ok());
        const auto refused = health(client);
        QVERIFY(refused.has_value());
        QVERIFY(!refused->ok());
        QCOMPARE(refused->error().kind, ClientError::Kind::Tls);
    }
}

void tst_GatewayTls::eventStreamTrustsOnlyTheProfilesCa()
{
    GatewayClient profile;  // reads the CA file as the console's connection profile does
    QVERIFY(profile.setCaCertificateFile(kFixtures + QStringLiteral("/ca.pem")).ok());
    const QByteArray key = m_gateway->key(QStringLiteral("auditor"));

    EventStream trusting;
    QSignalSpy hello(&trusting, &EventStream::hello);
    trusting.open(m_gateway->url(), key, profile.extraCaCertificates());
    QVERIFY(hello.wait(20'000));
    QCOMPARE(hello.first().first().toString(), QStringLiteral("auditor"));
    QCOMPARE(trusting.state(), EventStream::State::Open);

    // Without the CA the handshake fails: the stream keeps retrying and never opens.
    EventStream untrusting;
    QSignalSpy states(&untrusting, &EventStream::stateChanged);
    untrusting.open(m_gateway->url(), key);
    QVERIFY(QTest::qWaitFor([&untrusting] { return untrusting.state() == EventStream::State::Reconnecting; }, 20'000));
    for (const QList<QVariant> &change : std::as_const(states))
        QVERIFY(change.first().value<EventStream::State>() != EventStream::State::Open);
    untrusting.close();
    trusting.close();
}

QTEST_MAIN(tst_GatewayTls)
#include "tst_gateway_tls.moc"
