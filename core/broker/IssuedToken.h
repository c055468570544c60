// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Execution.h"

#include <QByteArray>
#include <QJsonArray>

namespace mandate::broker {

/// What a successful token exchange returns: the capability token and the execution it names.
struct IssuedToken
{
    QByteArray accessToken;
    qint64 expiresIn = 0;
    QString scope;
    QJsonArray authorizationDetails;   ///< as granted (RFC 9396 §7)
    identity::Execution execution;
};

} // namespace mandate::broker
