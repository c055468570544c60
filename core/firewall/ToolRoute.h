// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "identity/Tool.h"

#include <QHash>
#include <QUrl>

#include <optional>

namespace mandate::firewall {

/// The tool action an HTTP request through /v1/tools/{tool}/… performs, found from the method
/// and the (decoded) path below the tool by the action's path pattern ("/tickets/{id}").
struct ToolRoute
{
    identity::ToolAction action;
    QHash<QString, QString> parameters;  ///< `{id}` segments of the pattern
    QStringList segments;                ///< the path's decoded segments, in order
    QStringList pattern;                 ///< the action's pattern segments they matched

    /// A `{param}` segment matches any text but what could move the upstream's path ("..", "．．",
    /// ". .", anything with a backslash) and text with control characters.
    static std::optional<ToolRoute> match(const identity::Tool &tool, const QByteArray &method, const QString &subPath);

    /// The upstream URL of this call: the tool's `upstream` with the segments appended, each
    /// percent-encoded whole, so that the upstream decodes exactly the values the policy saw
    /// ("%", "/", "?" and "#" inside a value stay inside it). `query` is (name, value) pairs, in
    /// order, encoded the same way. Invalid when `upstream` is not a valid URL.
    QUrl upstreamUrl(const QString &upstream, const QList<QPair<QString, QString>> &query) const;
};

} // namespace mandate::firewall
