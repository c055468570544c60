// SPDX-License-Identifier: Apache-2.0
#include "api/IfMatch.h"

namespace mandate::api {

std::variant<qint64, HttpResponse> IfMatch::required(const HttpRequest &request, bool allowZero)
{
    const QByteArray value = request.header("if-match").trimmed();
    if (value.isEmpty()) {
        return HttpResponse::problem(428, QStringLiteral("precondition-required"), QStringLiteral("If-Match required"),
                                     QStringLiteral("send the ETag you edited in If-Match so that concurrent edits are not lost"));
    }
    // RFC 9110 §13.1.1: If-Match compares strongly, and a weak tag never matches. The gateway's
    // ETags are all strong, so a weak one is a client's mistake said plainly.
    if (value.startsWith("W/"))
        return HttpResponse::problem(412, QStringLiteral("conflict"), QStringLiteral("Edit conflict"),
                                     QStringLiteral("If-Match compares strong ETags and a weak one (W/\"…\") never matches: "
                                                    "send the ETag as the gateway gave it, such as \"3\""));
    // One tag, written as the gateway writes its ETags: a strong comparison is of the exact text,
    // so "03" or "+3" is not "3". ("*" and lists name no one version to write over: refused.)
    bool ok = false;
    const QByteArray tag = value.size() > 2 && value.startsWith('"') && value.endsWith('"') ? value.mid(1, value.size() - 2) : QByteArray();
    const qint64 version = tag.toLongLong(&ok);
    if (!ok || version < (allowZero ? 0 : 1) || tag != QByteArray::number(version))
        return HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Bad If-Match"),
                                     QStringLiteral("If-Match must be the one ETag the record was read with, such as \"3\""));
    return version;
}

} // namespace mandate::api
