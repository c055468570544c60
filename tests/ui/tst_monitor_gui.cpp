// SPDX-License-Identifier: Apache-2.0
// Drives the live monitor in the real main window against a real `mandated --demo` started by the
// test, with real traffic from `mandatectl demo traffic`: the charts gain points, the table lists
// the active executions, Revoke takes an execution and its descendants out, and the monitor says
// so when the gateway goes away. Screenshots land in the build folder for a person to look at.
#include "ConsoleTestSupport.h"
#include "GatewayProcess.h"

#include "ConsoleSettings.h"
#include "ExecutionTableModel.h"
#include "GatewaySession.h"
#include "KeyVault.h"
#include "MainWindow.h"
#include "Translations.h"
#include "MonitorView.h"
#include "Theme.h"

#include <QApplication>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace mandate;
using namespace mandate::ui;

namespace {

double seriesSum(QChartView *view, int index)
{
    const auto series = view->chart()->series();
    auto *line = qobject_cast<QLineSeries *>(series.value(index));
    double sum = 0;
    if (line) {
        for (const QPointF &point : line->points())
            sum += point.y();
    }
    return sum;
}

} // namespace

class tst_MonitorGui final : public QObject
{
    Q_OBJECT

private:
    GatewayProcess m_gateway;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<KeyVault> m_vault;
    std::unique_ptr<MainWindow> m_window;

    void screenshot(QWidget *widget, const QString &name)
    {
        QVERIFY2(saveScreenshot(widget, QStringLiteral(MANDATE_SCREENSHOT_DIR), name), qPrintable(name));
    }

    bool runTraffic(int calls)
    {
        return runDemoTraffic(QStringLiteral(MANDATECTL), m_gateway, {QStringLiteral("--calls"), QString::number(calls), QStringLiteral("--rate"), QStringLiteral("100")});
    }

