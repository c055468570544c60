// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

/// The real `mandated --demo`, started on a free loopback port with a throw-away data directory,
/// and stopped when this object goes away. Tests talk to it over HTTP like the console does.
class GatewayProcess final
{
public:
    GatewayProcess();
    ~GatewayProcess();
    GatewayProcess(const GatewayProcess &) = delete;
    GatewayProcess &operator=(const GatewayProcess &) = delete;

    /// Starts it and waits until it listens; false (with errorString()) when it did not.
    bool start();
    void stop();
    /// Stops it and starts it again on the same address with the same data (a gateway restart).
    bool restart();
    QUrl baseUrl() const { return m_baseUrl; }
    QString dataDir() const { return m_dir.path(); }
    /// The demo API key of a role: "admin", "auditor", "analyst".
    QByteArray key(const QString &role) const;
    QString keyFile(const QString &role) const;
    QString errorString() const { return m_error; }

private:
    bool startOn(const QString &address);

    QTemporaryDir m_dir;
    QProcess m_process;
    QUrl m_baseUrl;
    QString m_error;
};
