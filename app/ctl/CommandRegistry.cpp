// SPDX-License-Identifier: Apache-2.0
#include "CommandRegistry.h"

#include <QDir>
#include <QFile>

namespace mandate::ctl {

std::map<QString, CommandGroup> &CommandRegistry::groups()
{
    static std::map<QString, CommandGroup> table;
    return table;
}

QString takeSubcommand(QStringList &args, const char *usage, Invocation &io, int &exitCode)
{
    if (args.isEmpty() || args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        (args.isEmpty() ? io.err : io.out) << usage;
        exitCode = args.isEmpty() ? UsageError : Ok;
        return {};
    }
    const QString command = args.takeFirst();
    if (command.isEmpty()) {
        io.err << usage;
        exitCode = UsageError;
    }
    return command;
}

int reportFailure(QTextStream &err, QStringView group, const Error &error, int code)
{
    err << "mandatectl " << group << ": " << error.message << '\n';
    for (const Error &detail : error.details)
        err << "  " << detail.toString() << '\n';
    return code;
}

QString takeOption(QStringList &args, const QString &name, bool &missing)
{
    const qsizetype at = args.indexOf(name);
    if (at < 0)
        return {};
    if (at + 1 >= args.size()) {
        missing = true;
        return {};
    }
    const QString value = args.at(at + 1);
    args.remove(at, 2);
    return value;
}

QString takeDatabasePath(QStringList &args, const QString &what, QTextStream &err)
{
    bool missing = false;
    const QString dataDir = takeOption(args, QStringLiteral("--data-dir"), missing);
    QString path = takeOption(args, QStringLiteral("--db"), missing);
    if (missing || (dataDir.isEmpty() && path.isEmpty())) {
        err << "mandatectl: " << what << " needs --data-dir DIR (or --db FILE)\n";
        return {};
    }
    if (path.isEmpty())
        path = QDir(dataDir).filePath(QStringLiteral("mandate.db"));
    if (!QFile::exists(path)) {
        err << "mandatectl: no database at " << path << '\n';
        return {};
    }
    return path;
}

} // namespace mandate::ctl
