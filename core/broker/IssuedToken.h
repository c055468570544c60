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
    identity::Execution execution;

    /// The authorization details as granted (RFC 9396 §7), for the exchange's response: built
    /// from the execution when a response is written, not as part of minting.
    QJsonArray authorizationDetails() const;
};

} // namespace mandate::broker
