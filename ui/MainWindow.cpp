// SPDX-License-Identifier: Apache-2.0
#include "MainWindow.h"

#include "ConnectionBanner.h"
#include "ConnectionDialog.h"
#include "ConsoleSettings.h"
#include "GatewaySession.h"
#include "KeyVault.h"
#include "LineageView.h"
#include "MonitorView.h"
#include "PlannedView.h"
#include "RegistryDocument.h"
#include "RegistryView.h"
#include "SimulatorView.h"
#include "Theme.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>

namespace mandate::ui {

using client::ClientError;

MainWindow::MainWindow(ConsoleSettings &settings, KeyVault &vault, QWidget *parent)
    : QMainWindow(parent), m_settings(settings), m_vault(vault), m_session(new GatewaySession(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Mandate Console"));
    buildViews();
    buildMenus();

    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionStatus"));
    m_roleLabel = new QLabel(this);
    m_roleLabel->setObjectName(QStringLiteral("roleStatus"));
    m_pendingLabel = new QLabel(this);
    m_pendingLabel->setObjectName(QStringLiteral("pendingStatus"));
    statusBar()->addWidget(m_connectionLabel, 1);
    statusBar()->addPermanentWidget(m_pendingLabel);
    statusBar()->addPermanentWidget(m_roleLabel);

    connect(m_session, &GatewaySession::stateChanged, this, [this] { onSessionChanged(); });
    connect(&m_vault, &KeyVault::modeChanged, this, [this] {
        if (m_session->state() == GatewaySession::State::Connected && m_vault.sessionOnly())
            m_banner->showInfo(tr("No keychain service is available: API keys are kept in memory for this session only."));
    });
    connect(m_registry, &RegistryView::loadFailed, this, [this](const ClientError &error) {
        m_banner->showProblem(tr("The registry could not be loaded."), error.message());
    });
    connect(m_registry->document(), &RegistryDocument::pendingCountChanged, this, [this](int count) {
        m_pendingLabel->setText(count > 0 ? tr("%n pending change(s)", nullptr, count) : QString());
        setWindowModified(count > 0);
    });
    connect(m_banner, &ConnectionBanner::retryRequested, this, [this] {
        if (!mayDiscardPendingChanges())
            return;
        if (m_session->state() == GatewaySession::State::Connected)
            m_registry->reload();
        else
            m_session->retry();
    });
    connect(m_banner, &ConnectionBanner::manageRequested, this, [this] { showConnections(); });

    resize(1280, 800);
    if (const QByteArray geometry = m_settings.windowGeometry(); !geometry.isEmpty())
        restoreGeometry(geometry);
    if (const QByteArray state = m_settings.windowState(); !state.isEmpty())
        restoreState(state);
    else if (auto *history = findChild<QDockWidget *>(QStringLiteral("historyDock")))
        resizeDocks({history}, {220}, Qt::Horizontal);
    showView(static_cast<View>(qBound(0, m_settings.currentView(), 3)));
    onSessionChanged();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildViews()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_banner = new ConnectionBanner(central);
    layout->addWidget(m_banner);

    auto *body = new QHBoxLayout;
    body->setSpacing(0);
    m_sidebar = new QListWidget(central);
    m_sidebar->setObjectName(QStringLiteral("viewList"));
    m_sidebar->setIconSize(QSize(22, 22));
    m_sidebar->setSpacing(2);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setFixedWidth(200);
    m_sidebar->setAutoFillBackground(true);
    m_sidebar->setBackgroundRole(QPalette::Window);
    QStyle *s = style();
    const QList<std::pair<QStyle::StandardPixmap, QString>> entries{
        {QStyle::SP_FileDialogDetailedView, tr("Registry editor")},
        {QStyle::SP_DirLinkIcon, tr("Delegation lineage")},
        {QStyle::SP_ComputerIcon, tr("Live monitor")},
        {QStyle::SP_FileDialogContentsView, tr("Policy simulator")}};
    for (const auto &[icon, text] : entries) {
        auto *item = new QListWidgetItem(s->standardIcon(icon), text, m_sidebar);
        item->setSizeHint(QSize(180, 36));
    }
    body->addWidget(m_sidebar);

    m_stack = new QStackedWidget(central);
    m_stack->setObjectName(QStringLiteral("viewStack"));
    m_registry = new RegistryView(m_settings, m_stack);
    m_stack->addWidget(m_registry);
    m_stack->addWidget(new LineageView(m_session, m_stack));
    auto *monitor = new MonitorView(m_session, m_stack);
    m_stack->addWidget(monitor);
    m_stack->addWidget(new SimulatorView(m_session, m_stack));
    body->addWidget(m_stack, 1);
    layout->addLayout(body, 1);
    setCentralWidget(central);

    auto *history = new QDockWidget(tr("Undo history"), this);
    history->setObjectName(QStringLiteral("historyDock"));
    auto *undoView = new QUndoView(m_registry->undoStack(), history);
    undoView->setObjectName(QStringLiteral("undoView"));
    undoView->setEmptyLabel(tr("<no local edits>"));
    history->setWidget(undoView);
    addDockWidget(Qt::RightDockWidgetArea, history);

    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this, history](int row) {
        if (row < 0)
            return;
        // The undo history belongs to the registry editor; the other views get its width back,
        // and the editor gets the dock back as the person last left it.
        if (m_stack->currentIndex() == RegistryEditor && row != RegistryEditor)
            m_historyWanted = !history->isHidden();  // isVisible() is false before the window shows
        m_stack->setCurrentIndex(row);
        const bool registry = row == RegistryEditor;
        history->setVisible(registry && m_historyWanted);
        history->toggleViewAction()->setEnabled(registry);
    });
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *connections = file->addAction(style()->standardIcon(QStyle::SP_DriveNetIcon), tr("&Gateways…"));
    connections->setObjectName(QStringLiteral("actionConnections"));
    connections->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    connect(connections, &QAction::triggered, this, [this] { showConnections(); });
    QAction *disconnect = file->addAction(tr("&Disconnect"));
    connect(disconnect, &QAction::triggered, this, [this] {
        if (mayDiscardPendingChanges())
            m_session->disconnectFromGateway();
    });
    file->addSeparator();
    for (QAction *action : m_registry->fileActions())
        file->addAction(action);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    for (QAction *action : m_registry->editActions()) {
        if (action)
            edit->addAction(action);
        else
            edit->addSeparator();
    }

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_sidebar->count(); ++i) {
        QAction *action = view->addAction(m_sidebar->item(i)->icon(), m_sidebar->item(i)->text());
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(action, &QAction::triggered, this, [this, i] { showView(static_cast<View>(i)); });
    }
    view->addSeparator();
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("historyDock"))) {
        QAction *toggle = dock->toggleViewAction();
        toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
        view->addAction(toggle);
    }
    QMenu *themes = view->addMenu(tr("&Theme"));
    auto *group = new QActionGroup(this);
    const QList<std::pair<ConsoleSettings::Theme, QString>> options{
        {ConsoleSettings::Theme::System, tr("Follow the &system")},
        {ConsoleSettings::Theme::Light, tr("&Light")},
        {ConsoleSettings::Theme::Dark, tr("&Dark")}};
    for (const auto &option : options) {
        const ConsoleSettings::Theme theme = option.first;
        QAction *action = themes->addAction(option.second);
        action->setCheckable(true);
        action->setChecked(m_settings.theme() == theme);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, theme] {
            m_settings.setTheme(theme);
            Theme::apply(theme);
        });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Mandate Console"));
    about->setObjectName(QStringLiteral("actionAbout"));
    connect(about, &QAction::triggered, this, [this] { showAbout(); });
    QAction *aboutQt = help->addAction(tr("About &Qt"));
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::showView(View view)
{
    m_sidebar->setCurrentRow(view);
}

