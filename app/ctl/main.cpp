// SPDX-License-Identifier: Apache-2.0
// mandatectl: the scripting CLI. Exit codes: 0 ok, 1 denied / failed check, 2 usage or input error.
#include "CommandRegistry.h"

#include <QCoreApplication>

#include <cerrno>
#include <cstdio>

using namespace mandate::ctl;

namespace {

void printUsage(QTextStream &stream)
{
    stream << "Usage: mandatectl <command> [options]\n\nCommands:\n";
    for (const auto &[name, group] : CommandRegistry::groups())
        stream << "  " << name.leftJustified(10) << "  " << group.summary << '\n';
    stream << "\nRun 'mandatectl <command> --help' for a command's options.\n";
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mandatectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MANDATE_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty()) {
        printUsage(err);
        return UsageError;
    }
    const QString name = args.takeFirst();
    if (name == QLatin1String("--help") || name == QLatin1String("-h") || name == QLatin1String("help")) {
        printUsage(out);
        return Ok;
    }
    if (name == QLatin1String("--version")) {
        out << "mandatectl " << QCoreApplication::applicationVersion() << '\n';
        return Ok;
    }
    const auto &groups = CommandRegistry::groups();
    const auto it = groups.find(name);
    if (it == groups.end()) {
        err << "mandatectl: unknown command '" << name << "'\n";
        printUsage(err);
        return UsageError;
    }
    // An option given twice is a mistake (which value was meant?): refused for every command,
    // where taking one of them would act on what the caller may not have meant.
    QStringList seen;
    for (const QString &arg : std::as_const(args)) {
        if (!arg.startsWith(QLatin1String("--")) || arg.size() == 2)
            continue;
        const QString option = arg.section(u'=', 0, 0);
        if (seen.contains(option)) {
            err << "mandatectl: " << option << " is given twice\n";
            return UsageError;
        }
        seen << option;
    }
    Invocation invocation{args, out, err};
    const int code = it->second.run(invocation);
    // What a command printed is its result (a new API key, a query's records): output that did
    // not reach its reader is a failure, whatever the command itself said.
    out.flush();
    if (out.status() != QTextStream::Ok || std::fflush(stdout) != 0 || std::ferror(stdout)) {
        err << "mandatectl: cannot write to standard output: " << qt_error_string(errno) << '\n';
        return code == Ok ? Failed : code;
    }
    return code;
}
