// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "GatewayProfile.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace mandate::ui {

class ConsoleSettings;
class KeyVault;

/// The connection manager: the gateways this console knows (name, URL, CA certificate) in
/// settings, their API keys in the OS keychain through KeyVault.
class ConnectionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)

public:
    ConnectionDialog(ConsoleSettings &settings, KeyVault &vault, QWidget *parent = nullptr);
    /// Called by a receiver of connectRequested() that did not connect: the dialog stays open
    /// and says why.
    void keepOpen(const QString &why);

Q_SIGNALS:
    /// Emitted for the chosen profile; the dialog closes after it unless keepOpen() was called.
    void connectRequested(const mandate::ui::GatewayProfile &profile, const QByteArray &apiKey);

private:
    void loadProfiles();
    void showProfile(int row);
    bool saveCurrent();
    void connectCurrent();
    void updateVaultStatus();
    GatewayProfile currentProfile() const;

    ConsoleSettings &m_settings;
    KeyVault &m_vault;
    QList<GatewayProfile> m_profiles;
    QListWidget *m_list;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_ca;
    QLineEdit *m_key;
    QLabel *m_vaultStatus;
    QLabel *m_error;
    QPushButton *m_connect;
    bool m_keptOpen = false;
    QPushButton *m_remove;
};

} // namespace mandate::ui
