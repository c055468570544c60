// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Tool.h"

#include <QHash>
#include <optional>

namespace mandate::firewall {

/// The tool action an HTTP request through /v1/tools/{tool}/… performs, found from the method
/// and the path below the tool by the action's path pattern ("/tickets/{id}").
struct ToolRoute
{
    identity::ToolAction action;
    QHash<QString, QString> parameters;  ///< `{id}` segments of the pattern

    static std::optional<ToolRoute> match(const identity::Tool &tool, const QByteArray &method, const QString &subPath);
};

} // namespace mandate::firewall
