// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QFileDevice>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <map>

namespace mandate::ctl {

/// Exit codes shared by every mandatectl command.
enum ExitCode : int {
    Ok = 0,           ///< success; for checks: the check passed / the request was allowed
    Failed = 1,       ///< denied, or a check failed (tampered log, invalid token, ...)
    UsageError = 2,   ///< bad arguments or unreadable / invalid input
};

/// What a command group gets: its arguments (after the group name) and the two streams.
struct Invocation
{
    QStringList args;
    QTextStream &out;
    QTextStream &err;
};

/// A top-level command group (`registry`, `policy`, `token`, ...).
struct CommandGroup
{
    QString summary;                          ///< one line for `mandatectl --help`
    std::function<int(Invocation &)> run;     ///< handles its own sub-commands and --help
};

/// The table of command groups. Each *Command.cpp registers its group with a static
/// CommandRegistration, so adding a group touches no other file.
class CommandRegistry
{
public:
    static std::map<QString, CommandGroup> &groups();
};

/// Takes a group's sub-command (the first argument) out of args. Without one, or with --help,
/// prints `usage` (to out for --help, else to err) and sets `exitCode`; the command is then empty.
QString takeSubcommand(QStringList &args, const char *usage, Invocation &io, int &exitCode);

/// Prints "mandatectl GROUP: message" and each per-field detail to `err`; returns `code`.
int reportFailure(QTextStream &err, QStringView group, const Error &error, int code = Failed);

/// Whether `arg` can be an option's value: not empty (an unset shell variable) and not the next
/// option (`--out --json`).
bool isOptionValue(const QString &arg);

/// Takes `--name value` out of args; empty when absent. Sets `missing` when the value is: none
/// follows, it is empty (an unset shell variable), or it is the next option (`--out --json`).
QString takeOption(QStringList &args, const QString &name, bool &missing);

/// Writes `bytes` to the file `path` whole or not at all (QSaveFile): a failed write leaves the
/// file as it was. Errors are "io", naming the file.
Status writeOutputFile(const QString &path, const QByteArray &bytes);

/// Ends the writing of an output file: flushes it and, for a QSaveFile, commits it. False when
/// either failed (nothing is then put in place).
bool finishOutput(QFileDevice &file);

/// Takes `--data-dir DIR` (meaning DIR/mandate.db) or `--db FILE` out of args and checks that
/// the file exists. On a usage error it says so on `err` (naming `what`, e.g. "audit verify")
/// and returns an empty string.
QString takeDatabasePath(QStringList &args, const QString &what, QTextStream &err);

struct CommandRegistration
{
    CommandRegistration(const QString &name, CommandGroup group)
    {
        CommandRegistry::groups().emplace(name, std::move(group));
    }
};

} // namespace mandate::ctl
