// SPDX-License-Identifier: Apache-2.0
// mandatectl demo traffic: live calls through a demo gateway for the console to show.
#include "CommandRegistry.h"
#include "DemoTraffic.h"

namespace mandate::ctl {

namespace {

const char *const usage =
    "Usage: mandatectl demo traffic --gateway URL --data-dir DIR [options]\n"
    "\n"
    "Drives the demo agents through a gateway started with --demo: token exchanges with the\n"
    "development identity provider of DIR, tool calls (allowed and denied) and sub-delegations.\n"
    "\n"
    "Options:\n"
    "  --rate N        calls per second (default 20)\n"
    "  --duration S    stop after S seconds (default 3600)\n"
    "  --calls N       stop after N calls\n"
    "  --seed N        random seed (default 1)\n"
    "\n"
    "Exit codes: 0 traffic ran, 1 no call got through (or the identity provider failed), 2 usage error.\n";

int run(Invocation &io)
{
    QStringList args = io.args;
    if (args.isEmpty() || args.first() != QLatin1String("traffic") || args.contains(QStringLiteral("--help"))) {
        (args.contains(QStringLiteral("--help")) ? io.out : io.err) << usage;
        return args.contains(QStringLiteral("--help")) ? Ok : UsageError;
    }
    args.removeFirst();
    DemoTraffic::Options options;
    for (qsizetype i = 0; i < args.size(); i += 2) {
        if (i + 1 >= args.size()) {
            io.err << "mandatectl: " << args[i] << " needs a value\n";
            return UsageError;
        }
        const QString &name = args[i];
        const QString &value = args[i + 1];
        bool ok = true;
        if (name == QLatin1String("--gateway")) {
            options.gateway = QUrl(value, QUrl::StrictMode);
            const QString scheme = options.gateway.scheme();
            ok = options.gateway.isValid() && !options.gateway.host().isEmpty()
                 && (scheme == QLatin1String("http") || scheme == QLatin1String("https"));
        } else if (name == QLatin1String("--data-dir")) {
            options.dataDir = value;
        } else if (name == QLatin1String("--rate")) {
            options.callsPerSecond = value.toDouble(&ok);
            ok = ok && options.callsPerSecond > 0 && options.callsPerSecond <= 1000;
        } else if (name == QLatin1String("--duration")) {
            options.durationSecs = value.toInt(&ok);
            ok = ok && options.durationSecs > 0;
        } else if (name == QLatin1String("--calls")) {
            options.maxCalls = value.toLongLong(&ok);
            ok = ok && options.maxCalls > 0;
        } else if (name == QLatin1String("--seed")) {
            options.seed = value.toUInt(&ok);
        } else {
            io.err << "mandatectl: unknown option " << name << '\n' << usage;
            return UsageError;
        }
        if (!ok) {
            io.err << "mandatectl: bad value for " << name << ": " << value << '\n';
            return UsageError;
        }
    }
    if (options.gateway.isEmpty() || options.dataDir.isEmpty()) {
        io.err << "mandatectl: demo traffic needs --gateway and --data-dir\n";
        return UsageError;
    }
    DemoTraffic traffic(options, io.out, io.err);
    return traffic.run();
}

const CommandRegistration registration(QStringLiteral("demo"), {QStringLiteral("drive demo agents through a demo gateway"), run});

} // namespace

} // namespace mandate::ctl
