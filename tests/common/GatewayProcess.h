// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace mandate::testing {

/// A real `mandated` started for a test: demo mode (unless turned off) on an ephemeral
/// loopback port with its own temporary data directory. Stopped (SIGTERM, then SIGKILL) when
/// destroyed.
class GatewayProcess
{
public:
    explicit GatewayProcess(QString executable, QStringList extraArguments = {});
    ~GatewayProcess();

    /// Without demo mode: no demo data, keys or clients; a production gateway's first start.
    void setDemo(bool demo) { m_demo = demo; }
    /// Starts the gateway and waits until it prints its URL. False (with `error()`) on failure.
    bool start(int timeoutMs = 15000);
    /// SIGTERM and wait; returns the exit code, or -1 if it had to be killed.
    int stop(int timeoutMs = 10000);

    QUrl url() const { return m_url; }
    QString dataDir() const { return m_dataDir.path(); }
    QByteArray key(const QString &role) const;  ///< contents of <role>.key
    QString error() const { return m_error; }
    QByteArray output() const { return m_output; }
    QProcess &process() { return m_process; }

private:
    QString m_executable;
    QStringList m_extraArguments;
    QTemporaryDir m_dataDir;
    QProcess m_process;
    QUrl m_url;
    QString m_error;
    QByteArray m_output;
    bool m_demo = true;
};

} // namespace mandate::testing
