// SPDX-License-Identifier: Apache-2.0
// mandated: the gateway daemon (policy enforcement and decision point, broker, audit, admin API).
#include "Gateway.h"
#include "GatewayOptions.h"

#include "common/AllocatorTuning.h"
#include "common/Logging.h"
#include "crypto/SelfTest.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mandate;

namespace {

int signalPipe[2] = {-1, -1};
/// Set once the gateway drains on a signal; before that a second signal ends the process, so
/// that a start-up that hangs (a lock, a slow disk) can still be stopped.
volatile sig_atomic_t drainsOnSignal = 0;
volatile sig_atomic_t signalsBeforeStart = 0;

void onTerminate(int signal)
{
    const int savedErrno = errno;
    if (!drainsOnSignal) {
        signalsBeforeStart = signalsBeforeStart + 1;
    }
    if (!drainsOnSignal && signalsBeforeStart >= 2) {
        ::signal(signal, SIG_DFL);
        ::raise(signal);
    }
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);  // non-blocking: never stuck here
    errno = savedErrno;
}

/// SIGTERM and SIGINT are caught from the start, before the gateway starts (which opens the
/// database, loads keys, fetches issuers' keys): one that arrives meanwhile is kept in the pipe
/// and drains the gateway as soon as it runs, instead of killing it half-started.
void catchTerminationSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0)
        return;  // the default action stays: the signal ends the process
    ::fcntl(signalPipe[1], F_SETFL, ::fcntl(signalPipe[1], F_GETFL) | O_NONBLOCK);
    struct sigaction action = {};
    action.sa_handler = onTerminate;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

/// A termination signal drains the gateway: it stops listening, lets in-flight calls finish and
/// answer, then the event loop ends and the database closes cleanly. A second signal during the
/// drain stops at once.
void drainOnTerminationSignal(QCoreApplication &app, gateway::Gateway &gateway)
{
    if (signalPipe[0] < 0)
        return;
    drainsOnSignal = 1;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app, &gateway, draining = false]() mutable {
        char byte = 0;
        [[maybe_unused]] const auto read = ::read(signalPipe[0], &byte, 1);
        if (draining) {
            qCInfo(lcGateway) << "stopping without waiting for calls in flight";
            app.quit();
            return;
        }
        draining = true;
        qCInfo(lcGateway) << "shutting down";
        gateway.drain([&app]() { app.quit(); });
    });
}

} // namespace

int main(int argc, char **argv)
{
    // Everything the gateway writes is its own: the database (audit records, key hashes), its
    // WAL, key files. Nothing it creates is readable by other users, wherever it is put.
    ::umask(077);
    tuneAllocatorForServer();  // before any thread allocates: see AllocatorTuning.h
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mandated"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MANDATE_VERSION));
    QTextStream err(stderr);
    QTextStream out(stdout);
    catchTerminationSignals();

    Result<gateway::GatewayOptions> options = gateway::GatewayOptions::fromArguments(QCoreApplication::arguments());
    if (!options) {
        err << "mandated: " << options.error().toString() << '\n';
        return 2;
    }
    // Known-answer tests of the cryptography before anything is signed or verified.
    if (Status selfTest = crypto::SelfTest::run(); !selfTest) {
        err << "mandated: cryptographic self-test failed, refusing to start: " << selfTest.error().toString() << '\n';
        return 1;
    }
    if (!QDir().mkpath(options->dataDir)) {
        err << "mandated: cannot create data directory " << options->dataDir << '\n';
        return 1;
    }
    QFile::setPermissions(options->dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString databaseDir = QFileInfo(options->databasePath).absolutePath();
    if (!QDir().mkpath(databaseDir)) {
        err << "mandated: cannot create the database's directory " << databaseDir << '\n';
        return 1;
    }
    // A database made by an older version, or copied in, may be readable by others; SQLite
    // gives its WAL and shared-memory files the database's mode.
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QByteArray file = QFile::encodeName(options->databasePath + suffix);
        struct stat info {};
        if (::stat(file.constData(), &info) == 0 && (info.st_mode & 077) != 0 && ::chmod(file.constData(), 0600) != 0) {
            err << "mandated: cannot make " << options->databasePath + suffix << " private to its owner\n";
            return 1;
        }
    }

    gateway::Gateway gateway(options.value());
    if (Status started = gateway.start(out); !started) {
        err << "mandated: " << started.error().toString() << '\n';
        return started.error().code == QLatin1String("usage") ? 2 : 1;
    }
    drainOnTerminationSignal(app, gateway);
    return app.exec();
}
