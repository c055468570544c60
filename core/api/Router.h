// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/HttpRequest.h"
#include "api/HttpResponse.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <functional>

namespace mandate::api {

/// Path parameters captured by `{name}` segments of a route pattern.
using RouteParams = QHash<QString, QString>;
using Handler = std::function<HttpResponse(const HttpRequest &, const RouteParams &)>;
/// Delivers a response; may be called from any thread, exactly once.
using Completion = std::function<void(HttpResponse)>;
/// A handler that answers later (work on a worker pool), through its Completion.
using AsyncHandler = std::function<void(const HttpRequest &, const RouteParams &, Completion)>;

/// Maps method + path to a handler. Patterns are literal segments and `{name}` captures;
/// a trailing `{name...}` captures the rest of the path. Unknown paths answer 404 and a known
/// path with another method 405 with an Allow header, both as problem+json.
class Router
{
public:
    void add(const QByteArray &method, const QString &pattern, Handler handler);
    void addAsync(const QByteArray &method, const QString &pattern, AsyncHandler handler);

    void dispatch(const HttpRequest &request, const Completion &done) const;
    /// Waits for asynchronous handlers; for tests and tools, never on the server's thread.
    HttpResponse dispatch(const HttpRequest &request) const;

    /// Method and pattern of every route, in the order added, so tests can prove that each
    /// endpoint is covered (a new one cannot be forgotten).
    QList<QPair<QByteArray, QString>> routes() const;

private:
    struct Route
    {
        QByteArray method;
        QStringList segments;
        AsyncHandler handler;
    };
    static bool match(const Route &route, const QStringList &segments, RouteParams &params);

    QList<Route> m_routes;
};

} // namespace mandate::api
