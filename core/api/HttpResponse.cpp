// SPDX-License-Identifier: Apache-2.0
#include "api/HttpResponse.h"

#include <QJsonDocument>

namespace mandate::api {

HttpResponse &HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            header.second = value;
            return *this;
        }
    }
    headers.append({name, value});
    return *this;
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    response.setHeader("Content-Type", "application/json");
    return response;
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    response.setHeader("Content-Type", "application/json");
    return response;
}

HttpResponse HttpResponse::text(const QByteArray &body, const QByteArray &contentType, int status)
{
    HttpResponse response;
    response.status = status;
    response.body = body;
    response.setHeader("Content-Type", contentType);
    return response;
}

HttpResponse HttpResponse::noContent()
{
    HttpResponse response;
    response.status = 204;
    return response;
}

HttpResponse HttpResponse::problem(int status, const QString &type, const QString &title,
                                   const QString &detail, const QJsonObject &extra)
{
    QJsonObject body = extra;
    body.insert(QStringLiteral("type"), QString(QStringLiteral("urn:mandate:problem:") + type));
    body.insert(QStringLiteral("title"), title);
    body.insert(QStringLiteral("status"), status);
    if (!detail.isEmpty())
        body.insert(QStringLiteral("detail"), detail);
    HttpResponse response = json(body, status);
    response.setHeader("Content-Type", "application/problem+json");
    return response;
}

HttpResponse HttpResponse::fromError(const Error &error, const QJsonObject &extraMembers)
{
    struct Mapping { const char *code; int status; const char *title; };
    static const Mapping mappings[] = {
        {"invalid", 422, "Invalid input"},
        {"json", 400, "Malformed JSON"},
        {"bad_request", 400, "Bad request"},
        {"not_found", 404, "Not found"},
        {"exists", 409, "Already exists"},
        {"in_use", 409, "Still in use"},
        {"conflict", 412, "Edit conflict"},
        {"unauthorized", 401, "Authentication required"},
        {"forbidden", 403, "Forbidden"},
        {"store_locked", 503, "Store unavailable"},
        {"store_corrupt", 503, "Store unavailable"},
        {"store_error", 503, "Store unavailable"},
    };
    int status = 500;
    QString title = QStringLiteral("Internal error");
    for (const Mapping &mapping : mappings) {
        if (error.code == QLatin1String(mapping.code)) {
            status = mapping.status;
            title = QLatin1String(mapping.title);
            break;
        }
    }
    QJsonObject extra = extraMembers;
    if (!error.details.empty()) {
        QJsonArray errors;
        for (const Error &detail : error.details)
            errors.append(QJsonObject{{QStringLiteral("path"), detail.path}, {QStringLiteral("message"), detail.message}});
        extra.insert(QStringLiteral("errors"), errors);
    }
    if (!error.path.isEmpty())
        extra.insert(QStringLiteral("path"), error.path);
    QString type = error.code;
    type.replace(u'_', u'-');
    return problem(status, type, title, error.message, extra);
}

} // namespace mandate::api
