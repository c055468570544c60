// SPDX-License-Identifier: Apache-2.0
#include "HttpProbe.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>

namespace mandate::testing {

QByteArray formEncoded(const QList<QPair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

QByteArray HttpResult::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpResult HttpProbe::send(const QByteArray &method, const QString &path, const QByteArray &body,
                           const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs)
{
    QUrl url = m_base;
    const qsizetype question = path.indexOf(u'?');
    url.setPath(question < 0 ? path : path.left(question));
    if (question >= 0)
        url.setQuery(path.mid(question + 1));
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    HttpResult result;
    if (!reply->isFinished()) {
        reply->abort();
        result.networkError = QStringLiteral("timed out");
    } else {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        for (const auto &pair : reply->rawHeaderPairs())
            result.headers.append(pair);
        if (reply->error() != QNetworkReply::NoError && result.status == 0)
            result.networkError = reply->errorString();
    }
    reply->deleteLater();
    return result;
}

HttpResult HttpProbe::get(const QString &path, const QByteArray &bearer)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer});
    return send("GET", path, {}, headers);
}

HttpResult HttpProbe::postJson(const QString &path, const QByteArray &json, const QByteArray &bearer,
                               const QList<QPair<QByteArray, QByteArray>> &extra)
{
    QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/json"}};
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer});
    headers += extra;
    return send("POST", path, json, headers);
}

qsizetype completeHttpMessageSize(QByteArrayView data)
{
    const qsizetype headEnd = data.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return -1;
    qsizetype length = 0;
    for (const QByteArray &line : data.first(headEnd).toByteArray().split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    }
    const qsizetype size = headEnd + 4 + length;
    return data.size() >= size ? size : -1;
}

int HttpProbe::pointToolAt(const QByteArray &adminKey, const QString &id, const QString &upstream, const QJsonObject &alsoSet)
{
    // /v1/tools/{tool}/… is the firewall; the admin record lives at /v1/tools/{id} exactly.
    const QString path = QStringLiteral("/v1/tools/") + id;
    const HttpResult current = get(path, adminKey);
    if (current.status != 200)
        return current.status;
    QJsonObject tool = current.json();
    tool.insert(QStringLiteral("upstream"), upstream);
    for (auto it = alsoSet.begin(); it != alsoSet.end(); ++it)
        tool.insert(it.key(), it.value());
    return send("PUT", path, QJsonDocument(tool).toJson(),
                {{"Authorization", "Bearer " + adminKey}, {"Content-Type", "application/json"}, {"If-Match", current.header("ETag")}})
        .status;
}

} // namespace mandate::testing
