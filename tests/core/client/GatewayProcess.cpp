// SPDX-License-Identifier: Apache-2.0
#include "GatewayProcess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

GatewayProcess::GatewayProcess() = default;

GatewayProcess::~GatewayProcess()
{
    stop();
}

bool GatewayProcess::restart()
{
    const QString address = QStringLiteral("127.0.0.1:%1").arg(m_baseUrl.port());
    stop();
    return startOn(address);
}

bool GatewayProcess::start()
{
    return startOn(QStringLiteral("127.0.0.1:0"));
}

bool GatewayProcess::startOn(const QString &address)
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    // Port 0: the kernel picks a free port and mandated prints the URL it listens on, so two
    // suites running in parallel never race for the same port.
    m_process.setProgram(QStringLiteral(MANDATED_PATH));
    m_process.setArguments({QStringLiteral("--demo"), QStringLiteral("--listen"), address,
                            QStringLiteral("--data-dir"), m_dir.path()});
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
#ifdef Q_OS_LINUX
    // If the test crashes, its gateway goes with it instead of lingering.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    m_process.start();
    if (!m_process.waitForStarted(10'000)) {
        m_error = QStringLiteral("cannot start %1: %2").arg(QStringLiteral(MANDATED_PATH), m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on (http\\S+)"));
    QByteArray output;
    QDeadlineTimer deadline(20'000);
    while (!deadline.hasExpired()) {
        m_process.waitForReadyRead(200);
        output += m_process.readAllStandardOutput();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(output));
        if (match.hasMatch()) {
            m_baseUrl = QUrl(match.captured(1));
            return true;
        }
        if (m_process.state() == QProcess::NotRunning)
            break;
    }
    m_error = QStringLiteral("mandated did not start: %1 %2")
                  .arg(QString::fromUtf8(output), QString::fromUtf8(m_process.readAllStandardError()));
    return false;
}

void GatewayProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5'000)) {
        m_process.kill();
        m_process.waitForFinished(2'000);
    }
}

QString GatewayProcess::keyFile(const QString &role) const
{
    return QDir(m_dir.path()).filePath(role + QStringLiteral(".key"));
}

QByteArray GatewayProcess::key(const QString &role) const
{
    QFile file(keyFile(role));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().trimmed();
}
