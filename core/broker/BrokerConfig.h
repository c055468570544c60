// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace mandate::broker {

/// Who the broker is to the tokens it mints and verifies.
struct BrokerConfig
{
    QString issuer;                         ///< "iss" of execution tokens; the RFC 8414 issuer (base URL)
    QString audience = QStringLiteral("mandate"); ///< "aud" of execution tokens and of accepted ID tokens
    qint64 clockSkewSecs = 60;
};

} // namespace mandate::broker
