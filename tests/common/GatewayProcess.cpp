// SPDX-License-Identifier: Apache-2.0
#include "GatewayProcess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace mandate::testing {

GatewayProcess::GatewayProcess(QString executable, QStringList extraArguments)
    : m_executable(std::move(executable)), m_extraArguments(std::move(extraArguments))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

GatewayProcess::~GatewayProcess()
{
    if (m_process.state() != QProcess::NotRunning)
        stop(5000);
}

bool GatewayProcess::start(int timeoutMs)
{
    QStringList arguments{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"), m_dataDir.path()};
    if (m_demo)
        arguments.prepend(QStringLiteral("--demo"));
    arguments += m_extraArguments;
    m_output.clear();
    m_url.clear();
    m_process.start(m_executable, arguments);
    if (!m_process.waitForStarted(timeoutMs)) {
        m_error = QStringLiteral("cannot start %1: %2").arg(m_executable, m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on (https?://\\S+)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (!m_process.waitForReadyRead(static_cast<int>(qMax<qint64>(1, deadline.remainingTime())))) {
            if (m_process.state() == QProcess::NotRunning)
                break;
            continue;
        }
        m_output += m_process.readAll();
        const auto match = listening.match(QString::fromUtf8(m_output));
        if (match.hasMatch()) {
            m_url = QUrl(match.captured(1));
            return true;
        }
    }
    m_output += m_process.readAll();
    m_error = QStringLiteral("mandated did not come up: %1").arg(QString::fromUtf8(m_output));
    return false;
}

int GatewayProcess::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)  // exited by itself, or crashed (exitCode() is then the signal)
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    m_process.terminate();
    if (!m_process.waitForFinished(timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(timeoutMs);
        return -1;
    }
    m_output += m_process.readAll();
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

QByteArray GatewayProcess::key(const QString &role) const
{
    QFile file(QDir(m_dataDir.path()).filePath(role + QStringLiteral(".key")));
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed() : QByteArray();
}

} // namespace mandate::testing
