// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <vector>

namespace mandate {

/// A failure with a stable machine-readable code and a message a person can act on.
/// `path` locates the offending input when there is one (`agents[3].allowedActions[1]`,
/// `policies.cedar:4:17`).
struct Error
{
    Error() = default;
    Error(QString code, QString message, QString path = {})
        : code(std::move(code)), message(std::move(message)), path(std::move(path)) {}

    QString code;
    QString message;
    QString path;
    /// Every individual problem when one operation found several (an import, a form).
    std::vector<Error> details;

    /// "path: message" when a path is known, the message alone otherwise.
    QString toString() const { return path.isEmpty() ? message : path + QStringLiteral(": ") + message; }
};

} // namespace mandate
