// SPDX-License-Identifier: Apache-2.0
// mandate: the desktop console. `mandate --gateway URL --api-key-file FILE` connects at once.
#include "ConsoleSettings.h"
#include "KeyVault.h"
#include "MainWindow.h"
#include "Theme.h"
#include "Translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDebug>
#include <QFile>
#include <QHash>
#include <QTimer>

using namespace mandate::ui;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    installTranslators(app);
    QApplication::setOrganizationName(QStringLiteral("Mandate"));
    QApplication::setApplicationName(QStringLiteral("Console"));
    QApplication::setApplicationDisplayName(QApplication::translate("main", "Mandate Console"));
    QApplication::setApplicationVersion(QStringLiteral(MANDATE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("mandate"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Mandate Console: manage the agents, tools and policies of Mandate gateways."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption gateway(QStringLiteral("gateway"), QApplication::translate("main", "Connect to the gateway at URL."), QStringLiteral("url"));
    const QCommandLineOption keyFile(QStringLiteral("api-key-file"), QApplication::translate("main", "Read the API key from FILE."), QStringLiteral("file"));
    const QCommandLineOption caFile(QStringLiteral("ca-cert"), QApplication::translate("main", "Trust this CA certificate (PEM) for the gateway's TLS."), QStringLiteral("file"));
    const QCommandLineOption noKeychain(QStringLiteral("no-keychain"), QApplication::translate("main", "Keep API keys in memory only; do not use the OS keychain."));
    const QCommandLineOption view(QStringLiteral("view"), QApplication::translate("main", "Open this view: registry, lineage, monitor or simulator."), QStringLiteral("view"));
    parser.addOptions({gateway, keyFile, caFile, noKeychain, view});
    parser.process(app);

    QByteArray apiKey;
    if (parser.isSet(keyFile)) {
        QFile file(parser.value(keyFile));
        if (!file.open(QIODevice::ReadOnly)) {
            qCritical().noquote() << QApplication::translate("main", "mandate: cannot read the API key file %1: %2")
                                         .arg(parser.value(keyFile), file.errorString());
            return 2;
        }
        apiKey = file.readAll().trimmed();
    }

    ConsoleSettings settings;
    Theme::initialize(app);
    Theme::apply(settings.theme());
    KeyVault vault(parser.isSet(noKeychain) ? KeyVault::Mode::SessionOnly : KeyVault::Mode::Keychain);
    MainWindow window(settings, vault);
    window.show();
    if (parser.isSet(view)) {
        static const QHash<QString, MainWindow::View> views{{QStringLiteral("registry"), MainWindow::RegistryEditor},
                                                            {QStringLiteral("lineage"), MainWindow::Lineage},
                                                            {QStringLiteral("monitor"), MainWindow::Monitor},
                                                            {QStringLiteral("simulator"), MainWindow::Simulator}};
        if (!views.contains(parser.value(view))) {
            qCritical().noquote() << QApplication::translate("main", "mandate: unknown view \"%1\" (registry, lineage, monitor, simulator)")
                                         .arg(parser.value(view));
            return 2;
        }
        window.showView(views.value(parser.value(view)));
    }

    if (parser.isSet(gateway)) {
        const QUrl url = QUrl::fromUserInput(parser.value(gateway));
        const GatewayProfile profile{url.port() > 0 ? QString(url.host() + u':' + QString::number(url.port())) : url.host(), url, parser.value(caFile)};
        window.connectTo(profile, apiKey);
    } else {
        // Nothing to connect to yet: open the connection manager once the window is up.
        QTimer::singleShot(0, &window, [&window] { window.showConnections(); });
    }
    return app.exec();
}
