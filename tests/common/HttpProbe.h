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

/// The size of the whole HTTP/1.1 message at the start of `data` (its head, then a body of its
/// Content-Length), or -1 while part of it is still to come. For raw servers and clients.
qsizetype completeHttpMessageSize(QByteArrayView data);

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

    /// Points the registry's tool `id` at `upstream` through the admin API (read, then write
    /// with If-Match), setting the members of `alsoSet` too: the write's status, 200 when it
    /// took, or the read's when that failed.
    int pointToolAt(const QByteArray &adminKey, const QString &id, const QString &upstream, const QJsonObject &alsoSet = {});

private:
    QUrl m_base;
    QNetworkAccessManager m_network;
};

} // namespace mandate::testing
