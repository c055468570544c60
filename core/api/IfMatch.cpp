// SPDX-License-Identifier: Apache-2.0
#include "api/IfMatch.h"

namespace mandate::api {

std::variant<qint64, HttpResponse> IfMatch::required(const HttpRequest &request, bool allowZero)
{
    QByteArray value = request.header("if-match").trimmed();
    if (value.isEmpty()) {
        return HttpResponse::problem(428, QStringLiteral("precondition-required"), QStringLiteral("If-Match required"),
                                     QStringLiteral("send the ETag you edited in If-Match so that concurrent edits are not lost"));
    }
    if (value.startsWith("W/"))
        value = value.mid(2);
    bool ok = false;
    const qint64 version = value.size() > 2 && value.startsWith('"') && value.endsWith('"') ? value.mid(1, value.size() - 2).toLongLong(&ok) : 0;
    if (!ok || version < (allowZero ? 0 : 1))
        return HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Bad If-Match"),
                                     QStringLiteral("If-Match must be an ETag such as \"3\""));
    return version;
}

} // namespace mandate::api
