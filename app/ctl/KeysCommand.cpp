// SPDX-License-Identifier: Apache-2.0
// `mandatectl keys list|rotate --gateway URL`: the broker's signing keys on a running gateway
// (GET /v1/keys, POST /v1/keys/rotate). Rotation needs the admin role.
#include "CommandRegistry.h"
#include "GatewayCall.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace mandate::ctl {

namespace {

const char *const usage =
    "Usage: mandatectl keys <command> --gateway URL [--api-key-file F] [--json]\n"
    "\n"
    "  list                      the signing keys: which one signs, which are retiring and when\n"
    "  rotate [--overlap SECS]   make a new key current; the previous one stays published for\n"
    "                            SECS seconds (default: the longest token lifetime plus clock skew,\n"
    "                            so no token stops working). --overlap 0 after a key compromise:\n"
    "                            every token the old key signed stops working at once. Gateways\n"
    "                            sharing the data directory follow within a second.\n"
    "\n"
    "The API key is read from --api-key-file F or MANDATE_API_KEY.\n"
    "Exit status: 0 done, 1 the gateway refused or failed, 2 usage error.\n";

int fail(QTextStream &err, const Error &error, int code = Failed)
{
    return reportFailure(err, u"keys", error, code);
}

void printRing(QTextStream &out, const QJsonObject &ring)
{
    for (const QJsonValue value : ring.value(QStringLiteral("keys")).toArray()) {
        const QJsonObject key = value.toObject();
        out << key.value(QStringLiteral("kid")).toString() << "  created " << key.value(QStringLiteral("createdAt")).toString();
        if (key.value(QStringLiteral("current")).toBool())
            out << "  current (signs)";
        else if (key.contains(QStringLiteral("retireAfter")))
            out << "  retiring at " << key.value(QStringLiteral("retireAfter")).toString();
        out << '\n';
    }
}

int run(Invocation &io)
{
    QStringList args = io.args;
    int exitCode = Ok;
    const QString command = takeSubcommand(args, usage, io, exitCode);
    if (command.isEmpty())
        return exitCode;
    if (command != QLatin1String("list") && command != QLatin1String("rotate"))
        return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("unknown command \"%1\"\n").arg(command) + QLatin1String(usage)},
                    UsageError);
    bool missing = false;
    const QString gateway = takeOption(args, QStringLiteral("--gateway"), missing);
    const QString keyFile = takeOption(args, QStringLiteral("--api-key-file"), missing);
    const QString overlapText = command == QLatin1String("rotate") ? takeOption(args, QStringLiteral("--overlap"), missing) : QString();
    const bool asJson = args.removeAll(QStringLiteral("--json")) > 0;
    if (missing || !args.isEmpty())
        return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("unexpected or incomplete arguments: ") + args.join(u' ')}, UsageError);
    if (gateway.isEmpty())
        return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("--gateway URL is required")}, UsageError);
    const Result<QUrl> url = gatewayUrl(gateway);
    if (!url)
        return fail(io.err, url.error(), UsageError);
    QJsonObject body;
    if (!overlapText.isEmpty()) {
        bool ok = false;
        const qint64 overlap = overlapText.toLongLong(&ok);
        if (!ok || overlap < 0)
            return fail(io.err, Error{QStringLiteral("usage"), QStringLiteral("--overlap must be a whole number of seconds")}, UsageError);
        body.insert(QStringLiteral("overlap_seconds"), overlap);
    }
    const Result<QByteArray> key = apiKey(keyFile);
    if (!key)
        return fail(io.err, key.error(), key.error().code == QLatin1String("usage") ? UsageError : Failed);

    const Result<QJsonObject> ring = command == QLatin1String("list")
        ? callGateway(url.value(), "GET", QStringLiteral("/v1/keys"), key.value())
        : callGateway(url.value(), "POST", QStringLiteral("/v1/keys/rotate"), key.value(), QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!ring)
        return fail(io.err, ring.error());
    if (asJson)
        io.out << QString::fromUtf8(QJsonDocument(ring.value()).toJson(QJsonDocument::Indented));
    else
        printRing(io.out, ring.value());
    return Ok;
}

const CommandRegistration registration(QStringLiteral("keys"), {QStringLiteral("list and rotate a gateway's signing keys"), run});

} // namespace

} // namespace mandate::ctl
