// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

namespace mandate::api {

/// A parsed HTTP request as the API layer sees it, independent of the server library, so
/// that every endpoint can be tested without a socket.
struct HttpRequest
{
    QByteArray method;                               ///< upper case: GET, POST, ...
    QString path;                                    ///< decoded path, no query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;    ///< names lower case
    QByteArray body;

    /// First value of header `name` (case-insensitive), empty if absent.
    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &header : headers) {
            if (header.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    /// Whether Authorization uses the Bearer scheme, whose name is case-insensitive (RFC 7235
    /// §2.1, RFC 6750 §2.1); `credential` receives the token, trimmed.
    bool bearer(QByteArray *credential) const
    {
        const QByteArray authorization = header("authorization");
        if (authorization.size() < 7 || authorization.left(7).compare("bearer ", Qt::CaseInsensitive) != 0)
            return false;
        *credential = authorization.mid(7).trimmed();
        return true;
    }
};

} // namespace mandate::api
