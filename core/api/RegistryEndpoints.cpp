// SPDX-License-Identifier: Apache-2.0
#include "api/RegistryEndpoints.h"

#include "api/IfMatch.h"
#include "api/RequestBody.h"

#include <QJsonArray>

namespace mandate::api {

using namespace mandate::identity;
using registry::Registry;

namespace {

QByteArray etagOf(qint64 version)
{
    return IfMatch::etag(version);
}

std::variant<qint64, HttpResponse> requiredVersion(const HttpRequest &request)
{
    return IfMatch::required(request);
}

template<typename Record>
Result<Record> getRecord(const Registry &registry, const QString &id);
template<> Result<Agent> getRecord(const Registry &r, const QString &id) { return r.agent(id); }
template<> Result<Tool> getRecord(const Registry &r, const QString &id) { return r.tool(id); }
template<> Result<Human> getRecord(const Registry &r, const QString &id) { return r.human(id); }
template<> Result<Machine> getRecord(const Registry &r, const QString &id) { return r.machine(id); }

template<typename Record>
HttpResponse recordResponse(const Record &record, int status = 200)
{
    HttpResponse response = HttpResponse::json(record.toJson(), status);
    response.setHeader("ETag", etagOf(record.version));
    return response;
}

/// A failed write: a conflict carries the current record so the client can show both sides.
template<typename Record>
HttpResponse writeFailure(const Registry &registry, const QString &id, const Error &error)
{
    if (error.code == QLatin1String("conflict")) {
        if (Result<Record> current = getRecord<Record>(registry, id)) {
            HttpResponse response = HttpResponse::fromError(error, {{QStringLiteral("currentVersion"), current->version},
                                                                    {QStringLiteral("current"), current->toJson()}});
            response.setHeader("ETag", etagOf(current->version));
            return response;
        }
    }
    HttpResponse response = HttpResponse::fromError(error);
    return response;
}

template<typename Record>
Result<Record> recordFromBody(const HttpRequest &request, const QString &pathId)
{
    Result<QJsonObject> body = RequestBody::jsonObject(request);
    if (!body)
        return body.error();
    QJsonObject json = body.value();
    if (!pathId.isEmpty()) {
        if (json.contains(QStringLiteral("id")) && json.value(QStringLiteral("id")).toString() != pathId)
            return Error{QStringLiteral("bad_request"), QStringLiteral("the body's id does not match the URL (%1)").arg(pathId)};
        json.insert(QStringLiteral("id"), pathId);
    }
    std::vector<Error> errors;
    Record record = Record::fromJson(json, QString(), errors);
    if (!errors.empty()) {
        Error error{QStringLiteral("invalid"), QStringLiteral("%1 is invalid: %2").arg(QLatin1String(Record::kind), errors.front().toString())};
        error.details = std::move(errors);
        return error;
    }
    return record;
}

template<typename Record>
QJsonArray toArray(const std::vector<Record> &records)
{
    QJsonArray array;
    for (const Record &record : records)
        array.append(record.toJson());
    return array;
}

/// "agent:support-agent": what an admin_change record names.
template<typename Record>
QString targetOf(const QString &id)
{
    return QLatin1String(Record::kind) + u':' + id;
}

/// The state of a record before a write, for its admin_change record (null when unknown).
template<typename Record>
QJsonValue stateBefore(const Registry &registry, const QString &id)
{
    Result<Record> before = getRecord<Record>(registry, id);
    return before ? QJsonValue(before->toJson()) : QJsonValue();
}

template<typename Record, typename ListFn>
void installCollection(Router &router, Registry &registry, const AdminAuth &auth, AuditTrail &trail, const QString &collection,
                       ListFn list)
{
    const QString base = QStringLiteral("/v1/") + collection;
    const QString item = base + QStringLiteral("/{id}");

    router.add("GET", base, [&auth, list](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadRegistry, [&](const ApiPrincipal &) {
            auto records = list(request);
            if (!records)
                return HttpResponse::fromError(records.error());
            return HttpResponse::json(QJsonObject{{QStringLiteral("items"), toArray(records.value())}});
        });
    });
    router.add("GET", item, [&registry, &auth](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::ReadRegistry, [&](const ApiPrincipal &) {
            Result<Record> record = getRecord<Record>(registry, params.value(QStringLiteral("id")));
            return record ? recordResponse(record.value()) : HttpResponse::fromError(record.error());
        });
    });
    router.add("POST", base, [&registry, &auth, &trail, base](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::WriteRegistry, [&](const ApiPrincipal &caller) {
            Result<Record> record = recordFromBody<Record>(request, QString());
            if (!record)
                return HttpResponse::fromError(record.error());
            // The audit record is made first, with the version the record will get (above a
            // deleted one's); create() refuses if that changed in between.
            Result<qint64> version = registry.template versionOfNew<Record>(record->id);
            if (!version)
                return HttpResponse::fromError(version.error());
            Record after = record.value();
            after.version = version.value();
            Record created;
            const Status made = trail.applyAdminChange(request, caller, targetOf<Record>(after.id), QJsonValue(), after.toJson(), [&] {
                return takeValue(registry.create(record.value(), caller.name, version.value()), created);
            });
            if (!made)
                return HttpResponse::fromError(made.error());
            HttpResponse response = recordResponse(created, 201);
            response.setHeader("Location", (base + u'/' + created.id).toUtf8());
            return response;
        });
    });
    router.add("PUT", item, [&registry, &auth, &trail](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::WriteRegistry, [&](const ApiPrincipal &caller) {
            const QString id = params.value(QStringLiteral("id"));
            const auto version = requiredVersion(request);
            if (const auto *failure = std::get_if<HttpResponse>(&version))
                return *failure;
            Result<Record> record = recordFromBody<Record>(request, id);
            if (!record)
                return HttpResponse::fromError(record.error());
            // Read before the write: the If-Match version makes the write fail if this is stale.
            const QJsonValue before = stateBefore<Record>(registry, id);
            const qint64 expected = std::get<qint64>(version);
            Record after = record.value();
            after.version = expected + 1;
            Record updated;
            const Status made = trail.applyAdminChange(request, caller, targetOf<Record>(id), before, after.toJson(), [&] {
                return takeValue(registry.update(record.value(), expected, caller.name), updated);
            });
            return made ? recordResponse(updated) : writeFailure<Record>(registry, id, made.error());
        });
    });
    router.add("DELETE", item, [&registry, &auth, &trail](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::WriteRegistry, [&](const ApiPrincipal &caller) {
            const QString id = params.value(QStringLiteral("id"));
            const auto version = requiredVersion(request);
            if (const auto *failure = std::get_if<HttpResponse>(&version))
                return *failure;
            const QJsonValue before = stateBefore<Record>(registry, id);
            const Status removed = trail.applyAdminChange(request, caller, targetOf<Record>(id), before, QJsonValue(), [&]() {
                return registry.remove<Record>(id, std::get<qint64>(version), caller.name);
            });
            return removed ? HttpResponse::noContent() : writeFailure<Record>(registry, id, removed.error());
        });
    });
}

