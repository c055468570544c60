// SPDX-License-Identifier: Apache-2.0
#include "DemoTokenExchange.h"

#include "GatewayProcess.h"
#include "HttpProbe.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

namespace mandate::testing {

QByteArray exchangeDemoToken(const GatewayProcess &gateway, HttpProbe &http, const DemoExchange &request)
{
    // The ID token must be fresh by the gateway's clock, which a test may have moved ahead.
    ManualClock clock;
    clock.set(QDateTime::currentDateTimeUtc().addSecs(request.clockAdvancedSecs));
    broker::DevIdentityProvider idp(gateway.dataDir(), clock);
    if (!idp.open(broker::DevIdentityProvider::Mode::OpenExisting))
        return {};
    Result<QByteArray> idToken = idp.issueIdToken(request.user);
    QFile clients(QDir(gateway.dataDir()).filePath(QStringLiteral("demo-clients.json")));
    if (!idToken || !clients.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject client = QJsonDocument::fromJson(clients.readAll()).object().value(request.client).toObject();
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange"));
    form.addQueryItem(QStringLiteral("subject_token"), QString::fromLatin1(idToken.value()));
    form.addQueryItem(QStringLiteral("subject_token_type"), QStringLiteral("urn:ietf:params:oauth:token-type:id_token"));
    form.addQueryItem(QStringLiteral("scope"), request.scope);
    if (!request.authorizationDetails.isEmpty())
        form.addQueryItem(QStringLiteral("authorization_details"),
                          QString::fromUtf8(QJsonDocument(QJsonArray{request.authorizationDetails}).toJson(QJsonDocument::Compact)));
    const QByteArray basic = (client.value(QStringLiteral("client_id")).toString() + u':'
                              + client.value(QStringLiteral("client_secret")).toString()).toUtf8().toBase64();
    const HttpResult result = http.send("POST", QStringLiteral("/v1/token"), form.toString(QUrl::FullyEncoded).toUtf8(),
                                        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Basic " + basic}});
    return result.status == 200 ? result.json().value(QStringLiteral("access_token")).toString().toLatin1() : QByteArray();
}

} // namespace mandate::testing
