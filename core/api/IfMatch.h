// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/HttpRequest.h"
#include "api/HttpResponse.h"

#include <variant>

namespace mandate::api {

/// Versions as entity tags: ETag "\"3\"" names version 3; writes must send it back in If-Match.
class IfMatch
{
public:
    static QByteArray etag(qint64 version) { return '"' + QByteArray::number(version) + '"'; }
    /// The version named by If-Match, or the 428 (missing) / 400 (malformed) response to send.
    /// `allowZero` accepts "\"0\"" (publishing the first version of something that has none).
    static std::variant<qint64, HttpResponse> required(const HttpRequest &request, bool allowZero = false);
};

} // namespace mandate::api
