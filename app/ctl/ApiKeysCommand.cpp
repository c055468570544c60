// SPDX-License-Identifier: Apache-2.0
// `mandatectl api-keys list|create|revoke --gateway URL`: the admin API keys of a running
// gateway (/v1/api-keys). Every operation needs the admin role and is audited by the gateway.
#include "CommandRegistry.h"
#include "GatewayCall.h"

#include "api/ApiKeyStore.h"
#include "common/PrivateFile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>


namespace mandate::ctl {

namespace {

const char *const usage =
    "Usage: mandatectl api-keys <command> --gateway URL [--api-key-file F] [--json]\n"
    "\n"
    "  list                             every admin API key: id, role, name, creation time\n"
    "  create --name N --role R         a new key with role R (admin, auditor or analyst). Its text\n"
    "         [--out FILE]              is printed, or written to FILE (a new file readable by you\n"
    "                                   only): the gateway keeps only a hash, so this is the only\n"
    "                                   time it can be read\n"
    "  revoke ID                        revoke a key at once; its event streams are closed. The\n"
    "                                   last admin key cannot be revoked\n"
    "\n"
    "A gateway makes its first admin key at its first start, in DATA/admin.key.\n"
    "The API key is read from --api-key-file F or MANDATE_API_KEY.\n"
    "Exit status: 0 done, 1 the gateway refused or failed, 2 usage error.\n";

int fail(QTextStream &err, const Error &error, int code = Failed)
{
    return reportFailure(err, u"api-keys", error, code);
}

int usageError(QTextStream &err, const QString &message)
{
    return fail(err, Error{QStringLiteral("usage"), message}, UsageError);
}

void printKey(QTextStream &out, const QJsonObject &key)
{
    out << key.value(QStringLiteral("id")).toString() << "  " << qSetFieldWidth(8) << Qt::left
        << key.value(QStringLiteral("role")).toString() << qSetFieldWidth(0) << "  created "
        << key.value(QStringLiteral("createdAt")).toString() << "  " << key.value(QStringLiteral("name")).toString() << '\n';
}

struct Arguments
{
    QString gateway;
    QString keyFile;
    QString name;
    QString role;
    QString out;
    QString id;
    bool asJson = false;
};

/// Takes the options and the one positional argument (revoke's ID); an empty optional after
/// printing the usage error.
std::optional<Arguments> parse(const QString &command, QStringList args, QTextStream &err)
{
    Arguments parsed;
    bool missing = false;
    parsed.gateway = takeOption(args, QStringLiteral("--gateway"), missing);
    parsed.keyFile = takeOption(args, QStringLiteral("--api-key-file"), missing);
    if (command == QLatin1String("create")) {
        parsed.name = takeOption(args, QStringLiteral("--name"), missing);
        parsed.role = takeOption(args, QStringLiteral("--role"), missing);
        parsed.out = takeOption(args, QStringLiteral("--out"), missing);
    }
    parsed.asJson = args.removeAll(QStringLiteral("--json")) > 0;
    if (command == QLatin1String("revoke") && args.size() == 1 && !args.first().startsWith(u'-'))
        parsed.id = args.takeFirst();
    if (missing || !args.isEmpty()) {
        usageError(err, missing ? QStringLiteral("an option has no value (an empty one, or the next option in its place)")
                                : QStringLiteral("unexpected arguments: ") + args.join(u' '));
        return std::nullopt;
    }
    QString problem;
    if (parsed.gateway.isEmpty())
        problem = QStringLiteral("--gateway URL is required");
    else if (command == QLatin1String("create") && (parsed.name.isEmpty() || parsed.role.isEmpty()))
        problem = QStringLiteral("create needs --name and --role");
    else if (command == QLatin1String("create") && !api::roleFromName(parsed.role))
        problem = QStringLiteral("--role must be admin, auditor or analyst");
    else if (command == QLatin1String("revoke") && parsed.id.isEmpty())
        problem = QStringLiteral("revoke needs the key's ID (see mandatectl api-keys list)");
    if (!problem.isEmpty()) {
        usageError(err, problem);
        return std::nullopt;
    }
    return parsed;
}

Result<QJsonObject> call(const QString &command, const Arguments &a, const QUrl &url, const QByteArray &key)
{
    if (command == QLatin1String("list"))
        return callGateway(url, "GET", QStringLiteral("/v1/api-keys"), key);
    if (command == QLatin1String("create")) {
        const QJsonObject body{{QStringLiteral("name"), a.name}, {QStringLiteral("role"), a.role}};
        return callGateway(url, "POST", QStringLiteral("/v1/api-keys"), key, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    return callGateway(url, "DELETE", QStringLiteral("/v1/api-keys/") + QString::fromLatin1(QUrl::toPercentEncoding(a.id)), key);
}

int run(Invocation &io)
{
    QStringList args = io.args;
    int exitCode = Ok;
    const QString command = takeSubcommand(args, usage, io, exitCode);
    if (command.isEmpty())
        return exitCode;
    if (command != QLatin1String("list") && command != QLatin1String("create") && command != QLatin1String("revoke"))
        return usageError(io.err, QStringLiteral("unknown command \"%1\"\n").arg(command) + QLatin1String(usage));
    const std::optional<Arguments> parsed = parse(command, args, io.err);
    if (!parsed)
        return UsageError;
    const Result<QUrl> url = gatewayUrl(parsed->gateway);
    if (!url)
        return fail(io.err, url.error(), UsageError);
    const Result<QByteArray> key = apiKey(parsed->keyFile);
    if (!key)
        return fail(io.err, key.error(), key.error().code == QLatin1String("usage") ? UsageError : Failed);

    // The file for a new key is made before the key: a key whose only copy could not be saved
    // would be live with nobody holding it.
    const bool toFile = command == QLatin1String("create") && !parsed->out.isEmpty();
    if (toFile) {
        if (Status reserved = PrivateFile::create(parsed->out, {}); !reserved)
            return fail(io.err, reserved.error(), UsageError);
    }
    const Result<QJsonObject> answer = call(command, parsed.value(), url.value(), key.value());
    if (!answer) {
        if (toFile)
            QFile::remove(parsed->out);
        return fail(io.err, answer.error());
    }
    QJsonObject shown = answer.value();
    if (toFile) {
        if (Status written = PrivateFile::replace(parsed->out, shown.take(QStringLiteral("key")).toString().toLatin1() + '\n'); !written) {
            // The key exists but its only copy is lost: say which one to revoke.
            QFile::remove(parsed->out);  // the empty file made for it
            io.err << "mandatectl api-keys: key " << shown.value(QStringLiteral("id")).toString()
                   << " was created but could not be saved; revoke it\n";
            return fail(io.err, written.error());
        }
        shown.insert(QStringLiteral("file"), parsed->out);
    }
    if (parsed->asJson) {
        io.out << QString::fromUtf8(QJsonDocument(shown).toJson(QJsonDocument::Indented));
    } else if (command == QLatin1String("list")) {
        for (const QJsonValue value : shown.value(QStringLiteral("items")).toArray())
            printKey(io.out, value.toObject());
    } else {
        io.out << (command == QLatin1String("create") ? "created " : "revoked ");
        printKey(io.out, shown);
        if (shown.contains(QStringLiteral("key")))
            io.out << shown.value(QStringLiteral("key")).toString() << '\n';
        else if (shown.contains(QStringLiteral("file")))
            io.out << "key written to " << shown.value(QStringLiteral("file")).toString() << '\n';
    }
    io.out.flush();
    if (command == QLatin1String("create") && !toFile && io.out.status() != QTextStream::Ok) {
        io.err << "mandatectl api-keys: key " << shown.value(QStringLiteral("id")).toString()
               << " was created but could not be printed; revoke it\n";
        return Failed;
    }
    return Ok;
}

const CommandRegistration registration(QStringLiteral("api-keys"), {QStringLiteral("list, create and revoke a gateway's admin API keys"), run});

} // namespace

} // namespace mandate::ctl
