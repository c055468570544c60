// SPDX-License-Identifier: Apache-2.0
#include "CommandRegistry.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <memory>

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
    if (value.startsWith(QLatin1String("--"))) {
        args.remove(at);  // the next option stays, to be read as what it is
        missing = true;
        return {};
    }
    args.remove(at, 2);
    if (!isOptionValue(value))
        missing = true;
    return value;
}

bool isOptionValue(const QString &arg)
{
    return !arg.isEmpty() && !arg.startsWith(QLatin1String("--"));
}

bool finishOutput(QFileDevice &file)
{
    // Flushed first: QSaveFile::commit() does not see a failure of the flush it makes itself,
    // and would put a truncated file in place.
    if (!file.flush())
        return false;
    auto *saved = qobject_cast<QSaveFile *>(&file);
    return !saved || saved->commit();
}

Status writeOutputFile(const QString &path, const QByteArray &bytes)
{
    // A device or a pipe (/dev/stdout, >(gzip)) is written in place: replacing it would not
    // reach its reader. A regular file is replaced whole, or written in place only where its
    // directory allows no file beside it.
    const QFileInfo target(path);
    std::unique_ptr<QFileDevice> file;
    if (target.exists() && !target.isFile()) {
        file = std::make_unique<QFile>(path);
    } else {
        auto saved = std::make_unique<QSaveFile>(path);
        saved->setDirectWriteFallback(true);
        file = std::move(saved);
    }
    if (!file->open(QIODevice::WriteOnly) || file->write(bytes) != bytes.size() || !finishOutput(*file))
        return Error{QStringLiteral("io"), QStringLiteral("cannot write %1: %2").arg(path, file->errorString())};
    return Status::success();
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
    if (!dataDir.isEmpty() && !path.isEmpty()) {
        err << "mandatectl: " << what << " takes --data-dir DIR or --db FILE, not both\n";
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
