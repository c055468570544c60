// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace mandate::client {

/// Why a request to the gateway failed, typed so that callers can react to each case
/// (retry a network error, re-authenticate a 401, show both sides of a 412, mark fields on a 422).
struct ClientError
{
    enum class Kind {
        Network,              ///< unreachable, refused, reset, DNS
        Timeout,              ///< no answer within the request timeout
        Tls,                  ///< handshake or certificate verification failed
        Unauthorized,         ///< 401: missing, unknown or expired API key
        Forbidden,            ///< 403: the key's role may not do this
        NotFound,             ///< 404
        AlreadyExists,        ///< 409: id taken or record still referenced
        Conflict,             ///< 412: the record changed on the gateway; `current` holds it
        PreconditionRequired, ///< 428: If-Match missing (a client bug)
        Invalid,              ///< 422: validation failed; `fieldErrors` says where
        BadRequest,           ///< other 4xx
        Server,               ///< 5xx
        Protocol,             ///< the gateway answered something this client cannot read
        Cancelled,            ///< the caller cancelled
    };

    Kind kind = Kind::Network;
    int httpStatus = 0;
    QString title;                  ///< problem+json title, or the transport's error
    QString detail;                 ///< problem+json detail
    std::vector<Error> fieldErrors; ///< problem+json "errors": [{path, message}]
    qint64 currentVersion = 0;      ///< on Conflict: the version on the gateway
    QJsonObject current;            ///< on Conflict: the record on the gateway

    static ClientError fromHttp(int status, const QJsonObject &problem);
    /// An answer that does not have the shape the API promises; `detail` says what is wrong.
    static ClientError protocol(const QString &detail);
    static QString kindName(Kind kind);

    /// One sentence a person can act on (translated).
    QString message() const;
    /// True for failures where trying again later may help (network, timeout, 5xx).
    bool isTransient() const;
    /// As a core Error (code = kindName, details = fieldErrors).
    Error toError() const;
};

} // namespace mandate::client
