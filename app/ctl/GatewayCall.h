// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QUrl>

namespace mandate::ctl {

/// The admin API key for --gateway commands: the file's content, or MANDATE_API_KEY.
Result<QByteArray> apiKey(const QString &keyFile);

/// Checks that `text` is an http(s) URL, for --gateway.
Result<QUrl> gatewayUrl(const QString &text);

/// One admin API call answered with a JSON object. A problem answer (a status other than 2xx)
/// becomes an Error with the problem's detail and its per-field errors.
Result<QJsonObject> callGateway(const QUrl &gateway, const QByteArray &method, const QString &path, const QByteArray &key,
                                const QByteArray &jsonBody = {}, int timeoutMs = 30'000);

} // namespace mandate::ctl
