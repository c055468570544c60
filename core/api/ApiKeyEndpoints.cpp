// SPDX-License-Identifier: Apache-2.0
#include "api/ApiKeyEndpoints.h"

#include "api/RequestBody.h"

#include <QJsonArray>

namespace mandate::api {

namespace {

struct KeyRequest
{
    QString name;
    Role role = Role::Auditor;
};

Result<KeyRequest> keyRequestFrom(const HttpRequest &request)
{
    Result<QJsonObject> body = RequestBody::jsonObject(request);
    if (!body)
        return body.error();
    for (auto it = body->constBegin(); it != body->constEnd(); ++it) {
        if (it.key() != QLatin1String("name") && it.key() != QLatin1String("role"))
            return Error{QStringLiteral("bad_request"), QStringLiteral("unknown field \"%1\": a key has a \"name\" and a \"role\"").arg(it.key())};
    }
    const QJsonValue name = body->value(QStringLiteral("name"));
    const QJsonValue role = body->value(QStringLiteral("role"));
    if (!name.isString())
        return Error{QStringLiteral("invalid"), QStringLiteral("\"name\" must be a string"), QStringLiteral("name")};
    if (Status valid = ApiKeyStore::validateName(name.toString()); !valid)
        return Error{valid.error().code, valid.error().message, QStringLiteral("name")};
    const std::optional<Role> parsed = roleFromName(role.toString());
    if (!role.isString() || !parsed)
        return Error{QStringLiteral("invalid"), QStringLiteral("\"role\" must be \"admin\", \"auditor\" or \"analyst\""), QStringLiteral("role")};
    return KeyRequest{name.toString(), *parsed};
}

QString targetOf(const QString &keyId)
{
    return QStringLiteral("api-key:") + keyId;
}

HttpResponse created(const NewApiKey &key)
{
    QJsonObject body = key.info.toJson();
    body.insert(QStringLiteral("key"), key.text);
    HttpResponse response = HttpResponse::json(body, 201);
    response.setHeader("Location", QByteArray("/v1/api-keys/") + key.info.id.toLatin1());
    return response;
}

} // namespace

void ApiKeyEndpoints::install(Router &router, ApiKeyStore &keys, const AdminAuth &auth, AuditTrail &trail)
{
    const QString base = QStringLiteral("/v1/api-keys");
    const QString item = QStringLiteral("/v1/api-keys/{id}");
    router.add("GET", base, [&keys, &auth](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ManageApiKeys, [&](const ApiPrincipal &) {
            const Result<QList<ApiKeyInfo>> all = keys.list();
            if (!all)
                return HttpResponse::fromError(all.error());
            QJsonArray items;
            for (const ApiKeyInfo &key : all.value())
                items.append(key.toJson());
            return HttpResponse::json(QJsonObject{{QStringLiteral("items"), items}});
        });
    });
    router.add("POST", base, [&keys, &auth, &trail](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ManageApiKeys, [&](const ApiPrincipal &caller) {
            const Result<KeyRequest> wanted = keyRequestFrom(request);
            if (!wanted)
                return HttpResponse::fromError(wanted.error());
            const Result<NewApiKey> key = keys.generate(wanted->name, wanted->role);
            if (!key)
                return HttpResponse::fromError(key.error());
            const Status made = trail.applyAdminChange(request, caller, targetOf(key->info.id), QJsonValue(), key->info.toJson(),
                                                       [&]() { return keys.store(key.value()); },
                                                       {{QStringLiteral("operation"), QStringLiteral("create")}});
            return made ? created(key.value()) : HttpResponse::fromError(made.error());
        });
    });
    router.add("GET", item, [&keys, &auth](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::ManageApiKeys, [&](const ApiPrincipal &) {
            const Result<ApiKeyInfo> key = keys.find(params.value(QStringLiteral("id")));
            return key ? HttpResponse::json(key->toJson()) : HttpResponse::fromError(key.error());
        });
    });
    router.add("DELETE", item, [&keys, &auth, &trail](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::ManageApiKeys, [&](const ApiPrincipal &caller) {
            const QString id = params.value(QStringLiteral("id"));
            const Result<ApiKeyInfo> before = keys.find(id);
            if (!before)
                return HttpResponse::fromError(before.error());
            // revoke() checks again inside the record's transaction: the key may have gone, or
            // become the last admin key, since the read above.
            const Status revoked = trail.applyAdminChange(request, caller, targetOf(id), before->toJson(), QJsonValue(),
                                                          [&]() { return keys.revoke(id); },
                                                          {{QStringLiteral("operation"), QStringLiteral("revoke")}});
            if (!revoked)
                return HttpResponse::fromError(revoked.error());
            QJsonObject body = before->toJson();
            body.insert(QStringLiteral("revoked"), true);
            return HttpResponse::json(body);
        });
    });
}

} // namespace mandate::api
