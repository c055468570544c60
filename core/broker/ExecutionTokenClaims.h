// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Execution.h"

#include <QByteArray>
#include <QString>

namespace mandate::broker {

/// The claims of an execution token (RFC 9068 access token with RFC 8693 act and RFC 9396
/// agent_execution authorization details, see DESIGN.md "Capability tokens") for a newly minted
/// execution, as the compact JSON that is signed. Written member by member: building the
/// QJsonObject first cost more than everything else in a mint but the signature.
struct ExecutionTokenClaims
{
    const QString &issuer;
    const QString &audience;
    qint64 issuedAt = 0;   ///< iat and nbf
    qint64 expiresAt = 0;  ///< exp
    const QString &jti;
    const identity::Execution &execution;  ///< sub, act, client_id, the details
    const QString &scope;                  ///< the granted actions, space-separated

    QByteArray toJson() const;
};

} // namespace mandate::broker
