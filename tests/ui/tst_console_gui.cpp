// SPDX-License-Identifier: Apache-2.0
// Drives the real main window against a real `mandated --demo` started by the test: connect
// through the connection manager, see the demo agents, create an agent, undo, redo, review and
// push, check it on the gateway; resolve conflicts; read-only roles; connection errors; import
// report. Saves a screenshot of every view and dialog into <build>/screenshots/.
#include "ConsoleTestSupport.h"
#include "GatewayProcess.h"

#include "ConsoleSettings.h"
#include "GatewaySession.h"
#include "KeyVault.h"
#include "MainWindow.h"
#include "Translations.h"
#include "RegistryDocument.h"
#include "RegistryView.h"
#include "Theme.h"
#include "client/GatewayClient.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <memory>
#include <optional>

using namespace mandate;
using namespace mandate::ui;
using namespace mandate::client;

namespace {

template<typename T, typename Call>
std::optional<ClientResult<T>> await(Call call)
{
    std::optional<ClientResult<T>> result;
    QObject context;
    call(&context, [&result](ClientResult<T> r) { result.emplace(std::move(r)); });
    // A timeout shows up as an empty optional, which every caller checks.
    (void)QTest::qWaitFor([&result] { return result.has_value(); }, 20000);
    return result;
}

QWidget *visibleTopLevel(const QString &objectName)
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (widget->objectName() == objectName && widget->isVisible())
            return widget;
    }
    return nullptr;
}

/// The failure's message, or nothing (QVERIFY2 evaluates its message even when it passes).
template<typename T>
QString why(const ClientResult<T> &result)
{
    return result.ok() ? QString() : result.error().message();
}

} // namespace

class tst_ConsoleGui final : public QObject
{
    Q_OBJECT

private:
    GatewayProcess m_gateway;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<KeyVault> m_vault;

    void screenshot(QWidget *widget, const QString &name)
    {
        QVERIFY2(saveScreenshot(widget, QStringLiteral(MANDATE_SCREENSHOT_DIR), name), qPrintable(name));
    }

    std::unique_ptr<GatewayClient> clientFor(const QString &role)
    {
        auto client = std::make_unique<GatewayClient>();
        client->setBaseUrl(m_gateway.baseUrl());
        client->setApiKey(m_gateway.key(role));
        return client;
    }

    std::unique_ptr<MainWindow> openWindow()
    {
        auto window = std::make_unique<MainWindow>(*m_settings, *m_vault);
        window->resize(1400, 860);
        window->show();
        window->activateWindow();
        if (!QTest::qWaitForWindowExposed(window.get()) || !QTest::qWaitForWindowActive(window.get()))
            return nullptr;
        return window;
    }

    /// Connects directly (as `mandate --gateway … --api-key-file …` does) and waits for the agents.
    bool connectAs(MainWindow &window, const QString &role)
    {
        window.connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(role));
        return QTest::qWaitFor([&window] {
            return window.session()->state() == GatewaySession::State::Connected
                && !window.registryView()->document()->agents().empty();
        }, 20'000);
    }

    static QTableView *agentTable(MainWindow &window) { return window.findChild<QTableView *>(QStringLiteral("agentTable")); }

