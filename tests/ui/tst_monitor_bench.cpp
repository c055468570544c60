// SPDX-License-Identifier: Apache-2.0
// Benchmark-style: feeds the live monitor 5,000 synthetic decisions per second for 3 seconds and
// prints how long the event loop was blocked (frame = gap between ticks of a 1 ms timer). It
// asserts nothing about time: the figures are for a person (see CONVENTIONS: no timed asserts).
#include "GatewaySession.h"
#include "MonitorView.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace mandate;
using namespace mandate::ui;

class tst_MonitorBench final : public QObject
{
    Q_OBJECT

private slots:
    void fiveThousandEventsPerSecond_data()
    {
        QTest::addColumn<int>("windowIndex");
        QTest::addRow("1 minute window") << 0;
        QTest::addRow("15 minute window") << 2;
    }

    void fiveThousandEventsPerSecond()
    {
        QFETCH(int, windowIndex);
        GatewaySession session;
        MonitorView view(&session);
        view.resize(1400, 860);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.findChild<QComboBox *>(QStringLiteral("monitorWindow"))->setCurrentIndex(windowIndex);

        constexpr int RatePerSecond = 5000;
        constexpr int DurationMs = 3000;
        QElapsedTimer clock;
        clock.start();
        qint64 fed = 0;
        quint32 seed = 12345;
        client::DecisionEvent event;
        event.agent = QStringLiteral("bench-agent");
        event.action = QStringLiteral("ticket:read");
        // Events arrive in small batches, as a socket delivers them; each batch catches up to the target rate.
        QTimer feeder;
        feeder.setInterval(2);
        connect(&feeder, &QTimer::timeout, &view, [&] {
            const qint64 due = clock.elapsed() * RatePerSecond / 1000;
            while (fed < due) {
                seed = seed * 1664525u + 1013904223u;
                event.allowed = (seed >> 8) % 10 != 0;
                event.latencyUs = 200 + static_cast<qint64>((seed >> 4) % 5000);
                event.risk = static_cast<double>((seed >> 12) % 100);
                view.recordDecision(event);
                ++fed;
            }
        });
        std::vector<qint64> frames;
        frames.reserve(10'000);
        QElapsedTimer frame;
        QTimer probe;
        probe.setInterval(1);
        probe.setTimerType(Qt::PreciseTimer);
        connect(&probe, &QTimer::timeout, &view, [&] {
            frames.push_back(frame.nsecsElapsed());
            frame.restart();
        });
        frame.start();
        feeder.start();
        probe.start();
        // A plain event loop: QTest::qWaitFor sleeps between checks, which would hide the real frames.
        QEventLoop loop;
        QTimer::singleShot(DurationMs, &loop, &QEventLoop::quit);
        loop.exec();
        feeder.stop();
        probe.stop();

        QVERIFY(!frames.empty());
        std::sort(frames.begin(), frames.end());
        const double medianMs = static_cast<double>(frames[frames.size() / 2]) / 1e6;
        const double p99Ms = static_cast<double>(frames[frames.size() * 99 / 100]) / 1e6;
        const double maxMs = static_cast<double>(frames.back()) / 1e6;
        qInfo().noquote() << QStringLiteral("monitor at %1 events/s for %2 s (%3): %4 events fed, %5 frames; "
                                            "frame median %6 ms, p99 %7 ms, max %8 ms")
                                 .arg(RatePerSecond).arg(DurationMs / 1000).arg(QString::fromLatin1(QTest::currentDataTag()))
                                 .arg(fed).arg(frames.size())
                                 .arg(medianMs, 0, 'f', 2).arg(p99Ms, 0, 'f', 2).arg(maxMs, 0, 'f', 2);
        QVERIFY(fed >= RatePerSecond * DurationMs / 1000 * 9 / 10);
    }
};

QTEST_MAIN(tst_MonitorBench)
#include "tst_monitor_bench.moc"
