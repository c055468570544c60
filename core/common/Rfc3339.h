// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QString>

namespace mandate {

/// An RFC 3339 time ("2027-01-15T08:00:00Z", "…T09:00:00.250+01:00"), or an invalid QDateTime.
/// The offset is required: Qt reads a time without one as local time, which would move a
/// query's window by the time zone of whichever process parsed it.
QDateTime parseRfc3339(const QString &text);

} // namespace mandate
