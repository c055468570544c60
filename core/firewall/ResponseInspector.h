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

/// `body` with every finding's span replaced by `marker`. Spans that overlap or touch are
/// merged first (replacing one inside another would shift the text under the other and leave
/// part of it in the clear); spans are clipped to the body.
QByteArray redactFindings(QByteArray body, const QList<Finding> &findings, QByteArrayView marker);

} // namespace mandate::firewall
