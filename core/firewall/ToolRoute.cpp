// SPDX-License-Identifier: Apache-2.0
#include "firewall/ToolRoute.h"

namespace mandate::firewall {

namespace {

bool isParameterValue(const QString &segment)
{
    for (const QChar c : segment) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c == u'\\')  // '\\' separates paths on some servers
            return false;
    }
    // Nor what an upstream may read as a dot segment: after NFKC (full-width dots) and with the
    // trailing dots and blanks Windows drops, nothing may be left.
    QString folded = segment.normalized(QString::NormalizationForm_KC);
    while (!folded.isEmpty() && (folded.back() == u'.' || folded.back() == u' '))
        folded.chop(1);
    return !folded.isEmpty();
}

bool isParameterPattern(const QString &segment)
{
    return segment.startsWith(u'{') && segment.endsWith(u'}');
}

} // namespace

std::optional<ToolRoute> ToolRoute::match(const identity::Tool &tool, const QByteArray &method, const QString &subPath)
{
    const QStringList segments = subPath.split(u'/', Qt::SkipEmptyParts);
    for (const identity::ToolAction &action : tool.actions) {
        if (action.method.toLatin1() != method)
            continue;
        const QStringList pattern = action.path.split(u'/', Qt::SkipEmptyParts);
        if (pattern.size() != segments.size())
            continue;
        ToolRoute route{action, {}, segments, pattern};
        bool matches = true;
        for (qsizetype i = 0; i < pattern.size() && matches; ++i) {
            if (isParameterPattern(pattern[i])) {
                matches = isParameterValue(segments[i]);
                route.parameters.insert(pattern[i].mid(1, pattern[i].size() - 2), segments[i]);
            } else {
                matches = pattern[i] == segments[i];
            }
        }
        if (matches)
            return route;
    }
    return std::nullopt;
}

QUrl ToolRoute::upstreamUrl(const QString &upstream, const QList<QPair<QString, QString>> &query) const
{
    QUrl url(upstream, QUrl::StrictMode);
    if (!url.isValid())
        return {};
    QByteArray path = url.path(QUrl::FullyEncoded).toLatin1();
    while (path.endsWith('/'))
        path.chop(1);
    for (qsizetype i = 0; i < segments.size(); ++i) {
        // A value is encoded whole; the registry's own literal segments keep the characters a path
        // segment may hold as they are (RFC 3986 pchar: "/things:batchGet").
        const bool literal = i < pattern.size() && !isParameterPattern(pattern[i]);
        path += '/' + QUrl::toPercentEncoding(segments[i], literal ? QByteArray("!$&'()*+,;=:@") : QByteArray());
    }
    url.setPath(QString::fromLatin1(path), QUrl::StrictMode);
    QByteArray encodedQuery;
    for (const auto &[name, value] : query) {
        if (!encodedQuery.isEmpty())
            encodedQuery += '&';
        encodedQuery += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    url.setQuery(encodedQuery.isEmpty() ? QString() : QString::fromLatin1(encodedQuery), QUrl::StrictMode);
    return url;
}

} // namespace mandate::firewall
