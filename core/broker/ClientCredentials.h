// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace mandate::broker {

/// An OAuth client's credentials as presented (HTTP Basic or form fields). The client id is the
/// agent id. Never logged.
struct ClientCredentials
{
    QString clientId;
    QByteArray secret;
};

} // namespace mandate::broker