/// The records an import would replace, as stored now ({"agents":[…],…}, only the lists that
/// have any), for its admin_change record. Each record of `document` that replaces one and names
/// no version is pinned to the version read here, so that the import fails with a conflict,
/// instead of replacing something its record does not show, if the record changes meanwhile.
template<typename Record>
void replacedRecords(const Registry &registry, const QString &list, QJsonObject &document, QJsonObject &replaced)
{
    QJsonArray records = document.value(list).toArray();
    QJsonArray before;
    for (qsizetype i = 0; i < records.size(); ++i) {
        QJsonObject record = records.at(i).toObject();
        const Result<Record> stored = getRecord<Record>(registry, record.value(QStringLiteral("id")).toString());
        if (!stored)
            continue;  // new here (or unreadable: the import itself reports it)
        before.append(stored->toJson());
        if (!record.contains(QStringLiteral("version"))) {
            record.insert(QStringLiteral("version"), stored->version);
            records.replace(i, record);
        }
    }
    if (document.value(list).isArray())
        document.insert(list, records);
    if (!before.isEmpty())
        replaced.insert(list, before);
}

HttpResponse importResponse(Registry &registry, AuditTrail *trail, const HttpRequest &request, const ApiPrincipal &caller, bool dryRun)
{
    Result<QJsonObject> body = RequestBody::jsonObject(request);
    if (!body)
        return HttpResponse::fromError(body.error());
    if (dryRun) {
        const Status valid = registry.validateImport(body.value());
        return valid ? HttpResponse::json(QJsonObject{{QStringLiteral("valid"), true}}) : HttpResponse::fromError(valid.error());
    }
    // The imported document is the "after", the records it replaces as they are now the "before".
    QJsonObject document = body.value();
    QJsonObject replaced;
    replacedRecords<Human>(registry, QStringLiteral("humans"), document, replaced);
    replacedRecords<Machine>(registry, QStringLiteral("machines"), document, replaced);
    replacedRecords<Tool>(registry, QStringLiteral("tools"), document, replaced);
    replacedRecords<Agent>(registry, QStringLiteral("agents"), document, replaced);
    registry::ImportSummary summary;
    const QJsonValue before = replaced.isEmpty() ? QJsonValue() : QJsonValue(replaced);  // absent when it only creates
    const Status imported = trail->applyAdminChange(request, caller, QStringLiteral("registry:import"), before, body.value(), [&] {
        return takeValue(registry.importJson(document, caller.name), summary);
    });
    if (!imported)
        return HttpResponse::fromError(imported.error());
    return HttpResponse::json(QJsonObject{{QStringLiteral("created"), summary.created}, {QStringLiteral("updated"), summary.updated}});
}

} // namespace

