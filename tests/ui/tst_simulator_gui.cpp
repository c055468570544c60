// SPDX-License-Identifier: Apache-2.0
// Drives the policy simulator in the real main window against a real `mandated --demo` with
// traffic recorded by `mandatectl demo traffic`: loads the live policy set, shows diagnostics,
// removes a permit and replays the recorded decisions (newly denied ones appear in the counts,
// the charts and the table), decides one of them in the what-if, ships the candidate as admin
// and restores the old version. Screenshots land in the build folder for a person to look at.
#include "ConsoleTestSupport.h"
#include "GatewayProcess.h"

#include "CedarEditor.h"
#include "ChangedDecisionModel.h"
#include "ConsoleSettings.h"
#include "GatewaySession.h"
#include "KeyVault.h"
#include "MainWindow.h"
#include "Translations.h"
#include "PolicyVersionsPanel.h"
#include "ReplayPanel.h"
#include "ReplayRunner.h"
#include "ReplayTimelineChart.h"
#include "SimulatorSchema.h"
#include "SimulatorView.h"
#include "Theme.h"
#include "WhatIfPanel.h"

#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QTest>

using namespace mandate;
using namespace mandate::ui;

namespace {

const QString kTicketsPermit = QStringLiteral("@id(\"support-agent-tickets\")");

/// The source without the policy that starts at `annotation` (up to its closing `;`).
QString withoutPolicy(const QString &source, const QString &annotation)
{
    const qsizetype start = source.indexOf(annotation);
    const qsizetype end = source.indexOf(u';', start);
    if (start < 0 || end < 0)
        return source;
    return source.left(start) + source.mid(end + 1);
}

} // namespace

class tst_SimulatorGui final : public QObject
{
    Q_OBJECT

private:
    GatewayProcess m_gateway;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<KeyVault> m_vault;
    std::unique_ptr<MainWindow> m_window;
    QString m_originalSource;
    qint64 m_originalVersion = 0;

    void screenshot(QWidget *widget, const QString &name)
    {
        QVERIFY2(saveScreenshot(widget, QStringLiteral(MANDATE_SCREENSHOT_DIR), name), qPrintable(name));
    }

    bool runTraffic(int calls)
    {
        return runDemoTraffic(QStringLiteral(MANDATECTL), m_gateway, {QStringLiteral("--calls"), QString::number(calls), QStringLiteral("--rate"), QStringLiteral("100")});
    }

    SimulatorView *view() const { return m_window->findChild<SimulatorView *>(QStringLiteral("simulatorView")); }

