// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QDateTime>

namespace mandate {

/// How long an HTTP Retry-After field (RFC 9110 §10.2.3) asks to wait, in seconds from `now`:
/// delay-seconds, or an HTTP-date in any of its three formats (which a recipient must accept).
/// 0 when absent, unreadable or in the past; a delay too large to hold is the longest wait.
int retryAfterSecs(QByteArrayView value, const QDateTime &now);

} // namespace mandate
