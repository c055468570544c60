// SPDX-License-Identifier: Apache-2.0
// What the console's GUI tests share: screenshots for a person to look at, and real traffic
// through a demo gateway from `mandatectl demo traffic`.
#pragma once

#include "GatewayProcess.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTest>
#include <QWidget>

/// Saves `widget` as `directory`/`name`.png once pending paints are done; false when it cannot.
inline bool saveScreenshot(QWidget *widget, const QString &directory, const QString &name)
{
    QCoreApplication::processEvents();
    return widget->grab().save(directory + u'/' + name + QStringLiteral(".png"));
}

/// Runs `mandatectl demo traffic` against `gateway` with `options` (--calls, --rate, ...) and
/// waits for it without blocking the event loop, so that the console receives events meanwhile.
inline bool runDemoTraffic(const QString &mandatectl, const GatewayProcess &gateway, const QStringList &options)
{
    QProcess ctl;
    ctl.start(mandatectl, QStringList{QStringLiteral("demo"), QStringLiteral("traffic"), QStringLiteral("--gateway"),
                                      gateway.baseUrl().toString(), QStringLiteral("--data-dir"), gateway.dataDir()}
                              + options);
    const bool done = QTest::qWaitFor([&ctl] { return ctl.state() == QProcess::NotRunning; }, 60'000);
    if (!done || ctl.exitCode() != 0)
        qWarning() << "mandatectl:" << ctl.readAllStandardError() << ctl.readAllStandardOutput();
    return done && ctl.exitStatus() == QProcess::NormalExit && ctl.exitCode() == 0;
}
