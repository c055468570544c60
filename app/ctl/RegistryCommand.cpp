// SPDX-License-Identifier: Apache-2.0
// mandatectl registry list|show|import|export|validate: the registry of a gateway's database.
#include "CommandRegistry.h"
#include "GatewayCall.h"

#include "common/Clock.h"
#include "json/JsonReader.h"
#include "registry/Registry.h"
#include "store/Database.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace mandate::ctl {

namespace {

const char *const usage =
    "Usage: mandatectl registry <command> --data-dir DIR [options]\n"
    "       mandatectl registry import FILE --gateway URL [--api-key-file F]\n"
    "\n"
    "Commands:\n"
    "  list [agents|tools|humans|machines] [--status S] [--owner H]   one line per record\n"
    "  show KIND ID                      the record as JSON\n"
    "  export [--output FILE]            the whole registry as JSON (stdout by default)\n"
    "  import FILE                       create or update every record of FILE, all or nothing, through\n"
    "                                    a running gateway (admin key), which audits the change\n"
    "  validate FILE                     check FILE as import would, without writing\n"
    "\n"
    "Options:\n"
    "  --data-dir DIR   the gateway's data directory (its mandate.db)\n"
    "  --db FILE        a database file instead of --data-dir\n"
    "  --gateway URL    the gateway an import goes through; --api-key-file F or MANDATE_API_KEY\n"
    "\n"
    "Exit codes: 0 ok, 1 invalid records / not found, 2 usage or input error.\n";

void printErrors(QTextStream &err, const Error &error)
{
    err << "mandatectl: " << error.toString() << '\n';
    for (const Error &detail : error.details)
        err << "  " << detail.toString() << '\n';
}

Result<QJsonObject> readDocument(const QString &path)
{
    QFile file(path);
    if (path == QLatin1String("-") ? !file.open(stdin, QIODevice::ReadOnly) : !file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    json::Limits limits;
    limits.maxBytes = 64 << 20;
    limits.maxStringBytes = limits.maxBytes;
    Result<QJsonValue> value = json::parse(file.readAll(), limits);
    if (!value) {
        Error error = value.error();
        error.path = path + u':' + error.path;
        return error;
    }
    if (!value->isObject())
        return Error{QStringLiteral("invalid"), QStringLiteral("%1: expected a JSON object").arg(path)};
    return value->toObject();
}

template<typename Record>
void printLines(QTextStream &out, const std::vector<Record> &records, const std::function<QString(const Record &)> &describe)
{
    for (const Record &record : records)
        out << record.id << '\t' << describe(record) << '\n';
}

int list(registry::Registry &registry, QStringList &args, Invocation &io)
{
    bool missing = false;
    registry::AgentFilter filter;
    filter.status = takeOption(args, QStringLiteral("--status"), missing);
    filter.owner = takeOption(args, QStringLiteral("--owner"), missing);
    if (missing) {
        io.err << "mandatectl: an option lacks its value\n";
        return UsageError;
    }
    const QString kind = args.isEmpty() ? QStringLiteral("agents") : args.takeFirst();
    if (!args.isEmpty()) {
        io.err << "mandatectl: unexpected arguments: " << args.join(u' ') << '\n';
        return UsageError;
    }
    const auto fail = [&io](const Error &e) { printErrors(io.err, e); return Failed; };
    if (kind == QLatin1String("agents")) {
        auto agents = registry.agents(filter);
        if (!agents) return fail(agents.error());
        printLines<identity::Agent>(io.out, agents.value(), [](const identity::Agent &a) -> QString {
            return identity::Agent::statusName(a.status) + u'\t' + a.owner + u'\t' + a.allowedActions.join(u',');
        });
    } else if (kind == QLatin1String("tools")) {
        auto tools = registry.tools();
        if (!tools) return fail(tools.error());
        printLines<identity::Tool>(io.out, tools.value(), [](const identity::Tool &t) -> QString {
            QStringList actions;
            for (const auto &a : t.actions) actions << a.name;
            return t.upstream + u'\t' + actions.join(u',');
        });
    } else if (kind == QLatin1String("humans")) {
        auto humans = registry.humans();
        if (!humans) return fail(humans.error());
        printLines<identity::Human>(io.out, humans.value(), [](const identity::Human &h) -> QString { return h.displayName + u'\t' + h.issuer; });
    } else if (kind == QLatin1String("machines")) {
        auto machines = registry.machines();
        if (!machines) return fail(machines.error());
        printLines<identity::Machine>(io.out, machines.value(), [](const identity::Machine &m) -> QString { return m.machineKind + u'\t' + m.owner; });
    } else {
        io.err << "mandatectl: unknown record kind '" << kind << "' (agents, tools, humans, machines)\n";
        return UsageError;
    }
    return Ok;
}

int show(registry::Registry &registry, QStringList &args, Invocation &io)
{
    if (args.size() != 2) {
        io.err << "mandatectl: registry show needs KIND and ID\n";
        return UsageError;
    }
    const QString kind = args[0];
    const QString id = args[1];
    Result<QJsonObject> json = Error{QStringLiteral("usage"), QString()};
    if (kind == QLatin1String("agent") || kind == QLatin1String("agents")) {
        auto r = registry.agent(id); json = r ? Result<QJsonObject>(r->toJson()) : Result<QJsonObject>(r.error());
    } else if (kind == QLatin1String("tool") || kind == QLatin1String("tools")) {
        auto r = registry.tool(id); json = r ? Result<QJsonObject>(r->toJson()) : Result<QJsonObject>(r.error());
    } else if (kind == QLatin1String("human") || kind == QLatin1String("humans")) {
        auto r = registry.human(id); json = r ? Result<QJsonObject>(r->toJson()) : Result<QJsonObject>(r.error());
    } else if (kind == QLatin1String("machine") || kind == QLatin1String("machines")) {
        auto r = registry.machine(id); json = r ? Result<QJsonObject>(r->toJson()) : Result<QJsonObject>(r.error());
    } else {
        io.err << "mandatectl: unknown record kind '" << kind << "' (agent, tool, human, machine)\n";
        return UsageError;
    }
    if (!json) {
        printErrors(io.err, json.error());
        return Failed;
    }
    io.out << QJsonDocument(json.value()).toJson(QJsonDocument::Indented);
    return Ok;
}

/// An import changes the registry, so it goes through a running gateway, never into the database
/// file: the gateway checks it, writes its admin_change audit record in the same transaction,
/// and its caches (agents, tools, humans) learn of it at once.
int importThroughGateway(QStringList &args, Invocation &io)
{
    bool missing = false;
    const QString gateway = takeOption(args, QStringLiteral("--gateway"), missing);
    const QString keyFile = takeOption(args, QStringLiteral("--api-key-file"), missing);
    if (missing) {
        io.err << "mandatectl: an option lacks its value\n";
        return UsageError;
    }
    if (args.contains(QStringLiteral("--data-dir")) || args.contains(QStringLiteral("--db"))) {
        io.err << "mandatectl: registry import changes the registry, so it goes through a running gateway, which audits "
                  "it: use --gateway URL (--data-dir and --db are for reading)\n";
        return UsageError;
    }
    if (gateway.isEmpty() || args.size() != 1) {
        io.err << "mandatectl: registry import needs one FILE and --gateway URL\n";
        return UsageError;
    }
    const Result<QUrl> url = gatewayUrl(gateway);
    if (!url) {
        printErrors(io.err, url.error());
        return UsageError;
    }
    Result<QJsonObject> document = readDocument(args.first());
    if (!document) {
        printErrors(io.err, document.error());
        return UsageError;
    }
    const Result<QByteArray> key = apiKey(keyFile);
    if (!key) {
        printErrors(io.err, key.error());
        return UsageError;
    }
    // A large registry is checked and written in one transaction: allow it the time.
    const Result<QJsonObject> summary = callGateway(url.value(), "POST", QStringLiteral("/v1/registry/import"), key.value(),
                                                    QJsonDocument(document.value()).toJson(QJsonDocument::Compact), 300'000);
    if (!summary) {
        printErrors(io.err, summary.error());
        if (summary.error().message.startsWith(QLatin1String("the gateway answered 413")))
            io.err << "  the file is larger than the gateway takes in one request: raise max-body-bytes in its [limits]\n";
        return Failed;
    }
    io.out << "imported: " << summary->value(QStringLiteral("created")).toInteger() << " created, "
           << summary->value(QStringLiteral("updated")).toInteger() << " updated\n";
    return Ok;
}

int run(Invocation &io)
{
    QStringList args = io.args;
    int exitCode = Ok;
    const QString command = takeSubcommand(args, usage, io, exitCode);
    if (command.isEmpty())
        return exitCode;
    if (command == QLatin1String("import"))
        return importThroughGateway(args, io);
    static const QStringList local{QStringLiteral("list"), QStringLiteral("show"), QStringLiteral("export"), QStringLiteral("validate")};
    if (!local.contains(command)) {
        io.err << "mandatectl: unknown registry command '" << command << "'\n" << usage;
        return UsageError;
    }
    bool missing = false;
    const QString output = takeOption(args, QStringLiteral("--output"), missing);
    if (missing) {
        io.err << "mandatectl: --output needs a file\n";
        return UsageError;
    }
    if (!output.isEmpty() && command != QLatin1String("export")) {
        io.err << "mandatectl: --output applies to registry export only\n";
        return UsageError;
    }
    const QString dbPath = takeDatabasePath(args, QStringLiteral("registry ") + command, io.err);
    if (dbPath.isEmpty())
        return UsageError;
    auto database = store::Database::openReadOnly(dbPath);
    if (!database) {
        printErrors(io.err, database.error());
        return UsageError;
    }
    SystemClock clock;
    registry::Registry registry(*database.value(), clock);

    if (command == QLatin1String("list"))
        return list(registry, args, io);
    if (command == QLatin1String("show"))
        return show(registry, args, io);
    if (command == QLatin1String("export")) {
        if (!args.isEmpty()) {
            io.err << "mandatectl: unexpected arguments: " << args.join(u' ') << '\n';
            return UsageError;
        }
        auto exported = registry.exportJson();
        if (!exported) {
            printErrors(io.err, exported.error());
            return Failed;
        }
        const QByteArray text = QJsonDocument(exported.value()).toJson(QJsonDocument::Indented);
        if (output.isEmpty()) {
            io.out << text;
            return Ok;
        }
        if (Status written = writeOutputFile(output, text); !written) {
            io.err << "mandatectl: " << written.error().message << '\n';
            return Failed;
        }
        return Ok;
    }
    if (command == QLatin1String("validate")) {
        if (args.size() != 1) {
            io.err << "mandatectl: registry " << command << " needs one FILE\n";
            return UsageError;
        }
        Result<QJsonObject> document = readDocument(args.first());
        if (!document) {
            printErrors(io.err, document.error());
            return UsageError;
        }
        const Status valid = registry.validateImport(document.value());
        if (!valid) {
            printErrors(io.err, valid.error());
            return Failed;
        }
        io.out << args.first() << ": valid\n";
        return Ok;
    }
    io.err << "mandatectl: unknown registry command '" << command << "'\n" << usage;
    return UsageError;
}

const CommandRegistration registration(QStringLiteral("registry"),
                                       {QStringLiteral("list, show, import, export or validate the agent registry"), run});

} // namespace

} // namespace mandate::ctl
