// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace mandate::api {

/// A response produced by the API layer; the HTTP front end writes it out as is.
struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    HttpResponse &setHeader(const QByteArray &name, const QByteArray &value);
    QByteArray header(QByteArrayView name) const;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    static HttpResponse text(const QByteArray &body, const QByteArray &contentType, int status = 200);
    static HttpResponse noContent();

    /// An RFC 9457 problem: `type` is a short slug ("invalid-request") turned into a URN,
    /// `extra` members are added to the body (errors, current version, decision id, ...).
    static HttpResponse problem(int status, const QString &type, const QString &title,
                                const QString &detail, const QJsonObject &extra = {});
    /// Maps an Error's code to its HTTP status and problem type; details become "errors".
    static HttpResponse fromError(const Error &error, const QJsonObject &extra = {});
};

} // namespace mandate::api