    static bool selectAgent(MainWindow &window, const QString &id)
    {
        QTableView *table = agentTable(window);
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            if (table->model()->index(row, 0).data().toString() == id) {
                table->setCurrentIndex(table->model()->index(row, 0));
                return true;
            }
        }
        return false;
    }

    static void press(QWidget *window, const QKeySequence &sequence)
    {
        QTest::keySequence(window, sequence);
        QCoreApplication::processEvents();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QVERIFY(QDir().mkpath(QStringLiteral(MANDATE_SCREENSHOT_DIR)));
        installTranslators(*QCoreApplication::instance());  // as the console does: "1 call", "2 calls"
        QCOMPARE(QCoreApplication::translate("mandate::ui::MainWindow", "%n pending change(s)", nullptr, 1), QStringLiteral("1 pending change"));
        QCOMPARE(QCoreApplication::translate("mandate::ui::MainWindow", "%n pending change(s)", nullptr, 3), QStringLiteral("3 pending changes"));
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.errorString()));
        Theme::initialize(*qApp);  // Fusion, as the real console
        m_settings = std::make_unique<ConsoleSettings>(m_settingsDir.filePath(QStringLiteral("console.ini")));
        // Headless CI has no keychain service: the vault keeps keys for the session only.
        m_vault = std::make_unique<KeyVault>(KeyVault::Mode::SessionOnly);
    }

    void connectCreateUndoRedoPush()
    {
        auto window = openWindow();
        QVERIFY(window);
        screenshot(window.get(), QStringLiteral("01-not-connected"));

        // The connection manager, filled in like a person would.
        window->showConnections();
        QWidget *dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("connectionDialog"))) != nullptr);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("profileName")), QStringLiteral("Demo gateway"));
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("profileUrl")), m_gateway.baseUrl().toString());
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("profileApiKey")), QString::fromLatin1(m_gateway.key(QStringLiteral("admin"))));
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("keychainStatus"))->text().contains(QStringLiteral("session only")));
        screenshot(dialog, QStringLiteral("02-connection-manager"));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("connectButton")), Qt::LeftButton);

        QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), GatewaySession::State::Connected, 20'000);
        QTRY_COMPARE_WITH_TIMEOUT(agentTable(*window)->model()->rowCount(), 3, 20'000);
        QCOMPARE(m_settings->gateways().size(), 1);  // the profile, without its key
        QVERIFY(window->findChild<QLabel *>(QStringLiteral("roleStatus"))->text().contains(QStringLiteral("admin")));
        QStringList ids;
        for (int row = 0; row < 3; ++row)
            ids.append(agentTable(*window)->model()->index(row, 0).data().toString());
        ids.sort();
        QCOMPARE(ids, (QStringList{QStringLiteral("finance-agent"), QStringLiteral("refund-subagent"), QStringLiteral("support-agent")}));
        QVERIFY(selectAgent(*window, QStringLiteral("support-agent")));
        screenshot(window.get(), QStringLiteral("03-registry-agents"));
        Theme::apply(ConsoleSettings::Theme::Dark);
        screenshot(window.get(), QStringLiteral("03b-registry-agents-dark"));
        Theme::apply(ConsoleSettings::Theme::System);

        auto *tabs = window->findChild<QTabWidget *>(QStringLiteral("registryTabs"));
        tabs->setCurrentIndex(1);
        auto *tools = window->findChild<QTableView *>(QStringLiteral("toolTable"));
        QCOMPARE(tools->model()->rowCount(), 3);
        tools->selectRow(0);
        screenshot(window.get(), QStringLiteral("04-registry-tools"));
        tabs->setCurrentIndex(0);

        const QList<std::pair<MainWindow::View, QString>> planned{{MainWindow::Lineage, QStringLiteral("05-lineage-view")},
                                                                  {MainWindow::Monitor, QStringLiteral("06-monitor-view")},
                                                                  {MainWindow::Simulator, QStringLiteral("07-simulator-view")}};
        for (const auto &[view, name] : planned) {
            window->showView(view);
            screenshot(window.get(), name);
        }
        // The connection manager had the focus; shortcuts need the main window active again.
        window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        press(window.get(), QKeySequence(Qt::CTRL | Qt::Key_1));  // back to the registry by shortcut
        QCOMPARE(window->findChild<QListWidget *>(QStringLiteral("viewList"))->currentRow(), 0);

        // Create an agent: Ctrl+N, then fill the form.
        QUndoStack *stack = window->registryView()->undoStack();
        agentTable(*window)->setFocus();
        press(window.get(), QKeySequence::New);
        QTRY_COMPARE(agentTable(*window)->model()->rowCount(), 4);
        auto *id = window->findChild<QLineEdit *>(QStringLiteral("agentId"));
        QVERIFY(!id->isReadOnly());
        id->selectAll();
        QTest::keyClicks(id, QStringLiteral("gui-agent"));
        auto *name = window->findChild<QLineEdit *>(QStringLiteral("agentDisplayName"));
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("GUI agent"));
        auto *actions = window->findChild<QListWidget *>(QStringLiteral("agentActions"));
        const QList<QListWidgetItem *> read = actions->findItems(QStringLiteral("ticket:read"), Qt::MatchExactly);
        QCOMPARE(read.size(), 1);
        read.first()->setCheckState(Qt::Checked);
        QCOMPARE(stack->count(), 4);  // create, id, name, actions
        screenshot(window.get(), QStringLiteral("08-registry-new-agent"));

        // Undo everything with Ctrl+Z (from the form: the field must not swallow it), redo with Ctrl+Shift+Z.
        name->setFocus();
        for (int i = 0; i < 4; ++i)
            press(window.get(), QKeySequence::Undo);
        QCOMPARE(stack->index(), 0);
        QCOMPARE(agentTable(*window)->model()->rowCount(), 3);
        QCOMPARE(window->registryView()->document()->pendingCount(), 0);
        agentTable(*window)->setFocus();
        for (int i = 0; i < 4; ++i)
            press(window.get(), QKeySequence::Redo);
        QCOMPARE(stack->index(), 4);
        QCOMPARE(agentTable(*window)->model()->rowCount(), 4);
        QCOMPARE(window->registryView()->document()->pendingCount(), 1);
        QVERIFY(selectAgent(*window, QStringLiteral("gui-agent")));
        QCOMPARE(window->findChild<QLineEdit *>(QStringLiteral("agentDisplayName"))->text(), QStringLiteral("GUI agent"));
        screenshot(window.get(), QStringLiteral("09-registry-after-redo"));

        // Nothing is on the gateway yet.
        auto admin = clientFor(QStringLiteral("admin"));
        auto before = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("gui-agent"), c, done); });
        QVERIFY(before.has_value() && !before->ok());
        QCOMPARE(before->error().kind, ClientError::Kind::NotFound);

        // Review & push.
        press(window.get(), QKeySequence(Qt::CTRL | Qt::Key_Return));
        QWidget *review = nullptr;
        QTRY_VERIFY((review = visibleTopLevel(QStringLiteral("reviewDialog"))) != nullptr);
        auto *push = review->findChild<QPushButton *>(QStringLiteral("pushButton"));
        QVERIFY(push->isEnabled());
        QCOMPARE(push->text(), QStringLiteral("Push 1 change"));
        screenshot(review, QStringLiteral("10-review-dialog"));
        QTest::mouseClick(push, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window->registryView()->document()->pendingCount(), 0, 20'000);
        screenshot(window.get(), QStringLiteral("11-registry-after-push"));

        auto after = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("gui-agent"), c, done); });
        QVERIFY(after.has_value());
        QVERIFY2(after->ok(), qPrintable(why(*after)));
        QCOMPARE(after->value().displayName, QStringLiteral("GUI agent"));
        QCOMPARE(after->value().allowedActions, QStringList{QStringLiteral("ticket:read")});
        QCOMPARE(after->value().owner, QStringLiteral("alice"));

        // Delete it again: marked (struck out) locally, gone from the gateway only after the push.
        QVERIFY(selectAgent(*window, QStringLiteral("gui-agent")));
        window->activateWindow();  // the review dialog had the focus
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        agentTable(*window)->setFocus();
        press(window.get(), QKeySequence(Qt::CTRL | Qt::Key_Delete));
        QCOMPARE(window->registryView()->document()->pendingCount(), 1);
        QCOMPARE(agentTable(*window)->model()->rowCount(), 4);
        screenshot(window.get(), QStringLiteral("11b-registry-pending-delete"));
        window->registryView()->reviewAndPush();
        QTRY_VERIFY((review = visibleTopLevel(QStringLiteral("reviewDialog"))) != nullptr);
        QTest::mouseClick(review->findChild<QPushButton *>(QStringLiteral("pushButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(agentTable(*window)->model()->rowCount(), 3, 20'000);
        auto deleted = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("gui-agent"), c, done); });
        QVERIFY(deleted.has_value() && !deleted->ok());
        QCOMPARE(deleted->error().kind, ClientError::Kind::NotFound);

        // The About box names the versions.
        QString aboutText;
        QTimer::singleShot(300, window.get(), [this, &aboutText] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                aboutText = box->text();
                screenshot(box, QStringLiteral("17-about-box"));
                box->accept();
            }
        });
        window->findChild<QAction *>(QStringLiteral("actionAbout"))->trigger();
        QVERIFY(aboutText.contains(QStringLiteral(MANDATE_VERSION)));
        QVERIFY(aboutText.contains(QString::fromLatin1(qVersion())));
    }

    void toolEditIsPushed()
    {
        auto window = openWindow();
        QVERIFY(window);
        QVERIFY(connectAs(*window, QStringLiteral("admin")));
        auto admin = clientFor(QStringLiteral("admin"));

        // The tools tab: the refund tool's risk weight and rate limit, edited in its form.
        window->findChild<QTabWidget *>(QStringLiteral("registryTabs"))->setCurrentIndex(1);
        auto *tools = window->findChild<QTableView *>(QStringLiteral("toolTable"));
        int refundRow = -1;
        for (int row = 0; row < tools->model()->rowCount(); ++row) {
            if (tools->model()->index(row, 0).data().toString() == QLatin1String("refund"))
                refundRow = row;
        }
        QVERIFY(refundRow >= 0);
        tools->selectRow(refundRow);
        auto *risk = window->findChild<QSpinBox *>(QStringLiteral("toolRisk"));
        auto *rateLimit = window->findChild<QSpinBox *>(QStringLiteral("toolRateLimit"));
        QVERIFY(risk && rateLimit);
        QTRY_VERIFY(risk->isVisible() && !risk->isReadOnly());
        const int newRisk = risk->value() == 7 ? 8 : 7;
        risk->setValue(newRisk);
        rateLimit->setValue(90);
        QCOMPARE(window->registryView()->document()->pendingCount(), 1);  // one record, two edits
        // Its upstream credential is shown by name; a name that is not one is flagged inline,
        // and the edit taken back leaves the demo credential.
        auto *credential = window->findChild<QLineEdit *>(QStringLiteral("toolUpstreamCredential"));
        auto *credentialError = window->findChild<QLabel *>(QStringLiteral("toolError_upstreamCredential"));
        QVERIFY(credential && credentialError);
        QCOMPARE(credential->text(), QStringLiteral("demo-api"));
        credential->selectAll();
        QTest::keyClicks(credential, QStringLiteral("../keys"));
        QTRY_VERIFY(credentialError->isVisible());
        QVERIFY2(credentialError->text().contains(QLatin1String("is not a credential name")), qPrintable(credentialError->text()));
        screenshot(window.get(), QStringLiteral("04c-registry-tool-credential"));
        credential->selectAll();
        QTest::keyClicks(credential, QStringLiteral("demo-api"));
        QTRY_VERIFY(!credentialError->isVisible());

        window->registryView()->reviewAndPush();
        QWidget *review = nullptr;
        QTRY_VERIFY((review = visibleTopLevel(QStringLiteral("reviewDialog"))) != nullptr);
        QTest::mouseClick(review->findChild<QPushButton *>(QStringLiteral("pushButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window->registryView()->document()->pendingCount(), 0, 20'000);

        auto pushed = await<identity::Tool>([&](QObject *c, auto done) { admin->getTool(QStringLiteral("refund"), c, done); });
        QVERIFY(pushed.has_value());
        QVERIFY2(pushed->ok(), qPrintable(why(*pushed)));
        QCOMPARE(pushed->value().riskWeight, newRisk);
        QCOMPARE(pushed->value().rateLimitPerMinute, 90);
        QCOMPARE(pushed->value().upstreamCredential, QStringLiteral("demo-api"));
        window->findChild<QTabWidget *>(QStringLiteral("registryTabs"))->setCurrentIndex(0);
    }

    void conflictKeepMineAndTakeTheirs()
    {
        auto window = openWindow();
        QVERIFY(window);
        QVERIFY(connectAs(*window, QStringLiteral("admin")));
        auto admin = clientFor(QStringLiteral("admin"));

        // Local edit of support-agent's description...
        QVERIFY(selectAgent(*window, QStringLiteral("support-agent")));
        auto *description = window->findChild<QPlainTextEdit *>(QStringLiteral("agentDescription"));
        description->moveCursor(QTextCursor::End);
        QTest::keyClicks(description, QStringLiteral(" Edited in the console."));
        const QString mine = description->toPlainText();
        // ...while another admin changes it on the gateway.
        auto current = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("support-agent"), c, done); });
        QVERIFY(current.has_value() && current->ok());
        identity::Agent theirs = current->value();
        theirs.description = QStringLiteral("Changed by someone else.");
        theirs.trustLevel = 3;
        auto updated = await<identity::Agent>([&](QObject *c, auto done) { admin->updateAgent(theirs, theirs.version, c, done); });
        QVERIFY(updated.has_value() && updated->ok());

        window->registryView()->reviewAndPush();
        QWidget *review = nullptr;
        QTRY_VERIFY((review = visibleTopLevel(QStringLiteral("reviewDialog"))) != nullptr);
        QTest::mouseClick(review->findChild<QPushButton *>(QStringLiteral("pushButton")), Qt::LeftButton);
        QWidget *conflict = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((conflict = visibleTopLevel(QStringLiteral("conflictDialog"))) != nullptr, 20'000);
        auto *table = conflict->findChild<QTableWidget *>(QStringLiteral("conflictTable"));
        QVERIFY(table->rowCount() > 5);
        screenshot(conflict, QStringLiteral("12-conflict-dialog"));
        // Nothing was overwritten while the dialog waits.
        auto waiting = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("support-agent"), c, done); });
        QCOMPARE(waiting->value().description, theirs.description);

        QTest::mouseClick(conflict->findChild<QPushButton *>(QStringLiteral("keepMineButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window->registryView()->document()->pendingCount(), 0, 20'000);
        auto kept = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("support-agent"), c, done); });
        QCOMPARE(kept->value().description, mine);
        QCOMPARE(kept->value().version, updated->value().version + 1);

        // Second round: take theirs.
        QVERIFY(selectAgent(*window, QStringLiteral("finance-agent")));
        auto *name = window->findChild<QLineEdit *>(QStringLiteral("agentDisplayName"));
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("Finance (console)"));
        auto finance = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("finance-agent"), c, done); });
        identity::Agent other = finance->value();
        other.displayName = QStringLiteral("Finance (elsewhere)");
        QVERIFY(await<identity::Agent>([&](QObject *c, auto done) { admin->updateAgent(other, other.version, c, done); })->ok());

        window->registryView()->reviewAndPush();
        QTRY_VERIFY((review = visibleTopLevel(QStringLiteral("reviewDialog"))) != nullptr);
        QTest::mouseClick(review->findChild<QPushButton *>(QStringLiteral("pushButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT((conflict = visibleTopLevel(QStringLiteral("conflictDialog"))) != nullptr, 20'000);
        QTest::mouseClick(conflict->findChild<QPushButton *>(QStringLiteral("takeTheirsButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window->registryView()->document()->pendingCount(), 0, 20'000);
        QVERIFY(selectAgent(*window, QStringLiteral("finance-agent")));
        QCOMPARE(window->findChild<QLineEdit *>(QStringLiteral("agentDisplayName"))->text(), QStringLiteral("Finance (elsewhere)"));
        auto onGateway = await<identity::Agent>([&](QObject *c, auto done) { admin->getAgent(QStringLiteral("finance-agent"), c, done); });
        QCOMPARE(onGateway->value().displayName, QStringLiteral("Finance (elsewhere)"));
    }

    void readOnlyRoles_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addRow("auditor") << QStringLiteral("auditor");
        QTest::addRow("analyst") << QStringLiteral("analyst");
    }

    void readOnlyRoles()
    {
        QFETCH(QString, role);
        auto window = openWindow();
        QVERIFY(window);
        QVERIFY(connectAs(*window, role));
        QVERIFY(window->findChild<QLabel *>(QStringLiteral("roleStatus"))->text().contains(QStringLiteral("read-only")));
        QVERIFY(!window->findChild<QAction *>(QStringLiteral("actionNewAgent"))->isEnabled());
        QVERIFY(!window->findChild<QAction *>(QStringLiteral("actionDeleteAgent"))->isEnabled());
        QVERIFY(!window->findChild<QAction *>(QStringLiteral("actionReview"))->isEnabled());
        QVERIFY(!window->findChild<QAction *>(QStringLiteral("actionImport"))->isEnabled());
        QVERIFY(window->findChild<QAction *>(QStringLiteral("actionExport"))->isEnabled());
        QVERIFY(selectAgent(*window, QStringLiteral("support-agent")));
        auto *name = window->findChild<QLineEdit *>(QStringLiteral("agentDisplayName"));
        QVERIFY(name->isReadOnly());
        QTest::keyClicks(name, QStringLiteral("x"));
        press(window.get(), QKeySequence::New);
        QCOMPARE(window->registryView()->undoStack()->count(), 0);
        QCOMPARE(window->registryView()->document()->pendingCount(), 0);
        screenshot(window.get(), QStringLiteral("13-read-only-") + role);
    }

    void connectionErrorsShowRetry()
    {
        auto window = openWindow();
        QVERIFY(window);
        // Nobody listens on port 1.
        window->connectTo(GatewayProfile{QStringLiteral("nowhere"), QUrl(QStringLiteral("http://127.0.0.1:1")), QString()}, "mdk_x");
        QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), GatewaySession::State::Failed, 20'000);
        auto *banner = window->findChild<QWidget *>(QStringLiteral("connectionBanner"));
        QVERIFY(banner->isVisible());
        QVERIFY(window->findChild<QPushButton *>(QStringLiteral("retryButton"))->isVisible());
        QVERIFY(window->findChild<QLabel *>(QStringLiteral("bannerMessage"))->text().contains(QStringLiteral("cannot be reached")));
        screenshot(window.get(), QStringLiteral("14-error-unreachable"));
        QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("retryButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), GatewaySession::State::Failed, 20'000);

        // A wrong key: 401, then Retry after fixing nothing still says so; a good key connects.
        window->connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, "mdk_wrong");
        QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), GatewaySession::State::Failed, 20'000);
        QCOMPARE(window->session()->lastError().kind, ClientError::Kind::Unauthorized);
        QVERIFY(window->findChild<QLabel *>(QStringLiteral("bannerMessage"))->text().contains(QStringLiteral("API key")));
        screenshot(window.get(), QStringLiteral("15-error-unauthorized"));

        // TLS to a plain-HTTP gateway fails cleanly, too.
        QUrl tls = m_gateway.baseUrl();
        tls.setScheme(QStringLiteral("https"));
        window->connectTo(GatewayProfile{QStringLiteral("tls"), tls, QString()}, m_gateway.key(QStringLiteral("admin")));
        QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), GatewaySession::State::Failed, 20'000);

        QVERIFY(connectAs(*window, QStringLiteral("admin")));
        QVERIFY(!banner->isVisible() || window->findChild<QPushButton *>(QStringLiteral("retryButton"))->isHidden());

        // Closing remembers the layout through the typed settings, for the next window.
        window->showView(MainWindow::Monitor);
        QVERIFY(window->close());
        QVERIFY(!m_settings->windowGeometry().isEmpty());
        QVERIFY(!m_settings->windowState().isEmpty());
        QVERIFY(!m_settings->registrySplitterState().isEmpty());
        QCOMPARE(m_settings->currentView(), int(MainWindow::Monitor));
        auto reopened = openWindow();
        QVERIFY(reopened);
        QCOMPARE(reopened->findChild<QListWidget *>(QStringLiteral("viewList"))->currentRow(), int(MainWindow::Monitor));
        reopened->showView(MainWindow::RegistryEditor);
        QVERIFY(reopened->close());
    }

    void switchingGatewaysAsksBeforeDroppingEdits()
    {
        auto window = openWindow();
        QVERIFY(window);
        QVERIFY(connectAs(*window, QStringLiteral("admin")));
        RegistryDocument *document = window->registryView()->document();
        const quint64 created = document->createAgent();
        QCOMPARE(document->pendingCount(), 1);

        // Cancel: nothing moves, the edit stays and can still be pushed here.
        const auto answerNextQuestion = [](QMessageBox::StandardButton button, QString *asked) {
            QTimer::singleShot(200, [button, asked] {
                if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                    *asked = box->text();
                    box->button(button)->click();
                }
            });
        };
        QString asked;
        answerNextQuestion(QMessageBox::Cancel, &asked);
        QVERIFY(!window->connectTo(GatewayProfile{QStringLiteral("nowhere"), QUrl(QStringLiteral("http://127.0.0.1:1")), QString()}, "mdk_x"));
        QVERIFY2(asked.contains(QStringLiteral("1 change")), qPrintable(asked));
        QCOMPARE(window->session()->state(), GatewaySession::State::Connected);
        QCOMPARE(document->pendingCount(), 1);
        QVERIFY(document->agent(created));
        // Through the connection manager: it stays open and says why.
        window->showConnections();
        QWidget *dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("connectionDialog"))) != nullptr);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("profileName")), QStringLiteral("Elsewhere"));
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("profileUrl")), QStringLiteral("http://127.0.0.1:1"));
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("profileApiKey")), QStringLiteral("mdk_x"));
        asked.clear();
        answerNextQuestion(QMessageBox::Cancel, &asked);
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("connectButton")), Qt::LeftButton);
        QVERIFY(!asked.isEmpty());
        QVERIFY(dialog->isVisible());
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("connectionError"))->text().contains(QStringLiteral("pending changes are kept")));
        QCOMPARE(window->session()->state(), GatewaySession::State::Connected);
        QCOMPARE(document->pendingCount(), 1);
        dialog->close();

        // Discard: the records of the gateway being left go with the edit, so a failed
        // connection leaves nothing that could be pushed to the next gateway.
        asked.clear();
        answerNextQuestion(QMessageBox::Discard, &asked);
        QVERIFY(window->connectTo(GatewayProfile{QStringLiteral("nowhere"), QUrl(QStringLiteral("http://127.0.0.1:1")), QString()}, "mdk_x"));
        QVERIFY(!asked.isEmpty());
        QCOMPARE(document->pendingCount(), 0);
        QVERIFY(document->agents().empty());
        QTRY_COMPARE_WITH_TIMEOUT(window->session()->state(), GatewaySession::State::Failed, 20'000);
        QVERIFY(document->agents().empty());
        QVERIFY(!window->findChild<QAction *>(QStringLiteral("actionReview"))->isEnabled());
        QVERIFY(connectAs(*window, QStringLiteral("admin")));
        QCOMPARE(document->pendingCount(), 0);
    }

    void exportAndImportReport()
    {
        auto window = openWindow();
        QVERIFY(window);
        QVERIFY(connectAs(*window, QStringLiteral("admin")));
        QTemporaryDir dir;
        const QString exported = dir.filePath(QStringLiteral("registry.json"));
        window->registryView()->exportTo(exported);
        auto *message = window->findChild<QLabel *>(QStringLiteral("registryMessage"));
        QTRY_VERIFY_WITH_TIMEOUT(message->text().startsWith(QStringLiteral("Exported")), 20'000);
        QFile file(exported);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject registry = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        QVERIFY(registry.value(QStringLiteral("agents")).toArray().size() >= 3);

        // Break two records and import: nothing changes, and the report lists both paths.
        QJsonArray agents = registry.value(QStringLiteral("agents")).toArray();
        QJsonObject first = agents[0].toObject();
        first.insert(QStringLiteral("allowedActions"), QJsonArray{QStringLiteral("acount:delete")});
        agents.replace(0, first);
        QJsonObject second = agents[1].toObject();
        second.insert(QStringLiteral("owner"), QStringLiteral("mallory"));
        agents.replace(1, second);
        registry.insert(QStringLiteral("agents"), agents);
        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        QFile out(broken);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(registry).toJson());
        out.close();
        window->registryView()->importFrom(broken);
        QWidget *report = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((report = visibleTopLevel(QStringLiteral("importReportDialog"))) != nullptr, 20'000);
        auto *errors = report->findChild<QTableWidget *>(QStringLiteral("importErrors"));
        QVERIFY(errors->rowCount() >= 2);
        QStringList paths;
        for (int row = 0; row < errors->rowCount(); ++row)
            paths.append(errors->item(row, 0)->text());
        QVERIFY2(paths.join(u' ').contains(QStringLiteral("agents[0]")), qPrintable(paths.join(u' ')));
        QVERIFY2(paths.join(u' ').contains(QStringLiteral("agents[1]")), qPrintable(paths.join(u' ')));
        screenshot(report, QStringLiteral("16-import-report"));
        report->close();

        // The good file imports and the view reloads.
        window->registryView()->importFrom(exported);
        QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QStringLiteral("loaded from the gateway")), 20'000);
    }

    void cleanupTestCase()
    {
        m_gateway.stop();
    }
};

QTEST_MAIN(tst_ConsoleGui)
#include "tst_console_gui.moc"
