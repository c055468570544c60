// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "GatewayProfile.h"

#include <QByteArray>
#include <QList>
#include <QVariant>

#include <memory>

class QSettings;

namespace mandate::ui {

/// The console's settings, typed, with every key and default in one table (KeePassXC's
/// ConfigKey). Call sites never see a raw QSettings key.
class ConsoleSettings final
{
public:
    enum class Theme { System, Light, Dark };

    /// The user's settings (organisation "Mandate", application "Console").
    ConsoleSettings();
    /// Settings in an INI file: tests use a temporary one.
    explicit ConsoleSettings(const QString &iniFile);
    ~ConsoleSettings();
    ConsoleSettings(const ConsoleSettings &) = delete;
    ConsoleSettings &operator=(const ConsoleSettings &) = delete;

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);
    QByteArray registrySplitterState() const;
    void setRegistrySplitterState(const QByteArray &state);
    QByteArray agentTableHeaderState() const;
    void setAgentTableHeaderState(const QByteArray &state);
    int currentView() const;
    void setCurrentView(int index);
    Theme theme() const;
    void setTheme(Theme theme);

    QList<GatewayProfile> gateways() const;
    void setGateways(const QList<GatewayProfile> &gateways);
    QString lastGateway() const;
    void setLastGateway(const QString &name);

    void sync();

private:
    enum class Key { WindowGeometry, WindowState, RegistrySplitter, AgentTableHeader, CurrentView, Theme, LastGateway };
    struct KeyInfo
    {
        const char *path;
        QVariant defaultValue;
    };
    static KeyInfo keyInfo(Key key);
    QVariant value(Key key) const;
    void setValue(Key key, const QVariant &value);

    std::unique_ptr<QSettings> m_settings;
};

} // namespace mandate::ui