void MainWindow::showConnections()
{
    auto *dialog = new ConnectionDialog(m_settings, m_vault, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectionDialog::connectRequested, this, [this, dialog](const GatewayProfile &profile, const QByteArray &key) {
        if (!connectTo(profile, key))
            dialog->keepOpen(tr("Not connected: the registry's pending changes are kept. Push or undo them, or choose to discard them."));
    });
    dialog->open();
}

bool MainWindow::connectTo(const GatewayProfile &profile, const QByteArray &apiKey)
{
    if (!mayDiscardPendingChanges())
        return false;
    m_registry->setClient(nullptr);
    m_session->connectTo(profile, apiKey);
    return true;
}

/// The registry's unpushed edits belong to the gateway they were made against, and connecting,
/// disconnecting or reloading replaces them: the user decides whether they may go.
bool MainWindow::mayDiscardPendingChanges()
{
    const int pending = m_registry->document()->pendingCount();
    if (pending == 0)
        return true;
    return QMessageBox::question(this, tr("Discard pending changes?"),
                                 tr("%n change(s) were not pushed to the gateway and will be lost.", nullptr, pending),
                                 QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Discard;
}

void MainWindow::onSessionChanged()
{
    using State = GatewaySession::State;
    m_connectionLabel->setText(m_session->statusText());
    const State state = m_session->state();
    if (state == State::Connected) {
        const client::WhoAmI &who = m_session->identity();
        m_roleLabel->setText(who.canWrite() ? tr("Role: %1 (%2)").arg(who.role, who.name)
                                            : tr("Role: %1 (%2) — read-only").arg(who.role, who.name));
        if (m_vault.sessionOnly())
            m_banner->showInfo(tr("No keychain service is available: API keys are kept in memory for this session only."));
        else
            m_banner->hide();
        m_registry->setClient(m_session->client());
        m_registry->setWritable(who.canWrite());
        m_registry->reload();
        setWindowTitle(tr("Mandate Console — %1[*]").arg(m_session->profile().name));
        return;
    }
    m_roleLabel->setText(state == State::Connecting ? QString() : tr("Role: —"));
    m_registry->setWritable(false);
    if (state == State::Failed) {
        const ClientError &error = m_session->lastError();
        QString headline;
        switch (error.kind) {
        case ClientError::Kind::Unauthorized: headline = tr("The gateway does not accept this API key."); break;
        case ClientError::Kind::Forbidden: headline = tr("This API key may not use the console."); break;
        case ClientError::Kind::Tls: headline = tr("The gateway's TLS certificate could not be verified."); break;
        case ClientError::Kind::Timeout: headline = tr("The gateway does not answer."); break;
        default: headline = tr("Cannot connect to %1.").arg(m_session->profile().url.toString()); break;
        }
        m_banner->showProblem(headline, error.message());
    } else if (state == State::Disconnected) {
        m_banner->showInfo(tr("Not connected. Open File → Gateways… (Ctrl+Shift+G) to connect to a gateway."));
        m_registry->setClient(nullptr);
    } else {
        m_banner->hide();
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Mandate Console"),
                       tr("<h3>Mandate Console %1</h3>"
                          "<p>Governance for autonomous AI agents: delegation, per-call authorization, audit.</p>"
                          "<p>Qt %2 (built with %3)<br>Gateway: %4</p>")
                           .arg(QStringLiteral(MANDATE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                                m_session->gatewayVersion().isEmpty() ? tr("not connected") : m_session->gatewayVersion()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!mayDiscardPendingChanges()) {
        event->ignore();
        return;
    }
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    m_settings.setCurrentView(m_stack->currentIndex());
    m_registry->saveLayout();
    m_settings.sync();
    QMainWindow::closeEvent(event);
}

} // namespace mandate::ui
