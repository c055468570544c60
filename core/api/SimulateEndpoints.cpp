// SPDX-License-Identifier: Apache-2.0
#include "api/SimulateEndpoints.h"

#include "api/OffThreadJobs.h"
#include "api/RequestBody.h"
#include "common/Rfc3339.h"
#include "simulate/RecordedTraffic.h"
#include "simulate/Replay.h"
#include "store/Database.h"

#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <memory>

namespace mandate::api {

namespace {

Error badInput(const QString &message, const QString &path)
{
    return Error{QStringLiteral("invalid"), message, path};
}

/// The filter object: the audit API's filters, as JSON members (strings; descendants a boolean).
/// The event is always "decision".
Result<audit::AuditFilter> filterFrom(const QJsonValue &json)
{
    audit::AuditFilter filter;
    if (json.isUndefined())
        return filter;
    if (!json.isObject())
        return badInput(QStringLiteral("filter must be an object"), QStringLiteral("filter"));
    const std::pair<const char *, QString *> strings[] = {
        {"gateway", &filter.gatewayId}, {"human", &filter.human}, {"agent", &filter.agent}, {"execution", &filter.execution},
        {"tool", &filter.tool}, {"action", &filter.action}, {"decision", &filter.decision}, {"trace_id", &filter.traceId}};
    const QJsonObject object = json.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString path = QStringLiteral("filter.") + it.key();
        if (it.key() == QLatin1String("descendants")) {
            if (!it.value().isBool())
                return badInput(QStringLiteral("%1 must be true or false").arg(path), path);
            filter.withDescendants = it.value().toBool();
            continue;
        }
        if (!it.value().isString())
            return badInput(QStringLiteral("%1 must be a string").arg(path), path);
        const QString text = it.value().toString();
        if (it.key() == QLatin1String("from") || it.key() == QLatin1String("to")) {
            const QDateTime time = parseRfc3339(text);
            if (!time.isValid())
                return badInput(QStringLiteral("%1 must be an RFC 3339 time with its offset (Z or +01:00)").arg(path), path);
            (it.key() == QLatin1String("from") ? filter.from : filter.to) = time;
            continue;
        }
        const auto slot = std::find_if(std::begin(strings), std::end(strings),
                                       [&](const auto &known) { return it.key() == QLatin1String(known.first); });
        if (slot == std::end(strings))
            return badInput(QStringLiteral("unknown filter %1").arg(it.key()), path);
        *slot->second = text;
    }
    if (!filter.decision.isEmpty() && filter.decision != QLatin1String("allow") && filter.decision != QLatin1String("deny"))
        return badInput(QStringLiteral("filter.decision must be allow or deny"), QStringLiteral("filter.decision"));
    return filter;
}

Result<qint64> boundedInteger(const QJsonObject &body, const QString &key, qint64 fallback, qint64 min, qint64 max)
{
    const QJsonValue value = body.value(key);
    if (value.isUndefined())
        return fallback;
    if (!value.isDouble() || value.toDouble() != double(value.toInteger()) || value.toInteger() < min || value.toInteger() > max)
        return badInput(QStringLiteral("%1 must be an integer from %2 to %3").arg(key).arg(min).arg(max), key);
    return value.toInteger();
}

/// The seconds from the window's start (filter.from, else the oldest record) to its end
/// (filter.to, else now); 0 when nothing is recorded.
Result<qint64> windowSeconds(const store::Database &database, const audit::AuditFilter &filter)
{
    QDateTime from = filter.from;
    if (!from.isValid()) {
        QSqlQuery first(database.connection());
        first.setForwardOnly(true);
        if (!first.exec(QStringLiteral("SELECT time FROM audit_records ORDER BY time LIMIT 1")))
            return store::Database::sqlError(QStringLiteral("cannot read the audit log"), first);
        if (!first.next())
            return qint64(0);
        from = QDateTime::fromString(first.value(0).toString(), Qt::ISODateWithMs);
    }
    const QDateTime to = filter.to.isValid() ? filter.to : QDateTime::currentDateTimeUtc();
    return from.isValid() && from < to ? from.secsTo(to) : qint64(0);
}

/// The timeline keeps one entry per bucket that holds a decision: a window of many buckets
/// would grow it (and the answer) towards one per record. bucket_seconds as asked, if the window
/// fits; when not asked (0), the smallest usual step from a minute up that fits.
Result<qint64> bucketSeconds(const store::Database &database, const audit::AuditFilter &filter, qint64 asked)
{
    const Result<qint64> span = windowSeconds(database, filter);
    if (!span)
        return span.error();
    const auto fits = [&](qint64 bucket) { return span.value() / bucket + 1 <= SimulateEndpoints::kMaxBuckets; };
    if (asked > 0) {
        if (fits(asked))
            return asked;
        return badInput(QStringLiteral("bucket_seconds must be at least %1 for this window (%2 buckets at most): "
                                       "a larger bucket, or a shorter window with filter.from and filter.to")
                            .arg(span.value() / (SimulateEndpoints::kMaxBuckets - 1) + 1).arg(SimulateEndpoints::kMaxBuckets),
                        QStringLiteral("bucket_seconds"));
    }
    for (const qint64 bucket : {60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}) {
        if (fits(bucket))
            return bucket;
    }
    return span.value() / (SimulateEndpoints::kMaxBuckets - 1) + 1;
}

HttpResponse simulate(const audit::AuditLog &log, const registry::PolicyStore &policies, const HttpRequest &request)
{
    Result<QJsonObject> body = RequestBody::jsonObject(request);
    if (!body)
        return HttpResponse::fromError(body.error());
    static const QStringList known{QStringLiteral("policies"), QStringLiteral("filter"), QStringLiteral("bucket_seconds"),
                                   QStringLiteral("max_changes"), QStringLiteral("max_records")};
    for (const QString &key : body->keys()) {
        if (!known.contains(key))
            return HttpResponse::fromError(badInput(QStringLiteral("unknown member %1").arg(key), key));
    }
    const QJsonValue source = body->value(QStringLiteral("policies"));
    if (!source.isString())
        return HttpResponse::fromError(badInput(QStringLiteral("policies must be the candidate's Cedar text"), QStringLiteral("policies")));
    Result<audit::AuditFilter> filter = filterFrom(body->value(QStringLiteral("filter")));
    if (!filter)
        return HttpResponse::fromError(filter.error());
    // 0 when left out: bucketSeconds() picks one that fits the window.
    Result<qint64> bucket = boundedInteger(body.value(), QStringLiteral("bucket_seconds"), 0, 1, 31 * 24 * 3600);
    Result<qint64> maxChanges = boundedInteger(body.value(), QStringLiteral("max_changes"), SimulateEndpoints::kMaxChangesSent, 0,
                                               SimulateEndpoints::kMaxChangesSent);
    Result<qint64> maxRecords = boundedInteger(body.value(), QStringLiteral("max_records"), SimulateEndpoints::kMaxRecords, 1,
                                               SimulateEndpoints::kMaxRecords);
    for (const Result<qint64> *bound : {&bucket, &maxChanges, &maxRecords}) {
        if (!*bound)
            return HttpResponse::fromError(bound->error());
    }
    const Result<qint64> buckets = bucketSeconds(log.database(), filter.value(), bucket.value());
    if (!buckets)
        return HttpResponse::fromError(buckets.error());

    const std::shared_ptr<const registry::ActivePolicies> active = policies.active();
    Result<simulate::Replayer> replayer = simulate::Replayer::create(source.toString(), active->schema);
    if (!replayer)
        return HttpResponse::fromError(replayer.error());

    // The gateway keeps a core for the calls it decides meanwhile: the replay gets the others
    // (one on two cores, where 1,000,000 records take about 9 s).
    const int threads = std::max(1, QThread::idealThreadCount() - 1);
    simulate::ReplaySummary summary;
    const simulate::ReplayOptions options{buckets.value(), threads};
    simulate::RecordedTraffic::Options reading;
    reading.maxRecords = maxRecords.value();
    reading.threads = threads;
    Result<simulate::RecordedTraffic::Totals> totals = simulate::RecordedTraffic(log.database()).read(
        filter.value(),
        [&](std::vector<simulate::RecordedRequest> &&batch) {
            replayer->replay(batch, summary, options);
            return true;
        },
        reading);
    if (!totals)
        return HttpResponse::fromError(totals.error());
    summary.bucketSeconds = buckets.value();
    QJsonObject answer = summary.toJson(int(maxChanges.value()));
    answer.insert(QStringLiteral("records_read"), totals->read);
    answer.insert(QStringLiteral("not_replayable"), totals->notReplayable);
    answer.insert(QStringLiteral("truncated"), totals->truncated);
    answer.insert(QStringLiteral("policy_version"), active->version);
    return HttpResponse::json(answer);
}

} // namespace

void SimulateEndpoints::install(Router &router, QThreadPool &pool, audit::AuditLog &log, registry::PolicyStore &policies,
                                const AdminAuth &auth)
{
    // Off the server's thread (and off one core, see simulate()), one at a time on `pool`, and
    // one more waiting: a replay takes seconds.
    auto jobs = std::make_shared<OffThreadJobs>(pool, auth, kMaxAdmitted,
                                                QStringLiteral("a simulation is running and another is waiting; try again shortly"));
    router.addAsync("POST", QStringLiteral("/v1/simulate"),
                    OffThreadJobs::route(jobs, Permission::Simulate,
                                         [&log, &policies](const HttpRequest &request) { return simulate(log, policies, request); }));
}

} // namespace mandate::api