    /// The gateway's current policy set, asked directly (not through the view).
    client::PolicyVersion gatewayPolicy()
    {
        client::GatewayClient direct;
        direct.setBaseUrl(m_gateway.baseUrl());
        direct.setApiKey(m_gateway.key(QStringLiteral("auditor")));
        std::optional<client::ClientResult<client::PolicyVersion>> answer;
        direct.currentPolicy(this, [&answer](client::ClientResult<client::PolicyVersion> current) { answer = std::move(current); });
        if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10'000) || !*answer)
            return {};
        return answer->value();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QVERIFY(QDir().mkpath(QStringLiteral(MANDATE_SCREENSHOT_DIR)));
        installTranslators(*QCoreApplication::instance());  // as the console does: "1 call", "2 calls"
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.errorString()));
        QVERIFY(runTraffic(120));
        Theme::initialize(*qApp);
        m_settings = std::make_unique<ConsoleSettings>(m_settingsDir.filePath(QStringLiteral("console.ini")));
        m_vault = std::make_unique<KeyVault>(KeyVault::Mode::SessionOnly);
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_gateway.stop();
    }

    void loadsTheLivePolicySet()
    {
        m_window = std::make_unique<MainWindow>(*m_settings, *m_vault);
        m_window->resize(1500, 920);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("admin")));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->state() == GatewaySession::State::Connected, 20'000);
        m_window->showView(MainWindow::Simulator);
        SimulatorView *simulator = view();
        QVERIFY(simulator);
        QVERIFY(simulator->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(simulator->live().version > 0, 10'000);
        m_originalVersion = simulator->live().version;
        m_originalSource = simulator->live().source;
        QCOMPARE(simulator->editor()->toPlainText(), m_originalSource);
        QVERIFY(m_originalSource.contains(kTicketsPermit));
        QVERIFY(simulator->editor()->report().ok());
        QCOMPARE(simulator->editor()->report().policies, 4);
        // Nothing to ship: the candidate is what the gateway serves.
        QVERIFY(!simulator->findChild<QPushButton *>(QStringLiteral("shipButton"))->isEnabled());
    }

    void underlinesParseErrors()
    {
        CedarEditor *editor = view()->editor();
        QTextCursor cursor(editor->document());
        cursor.movePosition(QTextCursor::End);
        editor->setTextCursor(cursor);
        QSignalSpy diagnosed(editor, &CedarEditor::diagnosed);
        for (const QString &line : {QStringLiteral("@id(\"typo\")"), QStringLiteral("permit (principal, action, resource) whne { true };")}) {
            QTest::keyClick(editor->viewport(), Qt::Key_Return);
            QTest::keyClicks(editor->viewport(), line);
        }
        QTRY_VERIFY(!diagnosed.isEmpty() && !editor->report().ok());
        QCOMPARE(editor->extraSelections().size(), 1);
        QCOMPARE(editor->extraSelections().first().cursor.selectedText(), QStringLiteral("whne"));
        auto *label = view()->findChild<QLabel *>(QStringLiteral("policyDiagnostics"));
        QVERIFY2(label->text().contains(QStringLiteral("line")), qPrintable(label->text()));
        screenshot(m_window.get(), QStringLiteral("simulator-diagnostics"));
        editor->setPlainText(m_originalSource);
        editor->diagnoseNow();
        QVERIFY(editor->report().ok());
        QVERIFY(editor->extraSelections().isEmpty());
    }

    void replaysRecordedTrafficUnderTheCandidate()
    {
        SimulatorView *simulator = view();
        simulator->showTab(SimulatorView::ReplayTab);
        const QString candidate = withoutPolicy(m_originalSource, kTicketsPermit);
        QVERIFY(candidate != m_originalSource);
        simulator->editor()->setPlainText(candidate);
        simulator->editor()->diagnoseNow();
        QVERIFY(simulator->editor()->report().ok());
        QCOMPARE(simulator->editor()->report().policies, 3);

        ReplayRunner *runner = simulator->replayPanel()->runner();
        QSignalSpy finished(runner, &ReplayRunner::finished);
        QTest::mouseClick(simulator->findChild<QPushButton *>(QStringLiteral("replayButton")), Qt::LeftButton);
        QVERIFY(runner->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60'000);
        QCOMPARE(finished.first().at(0).toBool(), false);             // not cancelled
        QCOMPARE(finished.first().at(1).toString(), QString());       // no error
        const simulate::ReplaySummary &summary = runner->summary();
        QVERIFY(summary.replayed > 0);
        QVERIFY(summary.overall.newlyDenied > 0);
        QCOMPARE(summary.overall.newlyAllowed, 0);
        QVERIFY(summary.overall.unchanged > 0);  // refunds are still decided as before
        QCOMPARE(summary.byAgent.at(QStringLiteral("support-agent")).newlyDenied, summary.overall.newlyDenied);

        ChangedDecisionModel *changed = simulator->replayPanel()->changedModel();
        QCOMPARE(changed->rowCount(), int(summary.overall.newlyDenied));
        for (int row = 0; row < changed->rowCount(); ++row) {
            QCOMPARE(changed->change(row).change, simulate::Change::NewlyDenied);
            QVERIFY(changed->change(row).recorded.action.startsWith(QStringLiteral("ticket:")));
        }
        QCOMPARE(simulator->replayPanel()->timeline()->newlyDeniedShown(), summary.overall.newlyDenied);
        QVERIFY(simulator->findChild<QLabel *>(QStringLiteral("newlyDeniedCard"))->text().contains(QString::number(summary.overall.newlyDenied)));

        auto *table = simulator->findChild<QTableView *>(QStringLiteral("changedTable"));
        table->selectRow(0);
        QTRY_VERIFY(!simulator->findChild<QWidget *>(QStringLiteral("explanationAfter"))->property("plainText").toString().isEmpty());
        screenshot(m_window.get(), QStringLiteral("simulator-replay"));
    }

    void decidesARecordedRequestInTheWhatIf()
    {
        SimulatorView *simulator = view();
        QTest::mouseClick(simulator->findChild<QPushButton *>(QStringLiteral("whatIfFromChange")), Qt::LeftButton);
        WhatIfPanel *whatIf = simulator->whatIfPanel();
        QTRY_VERIFY(whatIf->isVisible());
        QVERIFY(whatIf->lastOutcome().has_value());
        QVERIFY(!whatIf->lastOutcome()->allowed);
        QVERIFY(whatIf->lastOutcome()->policies.isEmpty());
        auto *explanation = whatIf->findChild<QLabel *>(QStringLiteral("whatIfExplanation"));
        QVERIFY2(explanation->text().contains(QStringLiteral("no permit policy matched")), qPrintable(explanation->text()));
        QVERIFY(whatIf->findChild<QLabel *>(QStringLiteral("whatIfRecordedVerdict"))->text().contains(QStringLiteral("changes")));
        screenshot(m_window.get(), QStringLiteral("simulator-whatif-no-permit"));

        // The same request for account:delete is forbidden by a policy, which reads differently.
        auto *action = whatIf->findChild<QLineEdit *>(QStringLiteral("whatIfAction"));
        action->setText(QStringLiteral("Action::\"account:delete\""));
        QTest::mouseClick(whatIf->findChild<QPushButton *>(QStringLiteral("whatIfDecide")), Qt::LeftButton);
        QVERIFY(whatIf->lastOutcome().has_value());
        QVERIFY(!whatIf->lastOutcome()->allowed);
        QCOMPARE(whatIf->lastOutcome()->policies, QStringList{QStringLiteral("no-account-deletion")});
        QVERIFY2(explanation->text().startsWith(QStringLiteral("Forbidden by no-account-deletion")), qPrintable(explanation->text()));
        screenshot(m_window.get(), QStringLiteral("simulator-whatif-forbidden"));

        // A request that is not one says why.
        action->setText(QStringLiteral("account:delete"));
        QTest::mouseClick(whatIf->findChild<QPushButton *>(QStringLiteral("whatIfDecide")), Qt::LeftButton);
        QVERIFY(!whatIf->lastOutcome().has_value());
        QVERIFY(explanation->text().contains(QStringLiteral("action")));
    }

    void cancelsAReplay()
    {
        ReplayRunner runner;
        runner.setClient(m_window->session()->client());
        QSignalSpy finished(&runner, &ReplayRunner::finished);
        QVERIFY(runner.start(m_originalSource, SimulatorSchema::load().value(), ReplayScope{}));
        runner.cancel();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(0).toBool(), true);
        QVERIFY(!runner.isRunning());
        QTest::qWait(200);  // the page in flight arrives and is ignored
        QCOMPARE(finished.size(), 1);
        QCOMPARE(runner.summary().replayed, 0);

        // A candidate that does not parse is refused before anything is fetched.
        const Status refused = runner.start(QStringLiteral("permit ("), SimulatorSchema::load().value(), ReplayScope{});
        QVERIFY(!refused);
        QVERIFY(!runner.isRunning());
    }

    void shipsTheCandidateAsAdmin()
    {
        SimulatorView *simulator = view();
        simulator->showTab(SimulatorView::ReplayTab);
        auto *ship = simulator->findChild<QPushButton *>(QStringLiteral("shipButton"));
        QVERIFY2(ship->isEnabled(), qPrintable(ship->toolTip()));
        QTest::mouseClick(ship, Qt::LeftButton);
        QDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = simulator->findChild<QDialog *>(QStringLiteral("shipDialog"))) && dialog->isVisible());
        const QString summaryText = dialog->findChild<QLabel *>(QStringLiteral("shipSummary"))->text();
        QVERIFY2(summaryText.contains(QStringLiteral("newly denied")), qPrintable(summaryText));
        QVERIFY(summaryText.contains(QStringLiteral("support-agent")));
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("shipComment")), QStringLiteral("tickets need a human now"));
        screenshot(dialog, QStringLiteral("simulator-ship-confirm"));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("shipConfirm")), Qt::LeftButton);

        QTRY_COMPARE_WITH_TIMEOUT(simulator->live().version, m_originalVersion + 1, 10'000);
        const client::PolicyVersion onGateway = gatewayPolicy();
        QCOMPARE(onGateway.version, m_originalVersion + 1);
        QVERIFY(!onGateway.source.contains(kTicketsPermit));
        QCOMPARE(onGateway.comment, QStringLiteral("tickets need a human now"));
        QVERIFY(!ship->isEnabled());  // shipped: nothing left to ship
        QVERIFY(simulator->findChild<QLabel *>(QStringLiteral("simulatorStatus"))->text().contains(QStringLiteral("Shipped")));
        screenshot(m_window.get(), QStringLiteral("simulator-shipped"));
    }

    void restoresTheOldVersion()
    {
        SimulatorView *simulator = view();
        simulator->showTab(SimulatorView::VersionsTab);
        PolicyVersionsPanel *versions = simulator->versionsPanel();
        QTRY_VERIFY_WITH_TIMEOUT(versions->versions().size() >= 2, 10'000);
        QCOMPARE(versions->versions().front().version, m_originalVersion + 1);
        auto *table = versions->findChild<QTableView *>(QStringLiteral("policyVersionTable"));
        table->selectRow(1);  // newest first: the one before the shipped version
        auto *restore = versions->findChild<QPushButton *>(QStringLiteral("restoreVersion"));
        QVERIFY(restore->isEnabled());
        QTest::mouseClick(restore, Qt::LeftButton);
        QMessageBox *confirm = nullptr;
        QTRY_VERIFY((confirm = versions->findChild<QMessageBox *>(QStringLiteral("restoreConfirm"))) && confirm->isVisible());
        QVERIFY(confirm->text().contains(QString::number(m_originalVersion)));
        screenshot(confirm, QStringLiteral("simulator-restore-confirm"));
        QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(simulator->live().version, m_originalVersion + 2, 10'000);
        const client::PolicyVersion onGateway = gatewayPolicy();
        QCOMPARE(onGateway.version, m_originalVersion + 2);
        QCOMPARE(onGateway.source, m_originalSource);
        QCOMPARE(simulator->editor()->toPlainText(), m_originalSource);
        QTRY_COMPARE_WITH_TIMEOUT(int(versions->versions().size()), 3, 10'000);
        screenshot(m_window.get(), QStringLiteral("simulator-versions"));
    }

    void keepsTheCandidateThroughAConflictAndAReconnect()
    {
        SimulatorView *simulator = view();
        simulator->showTab(SimulatorView::ReplayTab);
        QTRY_COMPARE_WITH_TIMEOUT(simulator->live().source, m_originalSource, 10'000);
        const QString candidate = withoutPolicy(m_originalSource, kTicketsPermit);
        simulator->editor()->setPlainText(candidate);
        auto *ship = simulator->findChild<QPushButton *>(QStringLiteral("shipButton"));
        QSignalSpy finished(simulator->replayPanel()->runner(), &ReplayRunner::finished);
        QTest::mouseClick(simulator->findChild<QPushButton *>(QStringLiteral("replayButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60'000);
        QVERIFY2(ship->isEnabled(), qPrintable(ship->toolTip()));

        // Another admin publishes meanwhile.
        client::GatewayClient other;
        other.setBaseUrl(m_gateway.baseUrl());
        other.setApiKey(m_gateway.key(QStringLiteral("admin")));
        const qint64 base = simulator->live().version;
        std::optional<client::ClientResult<client::PolicyVersion>> theirs;
        other.publishPolicy(m_originalSource + QStringLiteral("\n// reviewed by the other admin\n"), QStringLiteral("other admin"), base, this,
                            [&theirs](client::ClientResult<client::PolicyVersion> published) { theirs = std::move(published); });
        QTRY_VERIFY_WITH_TIMEOUT(theirs.has_value(), 10'000);
        QVERIFY2(theirs->ok(), qPrintable(theirs->ok() ? QString() : theirs->error().message()));

        // Shipping meets the conflict: the candidate stays, the live version follows the
        // gateway, and shipping waits for a replay against it.
        QTest::mouseClick(ship, Qt::LeftButton);
        QDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = simulator->findChild<QDialog *>(QStringLiteral("shipDialog"))) && dialog->isVisible());
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("shipConfirm")), Qt::LeftButton);
        auto *status = simulator->findChild<QLabel *>(QStringLiteral("simulatorStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("kept")), 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(simulator->live().version, base + 1, 10'000);
        QCOMPARE(simulator->editor()->toPlainText(), candidate);
        QVERIFY(!ship->isEnabled());
        QVERIFY2(ship->toolTip().contains(QStringLiteral("Replay")), qPrintable(ship->toolTip()));
        screenshot(m_window.get(), QStringLiteral("simulator-ship-conflict"));

        // Reload asks before it replaces an edited candidate; Cancel keeps it.
        QString asked;
        QTimer::singleShot(200, [&asked] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                asked = box->text();
                box->button(QMessageBox::Cancel)->click();
            }
        });
        QTest::mouseClick(simulator->findChild<QPushButton *>(QStringLiteral("reloadPolicies")), Qt::LeftButton);
        QVERIFY2(asked.contains(QStringLiteral("cannot be undone")), qPrintable(asked));
        QCOMPARE(simulator->editor()->toPlainText(), candidate);

        // A replay vouches only for the session it ran in: after a reconnect, Ship waits again.
        QTest::mouseClick(simulator->findChild<QPushButton *>(QStringLiteral("replayButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60'000);
        QVERIFY2(ship->isEnabled(), qPrintable(ship->toolTip()));
        m_window->session()->disconnectFromGateway();
        QVERIFY(!ship->isEnabled());
        QVERIFY(m_window->connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("admin"))));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->state() == GatewaySession::State::Connected, 20'000);
        QTRY_COMPARE_WITH_TIMEOUT(simulator->live().version, base + 1, 10'000);
        QCOMPARE(simulator->editor()->toPlainText(), candidate);
        QVERIFY(!ship->isEnabled());
        QVERIFY(simulator->replayPanel()->completedSource().isEmpty());
    }

    void shippingNeedsAdmin()
    {
        MainWindow window(*m_settings, *m_vault);
        window.resize(1500, 920);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("analyst")));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->state() == GatewaySession::State::Connected, 20'000);
        window.showView(MainWindow::Simulator);
        auto *simulator = window.findChild<SimulatorView *>(QStringLiteral("simulatorView"));
        QTRY_VERIFY_WITH_TIMEOUT(simulator->live().version > 0, 10'000);
        simulator->editor()->setPlainText(withoutPolicy(simulator->live().source, kTicketsPermit));
        QSignalSpy finished(simulator->replayPanel()->runner(), &ReplayRunner::finished);
        QTest::mouseClick(simulator->findChild<QPushButton *>(QStringLiteral("replayButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60'000);
        QVERIFY(simulator->replayPanel()->runner()->summary().overall.newlyDenied > 0);  // analysts may replay
        auto *ship = simulator->findChild<QPushButton *>(QStringLiteral("shipButton"));
        QVERIFY(!ship->isEnabled());
        QVERIFY(ship->toolTip().contains(QStringLiteral("admin")));
        simulator->showTab(SimulatorView::VersionsTab);
        QTRY_VERIFY_WITH_TIMEOUT(!simulator->versionsPanel()->versions().empty(), 10'000);
        simulator->versionsPanel()->findChild<QTableView *>(QStringLiteral("policyVersionTable"))->selectRow(1);
        QVERIFY(!simulator->versionsPanel()->findChild<QPushButton *>(QStringLiteral("restoreVersion"))->isEnabled());
    }
};

QTEST_MAIN(tst_SimulatorGui)
#include "tst_simulator_gui.moc"
