// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>

namespace mandate::testing {

/// Gives `server` the test CA's server certificate (127.0.0.1 / localhost) from `fixtures`
/// (tests/core/client/tls); false when the files cannot be read.
inline bool useTestServerCertificate(QSslServer &server, const QString &fixtures)
{
    QFile certFile(fixtures + QStringLiteral("/server.pem"));
    QFile keyFile(fixtures + QStringLiteral("/server.key"));
    if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
        return false;
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(QSslCertificate(certFile.readAll(), QSsl::Pem));
    tls.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec, QSsl::Pem));
    server.setSslConfiguration(tls);
    return true;
}

} // namespace mandate::testing
