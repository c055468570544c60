// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <vector>

namespace mandate::ui {

/// One problem in Cedar source at a 1-based line and column (columns count Unicode characters,
/// as the core lexer does). Line 0: the problem has no position (a duplicate @id, say).
struct Diagnostic
{
    int line = 0;
    int column = 0;
    QString message;
};

/// What the core parser says about a candidate policy set: how many policies it holds or why
/// it does not parse. The editor underlines the diagnostics; the view refuses to replay or ship
/// a set that has any.
struct ParseReport
{
    int policies = 0;
    int templates = 0;
    std::vector<Diagnostic> diagnostics;

    bool ok() const { return diagnostics.empty(); }
    static ParseReport of(const QString &source);
};

} // namespace mandate::ui