    MonitorView *monitor() const { return m_window->findChild<MonitorView *>(QStringLiteral("monitorView")); }
    QTableView *table() const { return m_window->findChild<QTableView *>(QStringLiteral("executionTable")); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QVERIFY(QDir().mkpath(QStringLiteral(MANDATE_SCREENSHOT_DIR)));
        installTranslators(*QCoreApplication::instance());  // as the console does: "1 call", "2 calls"
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.errorString()));
        Theme::initialize(*qApp);
        m_settings = std::make_unique<ConsoleSettings>(m_settingsDir.filePath(QStringLiteral("console.ini")));
        m_vault = std::make_unique<KeyVault>(KeyVault::Mode::SessionOnly);
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_gateway.stop();
    }

    void showsLiveTrafficAndExecutions()
    {
        m_window = std::make_unique<MainWindow>(*m_settings, *m_vault);
        m_window->resize(1400, 860);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("admin")));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->state() == GatewaySession::State::Connected, 20'000);
        m_window->showView(MainWindow::Monitor);
        MonitorView *view = monitor();
        QVERIFY(view);
        QVERIFY(view->isVisible());
        // The charts' figures are checked in feedsChartsAndReconnects(), against a local server
        // speaking the same protocol whose every decision is known; the real stream is in the
        // tests at the end.
        QVERIFY(runTraffic(50));
        view->refreshExecutions();

        QTRY_VERIFY_WITH_TIMEOUT(view->executionModel()->rowCount() >= 2, 10'000);
        QVERIFY(table()->model()->rowCount() >= 2);
    }

    void leavingTheGatewayClearsWhatWasShown()
    {
        // What is on screen belongs to the gateway being left: its executions, its charts and
        // its event stream go with it.
        MonitorView *view = monitor();
        auto *rate = view->findChild<QChartView *>(QStringLiteral("rateChart"));
        QVERIFY(rate);
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Open, 10'000);
        client::DecisionEvent decision;
        decision.allowed = true;
        decision.execution = QStringLiteral("exe");
        decision.latencyUs = 900;
        decision.risk = 3;
        decision.time = QDateTime::currentDateTimeUtc();
        view->recordDecision(decision);
        QTRY_VERIFY(seriesSum(rate, 0) > 0);  // the charts redraw on a timer
        QVERIFY(view->executionModel()->rowCount() >= 2);

        m_window->session()->disconnectFromGateway();
        QCOMPARE(view->executionModel()->rowCount(), 0);
        QCOMPARE(view->stream()->state(), client::EventStream::State::Closed);
        QTRY_COMPARE(seriesSum(rate, 0) + seriesSum(rate, 1), 0.0);

        // Back, for the tests that follow.
        m_window->connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("admin")));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->state() == GatewaySession::State::Connected, 20'000);
        QTRY_VERIFY_WITH_TIMEOUT(view->executionModel()->rowCount() >= 2, 10'000);
    }

    void feedsChartsAndReconnects()
    {
        MonitorView *view = monitor();
        QWebSocketServer events(QStringLiteral("fake events"), QWebSocketServer::NonSecureMode);
        QVERIFY(events.listen(QHostAddress::LocalHost));
        const quint16 port = events.serverPort();
        QList<QWebSocket *> clients;
        QByteArray authorization;
        const auto acceptAll = [&] {
            while (QWebSocket *socket = events.nextPendingConnection()) {
                authorization = socket->request().rawHeader("Authorization");
                socket->sendTextMessage(QStringLiteral(R"({"type":"hello","role":"admin"})"));
                clients.append(socket);
            }
        };
        connect(&events, &QWebSocketServer::newConnection, this, acceptAll);
        view->stream()->open(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), m_gateway.key(QStringLiteral("admin")));
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Open, 10'000);
        QTRY_VERIFY(!clients.isEmpty());
        QCOMPARE(authorization, "Bearer " + m_gateway.key(QStringLiteral("admin")));
        QCOMPARE(view->stream()->role(), QStringLiteral("admin"));
        QTRY_VERIFY(view->findChild<QLabel *>(QStringLiteral("streamStatus"))->text().contains(QStringLiteral("Live")));

        // The real gateway's decisions (the earlier test's traffic) are gone with the switch.
        view->clearCharts();
        const double totalBefore = 0;
        const double deniedBefore = 0;
        for (int i = 0; i < 60; ++i) {
            const QString message = QStringLiteral(R"({"type":"decision","decision":"%1","decision_id":"d%2","execution":"exe","agent":"support-agent","action":"ticket:read","tool":"crm","step":1,"latency_us":%3,"risk":%4,"time":"2026-01-01T00:00:00Z"})")
                                        .arg(i % 5 == 0 ? QStringLiteral("deny") : QStringLiteral("allow")).arg(i).arg(800 + i * 40).arg(i);
            clients.first()->sendTextMessage(message);
        }
        clients.first()->sendTextMessage(QStringLiteral("not json"));  // skipped, the stream goes on
        auto *rate = view->findChild<QChartView *>(QStringLiteral("rateChart"));
        auto *latency = view->findChild<QChartView *>(QStringLiteral("latencyChart"));
        auto *risk = view->findChild<QChartView *>(QStringLiteral("riskChart"));
        QVERIFY(rate && latency && risk);
        QCOMPARE(rate->chart()->series().size(), 2);
        auto *allowed = qobject_cast<QLineSeries *>(rate->chart()->series().first());
        // One point per second of the window, preallocated; the decisions show in them.
        QCOMPARE(allowed->count(), view->windowSeconds() + 1);
        QTRY_COMPARE_WITH_TIMEOUT(seriesSum(rate, 0) + seriesSum(rate, 1), totalBefore + 60.0, 5'000);
        QCOMPARE(seriesSum(rate, 1), deniedBefore + 12.0);
        QTRY_VERIFY(seriesSum(latency, 1) > 0);
        QTRY_VERIFY(seriesSum(risk, 0) > 0);
        screenshot(m_window.get(), QStringLiteral("monitor-live"));

        auto *window = view->findChild<QComboBox *>(QStringLiteral("monitorWindow"));
        window->setCurrentIndex(1);
        QTRY_COMPARE(allowed->count(), 301);
        window->setCurrentIndex(0);

        // The server goes away: the monitor says so, and comes back by itself when it returns.
        events.close();
        for (QWebSocket *socket : std::as_const(clients))
            socket->abort();
        clients.clear();
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Reconnecting, 10'000);
        QTRY_VERIFY(view->findChild<QLabel *>(QStringLiteral("streamStatus"))->text().contains(QStringLiteral("reconnecting")));
        screenshot(m_window.get(), QStringLiteral("monitor-reconnecting"));
        QVERIFY(events.listen(QHostAddress::LocalHost, port));
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Open, 15'000);
        QTRY_VERIFY(view->findChild<QLabel *>(QStringLiteral("streamStatus"))->text().contains(QStringLiteral("Live")));
        view->stream()->close();
    }

    void filtersTheTable()
    {
        MonitorView *view = monitor();
        QTableView *executions = table();
        const int all = executions->model()->rowCount();
        auto *filter = view->findChild<QLineEdit *>(QStringLiteral("executionFilter"));
        QTest::keyClicks(filter, QStringLiteral("refund-subagent"));
        QTRY_VERIFY(executions->model()->rowCount() < all);
        for (int row = 0; row < executions->model()->rowCount(); ++row)
            QCOMPARE(executions->model()->index(row, ExecutionTableModel::Agent).data().toString(), QStringLiteral("refund-subagent"));
        filter->clear();
        QCOMPARE(executions->model()->rowCount(), all);
    }

    void revokesWithDescendants()
    {
        MonitorView *view = monitor();
        QTableView *executions = table();
        ExecutionTableModel *model = view->executionModel();
        // Pick an execution that delegated to another one still active.
        QString parentId;
        for (int row = 0; row < model->rowCount() && parentId.isEmpty(); ++row) {
            const QString candidate = model->execution(row).parent;
            if (!candidate.isEmpty() && model->rowOf(candidate) >= 0)
                parentId = candidate;
        }
        QVERIFY2(!parentId.isEmpty(), "no active execution with an active child");
        QStringList children;
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->execution(row).parent == parentId)
                children.append(model->execution(row).id);
        }
        for (int row = 0; row < executions->model()->rowCount(); ++row) {
            if (executions->model()->index(row, 0).data(ExecutionTableModel::IdRole).toString() == parentId)
                executions->selectRow(row);
        }
        auto *revoke = view->findChild<QPushButton *>(QStringLiteral("revokeButton"));
        QVERIFY(revoke->isEnabled());
        QTest::mouseClick(revoke, Qt::LeftButton);
        QMessageBox *confirm = nullptr;
        QTRY_VERIFY((confirm = view->findChild<QMessageBox *>(QStringLiteral("revokeConfirm"))) && confirm->isVisible());
        QVERIFY(confirm->text().contains(parentId));
        screenshot(confirm, QStringLiteral("monitor-revoke-confirm"));
        QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);

        auto *status = view->findChild<QLabel *>(QStringLiteral("monitorActionStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().startsWith(QStringLiteral("Revoked")), 10'000);
        for (const QString &child : std::as_const(children))
            QVERIFY2(status->text().contains(child), qPrintable(status->text()));
        screenshot(m_window.get(), QStringLiteral("monitor-revoking"));
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf(parentId) < 0, 10'000);
        for (const QString &child : std::as_const(children))
            QCOMPARE(model->rowOf(child), -1);
        // And the gateway agrees: a refresh does not bring them back.
        view->refreshExecutions();
        QTest::qWait(500);
        QCOMPARE(model->rowOf(parentId), -1);
        screenshot(m_window.get(), QStringLiteral("monitor-revoked"));
    }

    void revokeNeedsAdmin()
    {
        MainWindow window(*m_settings, *m_vault);
        window.resize(1400, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("auditor")));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->state() == GatewaySession::State::Connected, 20'000);
        window.showView(MainWindow::Monitor);
        auto *view = window.findChild<MonitorView *>(QStringLiteral("monitorView"));
        QTRY_VERIFY_WITH_TIMEOUT(view->executionModel()->rowCount() > 0, 10'000);
        window.findChild<QTableView *>(QStringLiteral("executionTable"))->selectRow(0);
        auto *revoke = view->findChild<QPushButton *>(QStringLiteral("revokeButton"));
        QVERIFY(!revoke->isEnabled());
        QVERIFY(revoke->toolTip().contains(QStringLiteral("admin")));
    }

    void reconnectsAfterTheGatewayRestarts()
    {
        // The real gateway goes down and comes back on the same address: the monitor says it
        // lost the stream, reconnects by itself, and decisions flow into the charts again.
        MainWindow window(*m_settings, *m_vault);
        window.resize(1400, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("admin")));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->state() == GatewaySession::State::Connected, 20'000);
        window.showView(MainWindow::Monitor);
        auto *view = window.findChild<MonitorView *>(QStringLiteral("monitorView"));
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Open, 10'000);

        QVERIFY2(m_gateway.restart(), qPrintable(m_gateway.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(view->stream()->state() != client::EventStream::State::Open
                                     || view->findChild<QLabel *>(QStringLiteral("streamStatus"))->text().contains(QStringLiteral("reconnecting")),
                                 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Open, 20'000);
        QTRY_VERIFY(view->findChild<QLabel *>(QStringLiteral("streamStatus"))->text().contains(QStringLiteral("Live")));

        view->clearCharts();
        QVERIFY(runTraffic(5));
        auto *rate = view->findChild<QChartView *>(QStringLiteral("rateChart"));
        QTRY_VERIFY_WITH_TIMEOUT(seriesSum(rate, 0) + seriesSum(rate, 1) > 0, 10'000);
        screenshot(&window, QStringLiteral("monitor-after-restart"));
    }

    void stopsRetryingWhenItsKeyIsRevoked()
    {
        // The key is made and revoked with mandatectl while the monitor watches: the gateway
        // closes the stream (1008), and the monitor says why instead of retrying a dead key.
        const QJsonObject created = apiKeys({QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("monitor on a wall"),
                                             QStringLiteral("--role"), QStringLiteral("auditor")});
        const QByteArray key = created.value(QStringLiteral("key")).toString().toLatin1();
        QVERIFY2(key.startsWith("mdk_"), QJsonDocument(created).toJson().constData());
        MainWindow window(*m_settings, *m_vault);
        window.resize(1400, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, key);
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->state() == GatewaySession::State::Connected, 20'000);
        window.showView(MainWindow::Monitor);
        auto *view = window.findChild<MonitorView *>(QStringLiteral("monitorView"));
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Open, 10'000);

        const QJsonObject revoked = apiKeys({QStringLiteral("revoke"), created.value(QStringLiteral("id")).toString()});
        QVERIFY2(revoked.value(QStringLiteral("revoked")).toBool(), QJsonDocument(revoked).toJson().constData());
        QTRY_COMPARE_WITH_TIMEOUT(view->stream()->state(), client::EventStream::State::Refused, 10'000);
        auto *status = view->findChild<QLabel *>(QStringLiteral("streamStatus"));
        QTRY_VERIFY(status->text().contains(QStringLiteral("API key revoked")));
        QTest::qWait(1500);  // longer than the first retry would wait
        QCOMPARE(view->stream()->state(), client::EventStream::State::Refused);
        screenshot(&window, QStringLiteral("monitor-key-revoked"));
    }

private:
    /// `mandatectl api-keys ARGS --json` as the demo admin; the answer, or an empty object.
    QJsonObject apiKeys(const QStringList &arguments)
    {
        QProcess ctl;
        ctl.start(QStringLiteral(MANDATECTL), QStringList{QStringLiteral("api-keys")} + arguments
                      + QStringList{QStringLiteral("--gateway"), m_gateway.baseUrl().toString(), QStringLiteral("--api-key-file"),
                                    QDir(m_gateway.dataDir()).filePath(QStringLiteral("admin.key")), QStringLiteral("--json")});
        if (!ctl.waitForFinished(30'000) || ctl.exitCode() != 0) {
            qWarning().noquote() << "mandatectl api-keys failed:" << ctl.readAllStandardError();
            return {};
        }
        return QJsonDocument::fromJson(ctl.readAllStandardOutput()).object();
    }
};

QTEST_MAIN(tst_MonitorGui)
#include "tst_monitor_gui.moc"
