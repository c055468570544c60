// SPDX-License-Identifier: Apache-2.0
#include "api/Router.h"

#include <future>

namespace mandate::api {

void Router::add(const QByteArray &method, const QString &pattern, Handler handler)
{
    addAsync(method, pattern, [handler = std::move(handler)](const HttpRequest &request, const RouteParams &params, Completion done) {
        done(handler(request, params));
    });
}

void Router::addAsync(const QByteArray &method, const QString &pattern, AsyncHandler handler)
{
    m_routes.append(Route{method, pattern.split(u'/', Qt::SkipEmptyParts), std::move(handler)});
}

HttpResponse Router::dispatch(const HttpRequest &request) const
{
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    std::future<HttpResponse> response = promise->get_future();
    dispatch(request, [promise](HttpResponse answer) { promise->set_value(std::move(answer)); });
    return response.get();
}

QList<QPair<QByteArray, QString>> Router::routes() const
{
    QList<QPair<QByteArray, QString>> listing;
    for (const Route &route : m_routes)
        listing.append({route.method, u'/' + route.segments.join(u'/')});
    return listing;
}

bool Router::match(const Route &route, const QStringList &segments, RouteParams &params)
{
    params.clear();
    for (qsizetype i = 0; i < route.segments.size(); ++i) {
        const QString &expected = route.segments[i];
        if (expected.startsWith(u'{') && expected.endsWith(QLatin1String("...}"))) {
            if (i >= segments.size())
                return false;
            params.insert(expected.mid(1, expected.size() - 5), segments.mid(i).join(u'/'));
            return true;
        }
        if (i >= segments.size())
            return false;
        if (expected.startsWith(u'{') && expected.endsWith(u'}'))
            params.insert(expected.mid(1, expected.size() - 2), segments[i]);
        else if (expected != segments[i])
            return false;
    }
    return route.segments.size() == segments.size();
}

void Router::dispatch(const HttpRequest &request, const Completion &done) const
{
    const QStringList segments = request.path.split(u'/', Qt::SkipEmptyParts);
    QByteArrayList allowed;
    RouteParams params;
    for (const Route &route : m_routes) {
        if (!match(route, segments, params))
            continue;
        if (route.method == request.method) {
            route.handler(request, params, done);
            return;
        }
        if (!allowed.contains(route.method))
            allowed.append(route.method);
    }
    if (!allowed.isEmpty()) {
        HttpResponse response = HttpResponse::problem(405, QStringLiteral("method-not-allowed"), QStringLiteral("Method not allowed"),
                                                      QStringLiteral("%1 does not accept %2").arg(request.path, QString::fromLatin1(request.method)));
        response.setHeader("Allow", allowed.join(", "));
        done(std::move(response));
        return;
    }
    done(HttpResponse::problem(404, QStringLiteral("not-found"), QStringLiteral("Not found"),
                               QStringLiteral("no endpoint at %1").arg(request.path)));
}

} // namespace mandate::api
