// SPDX-License-Identifier: Apache-2.0
#include "api/AuditEndpoints.h"

#include "api/OffThreadJobs.h"
#include "api/PlainNumber.h"
#include "api/RequestBody.h"
#include "audit/AuditQuery.h"
#include "audit/AuditVerifier.h"
#include "audit/Lineage.h"
#include "common/Rfc3339.h"

#include <QJsonArray>

#include <memory>

namespace mandate::api {

namespace {

QString item(const HttpRequest &request, const char *name)
{
    return request.query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
}

HttpResponse listAudit(const audit::AuditLog &log, const HttpRequest &request)
{
    Result<audit::AuditFilter> filter = audit::AuditFilter::fromQuery(request.query);
    if (!filter)
        return HttpResponse::fromError(filter.error());
    int limit = audit::AuditQuery::kDefaultLimit;
    if (const QString text = item(request, "limit"); !text.isEmpty()) {
        const std::optional<qint64> number = plainNumber(text, 1, audit::AuditQuery::kMaxLimit);
        if (!number)
            return HttpResponse::fromError(Error{QStringLiteral("invalid"),
                                                 QStringLiteral("limit must be 1 to %1").arg(audit::AuditQuery::kMaxLimit),
                                                 QStringLiteral("limit")});
        limit = int(*number);
    }
    Result<audit::AuditPage> page = audit::AuditQuery(log.database()).find(filter.value(), item(request, "cursor"), limit);
    if (!page)
        return HttpResponse::fromError(page.error());
    QJsonArray items;
    for (const audit::StoredRecord &record : page->records)
        items.append(record.toExportJson());
    QJsonObject body{{QStringLiteral("items"), items}};
    if (!page->nextCursor.isEmpty())
        body.insert(QStringLiteral("next_cursor"), page->nextCursor);
    return HttpResponse::json(body);
}

HttpResponse verifyAudit(const audit::AuditLog &log, const HttpRequest &request)
{
    audit::AuditVerifier::Options options;
    if (!request.body.trimmed().isEmpty()) {
        Result<QJsonObject> body = RequestBody::jsonObject(request);
        if (!body)
            return HttpResponse::fromError(body.error());
        // A head or gateway that does not read is refused, never skipped: a verification without
        // the saved head the caller meant to give would not look for truncation.
        for (auto member = body->constBegin(); member != body->constEnd(); ++member) {
            const QString key = member.key();
            const bool known = (key == QLatin1String("head") && member.value().isObject())
                               || (key == QLatin1String("gateway") && member.value().isString());
            if (!known)
                return HttpResponse::fromError(Error{QStringLiteral("bad_request"),
                                                     QStringLiteral("the body takes \"head\" (a signed head, an object) and \"gateway\" "
                                                                    "(a string) only; \"%1\" is not one of them, or not of its type").arg(key),
                                                     key});
        }
        if (body->contains(QStringLiteral("head"))) {
            Result<audit::SignedHead> saved = audit::SignedHead::fromJson(body->value(QStringLiteral("head")).toObject());
            if (!saved)
                return HttpResponse::fromError(saved.error());
            options.savedHead = saved.value();
        }
        options.gatewayId = body->value(QStringLiteral("gateway")).toString();
    }
    Result<audit::VerifyReport> report = audit::AuditVerifier(log.database()).verify(options);
    if (!report)
        return HttpResponse::fromError(report.error());
    return HttpResponse::json(report->toJson(), report->intact() ? 200 : 409);
}

/// An RFC 3339 time, or an invalid QDateTime.
QDateTime timeItem(const HttpRequest &request, const char *name)
{
    return parseRfc3339(item(request, name));
}

HttpResponse lineage(const audit::AuditLog &log, const HttpRequest &request)
{
    const QString execution = item(request, "execution");
    const QString human = item(request, "human");
    const QString agent = item(request, "agent");
    const QString trace = item(request, "trace_id");
    const bool range = request.query.hasQueryItem(QStringLiteral("from")) || request.query.hasQueryItem(QStringLiteral("to"));
    const QString format = item(request, "format");
    if (int(!execution.isEmpty()) + int(!human.isEmpty()) + int(!agent.isEmpty()) + int(!trace.isEmpty()) + int(range) != 1)
        return HttpResponse::fromError(Error{QStringLiteral("bad_request"),
                                             QStringLiteral("give exactly one of execution, human, agent, trace_id or from and to")});
    if (!format.isEmpty() && format != QLatin1String("json") && format != QLatin1String("dot"))
        return HttpResponse::fromError(Error{QStringLiteral("bad_request"), QStringLiteral("format must be json or dot")});
    const QDateTime from = timeItem(request, "from");
    const QDateTime to = timeItem(request, "to");
    if (range && (!from.isValid() || !to.isValid() || to <= from))
        return HttpResponse::fromError(Error{QStringLiteral("invalid"),
                                             QStringLiteral("from and to must be RFC 3339 times, from before to"), QStringLiteral("from")});
    const audit::Lineage builder(log.database());
    Result<audit::LineageGraph> graph = !execution.isEmpty() ? builder.forExecution(execution)
                                        : !human.isEmpty()   ? builder.forHuman(human)
                                        : !agent.isEmpty()   ? builder.forAgent(agent)
                                        : !trace.isEmpty()   ? builder.forTrace(trace)
                                                             : builder.forTimeRange(from, to);
    if (!graph)
        return HttpResponse::fromError(graph.error());
    if (format == QLatin1String("dot"))
        return HttpResponse::text(graph->toDot(), "text/vnd.graphviz");
    return HttpResponse::json(graph->toJson());
}

} // namespace

void AuditEndpoints::install(Router &router, QThreadPool &pool, audit::AuditLog &log, const AdminAuth &auth)
{
    // Off the server's thread: a verify or a lineage may read much of the log, and the calls
    // enforced meanwhile must not wait for it. Readers run side by side (WAL).
    auto jobs = std::make_shared<OffThreadJobs>(pool, auth, kMaxAdmitted,
                                                QStringLiteral("%1 audit reads are running or waiting; try again shortly").arg(kMaxAdmitted));
    const auto read = [&log](HttpResponse (*answer)(const audit::AuditLog &, const HttpRequest &)) {
        return [&log, answer](const HttpRequest &request) { return answer(log, request); };
    };
    router.addAsync("GET", QStringLiteral("/v1/audit"), OffThreadJobs::route(jobs, Permission::ReadAudit, read(&listAudit)));
    router.addAsync("POST", QStringLiteral("/v1/audit/verify"), OffThreadJobs::route(jobs, Permission::ReadAudit, read(&verifyAudit)));
    router.addAsync("GET", QStringLiteral("/v1/lineage"), OffThreadJobs::route(jobs, Permission::ReadAudit, read(&lineage)));
}

} // namespace mandate::api
