// SPDX-License-Identifier: Apache-2.0
#include "api/PolicyEndpoints.h"

#include "api/IfMatch.h"
#include "api/PlainNumber.h"
#include "api/RequestBody.h"

#include <QJsonArray>

#include <limits>

namespace mandate::api {

using registry::PolicyStore;
using registry::PolicyVersion;

namespace {

/// A policy version in a path: digits only ("abc", "+3" and " 3" are not versions), from 1 on.
Result<qint64> versionNumber(const QString &text)
{
    const std::optional<qint64> number = plainNumber(text, 1, std::numeric_limits<qint64>::max());
    if (!number)
        return Error{QStringLiteral("bad_request"), QStringLiteral("a policy version is a number from 1 on, not \"%1\"").arg(text),
                     QStringLiteral("version")};
    return *number;
}

QJsonObject toJson(const PolicyVersion &version, bool withSource)
{
    QJsonObject json{{QStringLiteral("version"), version.version},
                     {QStringLiteral("author"), version.author},
                     {QStringLiteral("comment"), version.comment},
                     {QStringLiteral("createdAt"), version.createdAt.toUTC().toString(Qt::ISODate)}};
    if (withSource)
        json.insert(QStringLiteral("source"), version.source);
    return json;
}

HttpResponse versionResponse(const PolicyVersion &version, int status = 200)
{
    HttpResponse response = HttpResponse::json(toJson(version, true), status);
    response.setHeader("ETag", IfMatch::etag(version.version));
    return response;
}

/// Reads {"source": "...", "comment": "..."}: nothing else, and a comment of at most
/// kMaxCommentLength characters (it is stored with the version and copied into its record).
Result<std::pair<QString, QString>> sourceFromBody(const HttpRequest &request)
{
    constexpr qsizetype kMaxCommentLength = 1000;
    Result<QJsonObject> body = RequestBody::jsonObject(request);
    if (!body)
        return body.error();
    for (const QString &key : body->keys()) {
        if (key != QLatin1String("source") && key != QLatin1String("comment"))
            return Error{QStringLiteral("bad_request"), QStringLiteral("unknown member \"%1\": the body is {\"source\", \"comment\"}").arg(key), key};
    }
    const QJsonValue source = body->value(QStringLiteral("source"));
    if (!source.isString())
        return Error{QStringLiteral("bad_request"), QStringLiteral("the body needs \"source\": the Cedar policy text")};
    const QJsonValue comment = body->value(QStringLiteral("comment"));
    if (!comment.isUndefined() && (!comment.isString() || comment.toString().size() > kMaxCommentLength))
        return Error{QStringLiteral("bad_request"), QStringLiteral("\"comment\" must be a string of at most %1 characters").arg(kMaxCommentLength),
                     QStringLiteral("comment")};
    return std::pair{source.toString(), comment.toString()};
}

HttpResponse publishFailure(PolicyStore &policies, const Error &error)
{
    if (error.code == QLatin1String("conflict")) {
        if (auto current = policies.current()) {
            HttpResponse response = HttpResponse::fromError(error, {{QStringLiteral("currentVersion"), current->version},
                                                                    {QStringLiteral("current"), toJson(current.value(), true)}});
            response.setHeader("ETag", IfMatch::etag(current->version));
            return response;
        }
    }
    return HttpResponse::fromError(error);
}

/// The active set before a publish, for its admin_change record (null when there is none).
QJsonValue activeBefore(PolicyStore &policies)
{
    Result<PolicyVersion> current = policies.current();
    return current ? QJsonValue(toJson(current.value(), true)) : QJsonValue();
}

/// Publishes `source` together with its admin_change record (fail closed: a set the audit log
/// cannot record is not published). The record's "after" is the version as it will be stored.
HttpResponse publishRecorded(PolicyStore &policies, AuditTrail &trail, const HttpRequest &request, const ApiPrincipal &caller,
                             const QString &source, qint64 expected, const QString &comment, const QJsonObject &details = {})
{
    // Parsed here, not in the audit writer's transaction that every call waits on.
    Result<policy::PolicySet> parsed = PolicyStore::check(source);
    if (!parsed)
        return publishFailure(policies, PolicyStore::refusedSet(parsed.error()));
    const QJsonValue before = activeBefore(policies);
    const PolicyVersion after{expected + 1, source, caller.name, comment, policies.now()};
    PolicyVersion published;
    const Status made = trail.applyAdminChange(request, caller, QStringLiteral("policy:v%1").arg(after.version), before,
                                               toJson(after, true), [&] {
        return takeValue(policies.publishParsed(source, parsed.value(), expected, caller.name, comment, after.createdAt), published);
    }, details);
    return made ? versionResponse(published) : publishFailure(policies, made.error());
}

} // namespace

void PolicyEndpoints::installSchema(Router &router, const AdminAuth &auth, const QByteArray &schemaText)
{
    router.add("GET", QStringLiteral("/v1/policies/schema"), [&auth, source = QString::fromUtf8(schemaText)](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadPolicies, [&](const ApiPrincipal &) {
            return HttpResponse::json(QJsonObject{{QStringLiteral("source"), source}});
        });
    });
}

