// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QUrl>

namespace mandate::testing {

/// What came back from one HTTP exchange in a test.
struct HttpResult
{
    int status = 0;          ///< 0 when no HTTP response arrived
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    QString networkError;

    QByteArray header(const QByteArray &name) const;
    QJsonObject json() const;
};

/// `fields` as an application/x-www-form-urlencoded body (an OAuth token request's form).
QByteArray formEncoded(const QList<QPair<QString, QString>> &fields);

/// Synchronous HTTP for tests (a local event loop per request, with a timeout).
class HttpProbe
{
public:
    explicit HttpProbe(QUrl base) : m_base(std::move(base)) {}

    HttpResult send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                    const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 10000);
    HttpResult get(const QString &path, const QByteArray &bearer = {});
    HttpResult postJson(const QString &path, const QByteArray &json, const QByteArray &bearer = {},
                        const QList<QPair<QByteArray, QByteArray>> &extra = {});

private:
    QUrl m_base;
    QNetworkAccessManager m_network;
};

} // namespace mandate::testing
