// SPDX-License-Identifier: Apache-2.0
#include "GatewayCall.h"

#include "json/JsonReader.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace mandate::ctl {

Result<QByteArray> apiKey(const QString &keyFile)
{
    if (keyFile.isEmpty()) {
        const QByteArray key = qgetenv("MANDATE_API_KEY").trimmed();
        if (key.isEmpty())
            return Error{QStringLiteral("usage"), QStringLiteral("--gateway needs --api-key-file F or MANDATE_API_KEY")};
        return key;
    }
    QFile file(keyFile);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(keyFile, file.errorString())};
    const QByteArray key = file.readAll().trimmed();
    if (key.isEmpty())
        return Error{QStringLiteral("usage"), QStringLiteral("%1 is empty: it should hold an API key").arg(keyFile)};
    return key;
}

Result<QUrl> gatewayUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) || url.host().isEmpty())
        return Error{QStringLiteral("usage"), QStringLiteral("--gateway must be an http(s) URL")};
    // Credentials in the URL would be sent nowhere and printed in errors: the key has its own option.
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
        return Error{QStringLiteral("usage"), QStringLiteral("--gateway takes no user, password, query or fragment: the API key "
                                                             "goes in --api-key-file F or MANDATE_API_KEY")};
    return url;
}

Result<QJsonObject> callGateway(const QUrl &gateway, const QByteArray &method, const QString &path, const QByteArray &key,
                                const QByteArray &jsonBody, int timeoutMs)
{
    QUrl url = gateway;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + path);
    QNetworkRequest http(url);
    if (!jsonBody.isEmpty())
        http.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    http.setRawHeader("Authorization", "Bearer " + key);
    http.setTransferTimeout(timeoutMs);
    // The API key goes to this gateway only: a redirect is an answer, not a hop.
    http.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkAccessManager network;
    QNetworkReply *reply = network.sendCustomRequest(http, method, jsonBody);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray text = reply->readAll();
    const QString networkError = reply->errorString();
    delete reply;
    if (status == 0)
        return Error{QStringLiteral("unavailable"), QStringLiteral("cannot reach %1: %2")
                                                        .arg(url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment), networkError)};
    json::Limits limits;
    limits.maxBytes = 256 << 20;
    Result<QJsonObject> answer = json::parseObject(text, limits);
    if (!answer)
        return Error{QStringLiteral("invalid"), QStringLiteral("the gateway answered %1 with no JSON object").arg(status)};
    if (status < 200 || status > 299) {
        Error error{QStringLiteral("gateway"), QStringLiteral("the gateway answered %1: %2").arg(status).arg(
                                                   answer->value(QStringLiteral("detail")).toString(answer->value(QStringLiteral("title")).toString()))};
        for (const QJsonValue &detail : answer->value(QStringLiteral("errors")).toArray())
            error.details.push_back(Error{QString(), detail[QStringLiteral("message")].toString(), detail[QStringLiteral("path")].toString()});
        return error;
    }
    return answer;
}

} // namespace mandate::ctl
