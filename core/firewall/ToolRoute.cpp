// SPDX-License-Identifier: Apache-2.0
#include "firewall/ToolRoute.h"

namespace mandate::firewall {

std::optional<ToolRoute> ToolRoute::match(const identity::Tool &tool, const QByteArray &method, const QString &subPath)
{
    const QStringList segments = subPath.split(u'/', Qt::SkipEmptyParts);
    for (const identity::ToolAction &action : tool.actions) {
        if (action.method.toLatin1() != method)
            continue;
        const QStringList pattern = action.path.split(u'/', Qt::SkipEmptyParts);
        if (pattern.size() != segments.size())
            continue;
        ToolRoute route{action, {}};
        bool matches = true;
        for (qsizetype i = 0; i < pattern.size() && matches; ++i) {
            if (pattern[i].startsWith(u'{') && pattern[i].endsWith(u'}'))
                route.parameters.insert(pattern[i].mid(1, pattern[i].size() - 2), segments[i]);
            else
                matches = pattern[i] == segments[i];
        }
        if (matches)
            return route;
    }
    return std::nullopt;
}

} // namespace mandate::firewall