void RegistryEndpoints::install(Router &router, Registry &registry, const AdminAuth &auth, AuditTrail &trail)
{
    installCollection<Agent>(router, registry, auth, trail, QStringLiteral("agents"), [&registry](const HttpRequest &request) {
        registry::AgentFilter filter;
        filter.status = request.query.queryItemValue(QStringLiteral("status"), QUrl::FullyDecoded);
        filter.owner = request.query.queryItemValue(QStringLiteral("owner"), QUrl::FullyDecoded);
        filter.text = request.query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded);
        filter.label = request.query.queryItemValue(QStringLiteral("label"), QUrl::FullyDecoded);
        return registry.agents(filter);
    });
    installCollection<Tool>(router, registry, auth, trail, QStringLiteral("tools"), [&registry](const HttpRequest &) { return registry.tools(); });
    installCollection<Human>(router, registry, auth, trail, QStringLiteral("humans"), [&registry](const HttpRequest &) { return registry.humans(); });
    installCollection<Machine>(router, registry, auth, trail, QStringLiteral("machines"), [&registry](const HttpRequest &) { return registry.machines(); });

    router.add("POST", QStringLiteral("/v1/agents/{id}/retire"), [&registry, &auth, &trail](const HttpRequest &request, const RouteParams &params) {
        return auth.guard(request, Permission::WriteRegistry, [&](const ApiPrincipal &caller) {
            const QString id = params.value(QStringLiteral("id"));
            const auto version = requiredVersion(request);
            if (const auto *failure = std::get_if<HttpResponse>(&version))
                return *failure;
            Result<Agent> current = registry.agent(id);
            if (!current)
                return HttpResponse::fromError(current.error());
            const qint64 expected = std::get<qint64>(version);
            Agent after = current.value();
            after.status = Agent::Status::Retired;
            after.version = expected + 1;
            Agent retired;
            const Status made = trail.applyAdminChange(request, caller, targetOf<Agent>(id), current->toJson(), after.toJson(), [&] {
                return takeValue(registry.retireAgent(id, expected, caller.name), retired);
            }, {{QStringLiteral("operation"), QStringLiteral("retire")}});
            return made ? recordResponse(retired) : writeFailure<Agent>(registry, id, made.error());
        });
    });
    router.add("GET", QStringLiteral("/v1/registry"), [&registry, &auth](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadRegistry, [&](const ApiPrincipal &) {
            Result<QJsonObject> exported = registry.exportJson();
            return exported ? HttpResponse::json(exported.value()) : HttpResponse::fromError(exported.error());
        });
    });
    router.add("POST", QStringLiteral("/v1/registry/import"), [&registry, &auth, &trail](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::WriteRegistry, [&](const ApiPrincipal &caller) {
            return importResponse(registry, &trail, request, caller, false);
        });
    });
    router.add("POST", QStringLiteral("/v1/registry/validate"), [&registry, &auth](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadRegistry, [&](const ApiPrincipal &caller) {
            return importResponse(registry, nullptr, request, caller, true);
        });
    });
}

} // namespace mandate::api
