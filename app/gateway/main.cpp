// SPDX-License-Identifier: Apache-2.0
// mandated: the gateway daemon (policy enforcement and decision point, broker, audit, admin API).
#include "DemoSetup.h"
#include "GatewayOptions.h"
#include "HttpFrontend.h"

#include "api/DemoBusinessApi.h"
#include "api/GatewayApi.h"
#include "common/Logging.h"
#include "store/Database.h"

#include <QCoreApplication>
#include <QDir>
#include <QSocketNotifier>
#include <QTcpServer>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

using namespace mandate;

namespace {

int signalPipe[2] = {-1, -1};

void onTerminate(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

/// SIGTERM / SIGINT quit the event loop, so that in-flight requests finish and the database
/// closes cleanly.
void installSignalHandlers(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app]() {
        char byte = 0;
        [[maybe_unused]] const auto read = ::read(signalPipe[0], &byte, 1);
        qCInfo(lcGateway) << "shutting down";
        app.quit();
    });
    struct sigaction action = {};
    action.sa_handler = onTerminate;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mandated"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MANDATE_VERSION));
    QTextStream err(stderr);
    QTextStream out(stdout);

    Result<gateway::GatewayOptions> options = gateway::GatewayOptions::fromArguments(QCoreApplication::arguments());
    if (!options) {
        err << "mandated: " << options.error().toString() << '\n';
        return 2;
    }
    if (!QDir().mkpath(options->dataDir)) {
        err << "mandated: cannot create data directory " << options->dataDir << '\n';
        return 1;
    }
    QFile::setPermissions(options->dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    const QString dbPath = QDir(options->dataDir).filePath(QStringLiteral("mandate.db"));
    auto database = store::Database::open(dbPath);
    if (!database) {
        err << "mandated: " << database.error().toString() << '\n';
        return 1;
    }
    SystemClock clock;
    registry::Registry registry(*database.value(), clock);
    api::ApiKeyStore keys(*database.value(), clock);
    api::GatewayApi gatewayApi({registry, keys, clock, options->gatewayId});
    api::DemoBusinessApi demoBusiness;

    auto *tcp = new QTcpServer(&app);
    if (!tcp->listen(options->listenAddress, options->listenPort)) {
        err << "mandated: cannot listen on " << options->listenAddress.toString() << ':' << options->listenPort
            << ": " << tcp->errorString() << '\n';
        return 1;
    }
    const QString baseUrl = QStringLiteral("http://%1:%2").arg(
        options->listenAddress.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + options->listenAddress.toString() + u']'
                                                                            : options->listenAddress.toString())
                                .arg(tcp->serverPort());
    if (options->demo) {
        demoBusiness.install(gatewayApi.router());
        gateway::DemoSetup demo(registry, keys, options->dataDir, baseUrl + QStringLiteral("/demo-api"));
        if (Status prepared = demo.run(); !prepared) {
            err << "mandated: demo setup failed: " << prepared.error().toString() << '\n';
            return 1;
        }
        out << "Demo mode (development only): data in " << QDir(options->dataDir).absolutePath() << '\n'
            << "  admin API key:  " << QDir(options->dataDir).absoluteFilePath(QStringLiteral("admin.key")) << '\n'
            << "  auditor key:    " << QDir(options->dataDir).absoluteFilePath(QStringLiteral("auditor.key")) << '\n'
            << "  analyst key:    " << QDir(options->dataDir).absoluteFilePath(QStringLiteral("analyst.key")) << '\n';
    }

    gateway::HttpFrontend frontend(gatewayApi, options->maxBodyBytes);
    frontend.bind(tcp);
    installSignalHandlers(app);
    out << "mandated " << MANDATE_VERSION << " listening on " << baseUrl << Qt::endl;
    return app.exec();
}
