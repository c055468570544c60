// SPDX-License-Identifier: Apache-2.0
#include "firewall/ResponseInspector.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace mandate::firewall {

QByteArray redactFindings(QByteArray body, const QList<Finding> &findings, QByteArrayView marker)
{
    std::vector<std::pair<qsizetype, qsizetype>> spans;  // [begin, end), within the body
    for (const Finding &finding : findings) {
        const qsizetype begin = std::clamp<qsizetype>(finding.offset, 0, body.size());
        const qsizetype end = std::clamp<qsizetype>(finding.offset + std::max<qsizetype>(finding.length, 0), begin, body.size());
        if (end > begin)
            spans.emplace_back(begin, end);
    }
    std::sort(spans.begin(), spans.end());
    std::vector<std::pair<qsizetype, qsizetype>> merged;
    for (const auto &span : spans) {
        if (!merged.empty() && span.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, span.second);
        else
            merged.push_back(span);
    }
    // From the end, so that the earlier offsets stay valid.
    for (auto it = merged.crbegin(); it != merged.crend(); ++it)
        body.replace(it->first, it->second - it->first, marker);
    return body;
}

} // namespace mandate::firewall
