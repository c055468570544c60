// SPDX-License-Identifier: Apache-2.0
// `mandatectl dev id-token`: an ID token from a demo gateway's DEVELOPMENT identity provider.
#include "CommandRegistry.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"

namespace mandate::ctl {

namespace {

const char *const usage =
    "Usage: mandatectl dev id-token --user USER --data-dir DIR [--name NAME] [--ttl SECONDS]\n"
    "\n"
    "Prints an OIDC ID token for USER signed by the development identity provider of the demo\n"
    "gateway whose data directory is DIR (its key is DIR/dev-idp/). DEVELOPMENT ONLY: it signs\n"
    "for any user id; a gateway outside demo mode does not trust it.\n"
    "  --ttl SECONDS   lifetime (default 300, at most 86400)\n"
    "\n"
    "Exit codes: 0 printed, 1 no key in DIR, 2 usage error.\n";

int run(Invocation &io)
{
    QStringList args = io.args;
    int exitCode = Ok;
    const QString command = takeSubcommand(args, usage, io, exitCode);
    if (command.isEmpty())
        return exitCode;
    if (command != QLatin1String("id-token")) {
        io.err << "mandatectl: unknown dev command '" << command << "'\n" << usage;
        return UsageError;
    }
    bool missing = false;
    const QString user = takeOption(args, QStringLiteral("--user"), missing);
    const QString dataDir = takeOption(args, QStringLiteral("--data-dir"), missing);
    const QString name = takeOption(args, QStringLiteral("--name"), missing);
    const QString ttlText = takeOption(args, QStringLiteral("--ttl"), missing);
    if (missing || user.isEmpty() || dataDir.isEmpty() || !args.isEmpty()) {
        io.err << "mandatectl: dev id-token needs --user USER and --data-dir DIR\n" << usage;
        return UsageError;
    }
    qint64 ttl = broker::DevIdentityProvider::kDefaultTtlSecs;
    if (!ttlText.isEmpty()) {
        bool ok = false;
        ttl = ttlText.toLongLong(&ok);
        if (!ok || ttl <= 0 || ttl > 86400) {
            io.err << "mandatectl: --ttl must be a number of seconds from 1 to 86400\n";
            return UsageError;
        }
    }
    SystemClock clock;
    broker::DevIdentityProvider idp(dataDir, clock);
    if (Status opened = idp.open(broker::DevIdentityProvider::Mode::OpenExisting); !opened) {
        io.err << "mandatectl: " << opened.error().message << '\n';
        return Failed;
    }
    auto token = idp.issueIdToken(user, name, ttl);
    if (!token) {
        io.err << "mandatectl: " << token.error().message << '\n';
        return Failed;
    }
    io.err << "mandatectl: DEVELOPMENT-ONLY ID token for user " << user << " (issuer "
           << QLatin1String(broker::DevIdentityProvider::kIssuer) << ", valid " << ttl << " s)\n";
    io.out << QString::fromLatin1(token.value()) << '\n';
    return Ok;
}

const CommandRegistration registration(QStringLiteral("dev"),
                                       {QStringLiteral("development helpers: an ID token from a demo gateway's dev identity provider"), run});

} // namespace

} // namespace mandate::ctl
