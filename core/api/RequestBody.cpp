// SPDX-License-Identifier: Apache-2.0
#include "api/RequestBody.h"

#include "json/JsonReader.h"

namespace mandate::api {

Result<QJsonObject> RequestBody::jsonObject(const HttpRequest &request)
{
    const QByteArray contentType = request.header("content-type").split(';').first().trimmed().toLower();
    if (contentType != "application/json")
        return Error{QStringLiteral("bad_request"), QStringLiteral("expected Content-Type application/json, got \"%1\"")
                                                        .arg(QString::fromLatin1(contentType))};
    json::Limits limits;
    limits.maxBytes = MaxBytes;
    limits.maxStringBytes = MaxBytes;
    Result<QJsonValue> parsed = json::parse(request.body, limits);
    if (!parsed) {
        Error error = parsed.error();
        error.message = QStringLiteral("request body: ") + error.message;
        return error;
    }
    if (!parsed->isObject())
        return Error{QStringLiteral("bad_request"), QStringLiteral("request body must be a JSON object")};
    return parsed->toObject();
}

} // namespace mandate::api
