// SPDX-License-Identifier: Apache-2.0
#include "PolicyDiagnostics.h"

#include "policy/PolicySet.h"

namespace mandate::ui {

namespace {

/// The parser puts "line:column" in Error::path.
Diagnostic diagnosticOf(const Error &error)
{
    Diagnostic diagnostic;
    diagnostic.message = error.message;
    const QStringList position = error.path.split(u':');
    if (position.size() == 2) {
        bool lineOk = false;
        bool columnOk = false;
        const int line = position[0].toInt(&lineOk);
        const int column = position[1].toInt(&columnOk);
        if (lineOk && columnOk && line > 0 && column > 0) {
            diagnostic.line = line;
            diagnostic.column = column;
            return diagnostic;
        }
    }
    if (!error.path.isEmpty())
        diagnostic.message = error.toString();
    return diagnostic;
}

} // namespace

ParseReport ParseReport::of(const QString &source)
{
    ParseReport report;
    const QByteArray utf8 = source.toUtf8();
    const Result<policy::PolicySet> parsed = policy::PolicySet::parseStatic(std::string_view(utf8.constData(), size_t(utf8.size())));
    if (!parsed) {
        report.diagnostics.push_back(diagnosticOf(parsed.error()));
        for (const Error &detail : parsed.error().details)
            report.diagnostics.push_back(diagnosticOf(detail));
        return report;
    }
    report.policies = static_cast<int>(parsed->policies().size());
    report.templates = static_cast<int>(parsed->templates().size());
    return report;
}

} // namespace mandate::ui