void PolicyEndpoints::install(Router &router, PolicyStore &policies, const AdminAuth &auth, AuditTrail &trail)
{
    router.add("GET", QStringLiteral("/v1/policies"), [&](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadPolicies, [&](const ApiPrincipal &) {
            Result<PolicyVersion> current = policies.current();
            if (!current && current.error().code == QLatin1String("not_found"))
                return versionResponse(PolicyVersion{0, QString(), QString(), QString(), QDateTime::fromSecsSinceEpoch(0, Qt::UTC)});
            return current ? versionResponse(current.value()) : HttpResponse::fromError(current.error());
        });
    });
    router.add("PUT", QStringLiteral("/v1/policies"), [&](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::WritePolicies, [&](const ApiPrincipal &caller) {
            const auto expected = IfMatch::required(request, true);
            if (const auto *failure = std::get_if<HttpResponse>(&expected))
                return *failure;
            auto body = sourceFromBody(request);
            if (!body)
                return HttpResponse::fromError(body.error());
            // If-Match makes the publish fail when the version read for "before" is stale.
            return publishRecorded(policies, trail, request, caller, body->first, std::get<qint64>(expected), body->second);
        });
    });
    router.add("POST", QStringLiteral("/v1/policies/validate"), [&](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadPolicies, [&](const ApiPrincipal &) {
            auto body = sourceFromBody(request);
            if (!body)
                return HttpResponse::fromError(body.error());
            Result<policy::PolicySet> parsed = PolicyStore::check(body->first);
            if (!parsed) {
                Error error{QStringLiteral("invalid"), QStringLiteral("the policy set does not parse")};
                error.details.push_back(parsed.error());
                for (const Error &more : parsed.error().details)
                    error.details.push_back(more);
                return HttpResponse::fromError(error);
            }
            return HttpResponse::json(QJsonObject{{QStringLiteral("valid"), true},
                                                  {QStringLiteral("policies"), static_cast<qint64>(parsed->policies().size())},
                                                  {QStringLiteral("templates"), static_cast<qint64>(parsed->templates().size())}});
        });
    });
    router.add("GET", QStringLiteral("/v1/policies/versions"), [&](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadPolicies, [&](const ApiPrincipal &) {
            auto history = policies.history();
            if (!history)
                return HttpResponse::fromError(history.error());
            QJsonArray items;
            for (const PolicyVersion &version : history.value())
                items.append(toJson(version, false));
            return HttpResponse::json(QJsonObject{{QStringLiteral("items"), items}});
        });
    });
    router.add("GET", QStringLiteral("/v1/policies/versions/{version}"), [&](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::ReadPolicies, [&](const ApiPrincipal &) {
            const Result<qint64> number = versionNumber(params.value(QStringLiteral("version")));
            if (!number)
                return HttpResponse::fromError(number.error());
            Result<PolicyVersion> version = policies.version(number.value());
            return version ? versionResponse(version.value()) : HttpResponse::fromError(version.error());
        });
    });
    router.add("POST", QStringLiteral("/v1/policies/versions/{version}/restore"), [&](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::WritePolicies, [&](const ApiPrincipal &caller) {
            const auto expected = IfMatch::required(request, true);
            if (const auto *failure = std::get_if<HttpResponse>(&expected))
                return *failure;
            const Result<qint64> number = versionNumber(params.value(QStringLiteral("version")));
            if (!number)
                return HttpResponse::fromError(number.error());
            const qint64 from = number.value();
            Result<PolicyVersion> previous = policies.version(from);
            if (!previous)
                return HttpResponse::fromError(previous.error());
            return publishRecorded(policies, trail, request, caller, previous->source, std::get<qint64>(expected),
                                   PolicyStore::restoreComment(from), {{QStringLiteral("restored_from"), from}});
        });
    });
}

} // namespace mandate::api
