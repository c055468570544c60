// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "broker/ClientCredentials.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace mandate::broker {

/// The parameters of an RFC 8693 token exchange request, as received (not yet validated).
struct ExchangeRequest
{
    static constexpr const char *kGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    static constexpr const char *kIdTokenType = "urn:ietf:params:oauth:token-type:id_token";
    static constexpr const char *kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    static constexpr const char *kJwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

    ClientCredentials client;
    QString grantType;
    QByteArray subjectToken;
    QString subjectTokenType;
    QString requestedTokenType;
    QByteArray actorToken;
    QString scope;                 ///< space-separated actions
    QString authorizationDetails;  ///< RFC 9396 JSON array, as sent
    QStringList audiences;
    QStringList resources;
};

} // namespace mandate::broker
