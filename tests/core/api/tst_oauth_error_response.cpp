// SPDX-License-Identifier: Apache-2.0
// The token endpoint's error bodies (BrokerEndpoints::oauthError, RFC 6749 §5.2): an OAuth
// error as it is, and a server error, or any failure that is not an OAuth error, as
// server_error with a summary: its own message may name the gateway's internals.
#include "api/BrokerEndpoints.h"
#include "broker/OAuthError.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace mandate;
using broker::OAuthError;

class TestOAuthErrorResponse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answers_data()
    {
        QTest::addColumn<Error>("error");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("description");
        QTest::addRow("a client's mistake") << OAuthError::invalidScope(QStringLiteral("action x is not allowed")) << 400
                                            << QStringLiteral("invalid_scope") << QStringLiteral("action x is not allowed");
        QTest::addRow("try again") << OAuthError::temporarilyUnavailable(QStringLiteral("busy")) << 503
                                   << QStringLiteral("temporarily_unavailable") << QStringLiteral("busy");
        QTest::addRow("a server error's internals") << OAuthError::serverError(QStringLiteral("signing failed: no current key in /var/lib/x"))
                                                    << 500 << QStringLiteral("server_error") << QStringLiteral("internal error");
        QTest::addRow("not an OAuth error") << Error{QStringLiteral("store_error"), QStringLiteral("disk I/O error at page 7")}
                                            << 500 << QStringLiteral("server_error") << QStringLiteral("internal error");
    }
    void answers()
    {
        QFETCH(Error, error);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, description);
        const api::HttpResponse response = api::BrokerEndpoints::oauthError(error);
        QCOMPARE(response.status, status);
        const QJsonObject body = QJsonDocument::fromJson(response.body).object();
        QCOMPARE(body.value(QStringLiteral("error")).toString(), code);
        QCOMPARE(body.value(QStringLiteral("error_description")).toString(), description);
        QVERIFY(response.header("WWW-Authenticate").isEmpty());
    }

    void aRefusedClientIsToldHowToAuthenticate()
    {
        const api::HttpResponse response = api::BrokerEndpoints::oauthError(OAuthError::invalidClient(QStringLiteral("unknown client")));
        QCOMPARE(response.status, 401);
        QVERIFY(response.header("WWW-Authenticate").startsWith("Basic"));
    }
};

QTEST_GUILESS_MAIN(TestOAuthErrorResponse)
#include "tst_oauth_error_response.moc"
