// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QString>

namespace mandate::firewall {

/// One suspicious span of an upstream response (e.g. an instruction aimed at the agent).
struct Finding
{
    QString kind;       ///< "prompt_injection", "secret", ...
    qsizetype offset = 0;
    qsizetype length = 0;
    QString detail;
};

/// Looks at what a tool returned before the agent sees it. The firewall applies the tool's
/// inspection mode to the findings: flag (pass, audit, raise risk), redact (replace the spans),
/// block (withhold the response). The gateway installs its inspector here; with none, nothing
/// is found.
class ResponseInspector
{
public:
    virtual ~ResponseInspector() = default;
    virtual QList<Finding> inspect(const QString &tool, const QString &action, const QByteArray &body) const = 0;
};

} // namespace mandate::firewall
