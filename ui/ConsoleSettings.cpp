// SPDX-License-Identifier: Apache-2.0
#include "ConsoleSettings.h"

#include <QSettings>

namespace mandate::ui {

ConsoleSettings::ConsoleSettings()
    : m_settings(std::make_unique<QSettings>(QStringLiteral("Mandate"), QStringLiteral("Console")))
{
}

ConsoleSettings::ConsoleSettings(const QString &iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
}

ConsoleSettings::~ConsoleSettings() = default;

// The one table of keys and defaults.
ConsoleSettings::KeyInfo ConsoleSettings::keyInfo(Key key)
{
    switch (key) {
    case Key::WindowGeometry: return {"window/geometry", QByteArray()};
    case Key::WindowState: return {"window/state", QByteArray()};
    case Key::RegistrySplitter: return {"registry/splitter", QByteArray()};
    case Key::AgentTableHeader: return {"registry/agentHeader", QByteArray()};
    case Key::CurrentView: return {"window/currentView", 0};
    case Key::Theme: return {"appearance/theme", QStringLiteral("system")};
    case Key::LastGateway: return {"gateways/last", QString()};
    }
    return {"", QVariant()};
}

QVariant ConsoleSettings::value(Key key) const
{
    const KeyInfo info = keyInfo(key);
    return m_settings->value(QLatin1String(info.path), info.defaultValue);
}

void ConsoleSettings::setValue(Key key, const QVariant &value)
{
    m_settings->setValue(QLatin1String(keyInfo(key).path), value);
}

QByteArray ConsoleSettings::windowGeometry() const { return value(Key::WindowGeometry).toByteArray(); }
void ConsoleSettings::setWindowGeometry(const QByteArray &geometry) { setValue(Key::WindowGeometry, geometry); }
QByteArray ConsoleSettings::windowState() const { return value(Key::WindowState).toByteArray(); }
void ConsoleSettings::setWindowState(const QByteArray &state) { setValue(Key::WindowState, state); }
QByteArray ConsoleSettings::registrySplitterState() const { return value(Key::RegistrySplitter).toByteArray(); }
void ConsoleSettings::setRegistrySplitterState(const QByteArray &state) { setValue(Key::RegistrySplitter, state); }
QByteArray ConsoleSettings::agentTableHeaderState() const { return value(Key::AgentTableHeader).toByteArray(); }
void ConsoleSettings::setAgentTableHeaderState(const QByteArray &state) { setValue(Key::AgentTableHeader, state); }
int ConsoleSettings::currentView() const { return value(Key::CurrentView).toInt(); }
void ConsoleSettings::setCurrentView(int index) { setValue(Key::CurrentView, index); }
QString ConsoleSettings::lastGateway() const { return value(Key::LastGateway).toString(); }
void ConsoleSettings::setLastGateway(const QString &name) { setValue(Key::LastGateway, name); }

ConsoleSettings::Theme ConsoleSettings::theme() const
{
    const QString name = value(Key::Theme).toString();
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void ConsoleSettings::setTheme(Theme theme)
{
    switch (theme) {
    case Theme::System: setValue(Key::Theme, QStringLiteral("system")); break;
    case Theme::Light: setValue(Key::Theme, QStringLiteral("light")); break;
    case Theme::Dark: setValue(Key::Theme, QStringLiteral("dark")); break;
    }
}

// The gateway list is an array; its element keys are local to these two functions.
QList<GatewayProfile> ConsoleSettings::gateways() const
{
    QList<GatewayProfile> profiles;
    const int count = m_settings->beginReadArray(QStringLiteral("gateways/list"));
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        profiles.append(GatewayProfile{m_settings->value(QStringLiteral("name")).toString(),
                                       m_settings->value(QStringLiteral("url")).toUrl(),
                                       m_settings->value(QStringLiteral("caCertificate")).toString()});
    }
    m_settings->endArray();
    return profiles;
}

void ConsoleSettings::setGateways(const QList<GatewayProfile> &gateways)
{
    m_settings->remove(QStringLiteral("gateways/list"));
    m_settings->beginWriteArray(QStringLiteral("gateways/list"), static_cast<int>(gateways.size()));
    for (int i = 0; i < gateways.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_settings->setValue(QStringLiteral("name"), gateways[i].name);
        m_settings->setValue(QStringLiteral("url"), gateways[i].url);
        m_settings->setValue(QStringLiteral("caCertificate"), gateways[i].caCertificateFile);
    }
    m_settings->endArray();
}

void ConsoleSettings::sync()
{
    m_settings->sync();
}

} // namespace mandate::ui
