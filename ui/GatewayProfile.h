// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QUrl>

namespace mandate::ui {

/// A gateway the console knows: what is kept in settings. The API key is not here: it lives in
/// the OS keychain (KeyVault), never in plain settings.
struct GatewayProfile
{
    QString name;
    QUrl url;
    QString caCertificateFile; ///< extra CA for TLS; empty = system trust store

    bool operator==(const GatewayProfile &) const = default;
};

} // namespace mandate::ui
