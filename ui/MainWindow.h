// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "GatewayProfile.h"

#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace mandate::ui {

class ConnectionBanner;
class ConsoleSettings;
class GatewaySession;
class KeyVault;
class RegistryView;

/// The console's main window: a sidebar with the four views, a banner for connection problems
/// (with Retry), and a status bar with the connection state and the key's role.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum View { RegistryEditor, Lineage, Monitor, Simulator };

    MainWindow(ConsoleSettings &settings, KeyVault &vault, QWidget *parent = nullptr);
    ~MainWindow() override;

    GatewaySession *session() const { return m_session; }
    RegistryView *registryView() const { return m_registry; }
    /// Connects to `profile`; false when the user keeps the registry's unpushed edits instead.
    bool connectTo(const GatewayProfile &profile, const QByteArray &apiKey);
    void showView(View view);
    /// Opens the connection manager (non-blocking).
    void showConnections();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildViews();
    void buildMenus();
    void onSessionChanged();
    void showAbout();
    bool mayDiscardPendingChanges();

    ConsoleSettings &m_settings;
    KeyVault &m_vault;
    GatewaySession *m_session;
    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_stack = nullptr;
    ConnectionBanner *m_banner = nullptr;
    RegistryView *m_registry = nullptr;
    bool m_historyWanted = true;  ///< the undo dock's visibility in the registry editor
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_roleLabel = nullptr;
    QLabel *m_pendingLabel = nullptr;
};

} // namespace mandate::ui
