// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/HttpRequest.h"
#include "common/Result.h"

#include <QJsonObject>

namespace mandate::api {

/// Reads an API request body strictly: the content type must be JSON, the document a single
/// object within the size and depth limits, with no duplicate keys.
class RequestBody
{
public:
    static constexpr qsizetype MaxBytes = 4 << 20;
    static Result<QJsonObject> jsonObject(const HttpRequest &request);
};

} // namespace mandate::api
