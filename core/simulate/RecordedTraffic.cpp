// SPDX-License-Identifier: Apache-2.0
#include "simulate/RecordedTraffic.h"

#include "simulate/StoredRequestReader.h"

#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <optional>
#include <thread>

namespace mandate::simulate {

namespace {

/// Parses `stored` into `out` on `threads` threads; an entry stays empty when its record is
/// not replayable.
void parseAll(const std::vector<audit::StoredRecord> &stored, std::vector<std::optional<RecordedRequest>> &out, int threads)
{
    out.assign(stored.size(), std::nullopt);
    std::atomic<size_t> next{0};
    constexpr size_t kChunk = 256;
    const auto work = [&]() {
        for (;;) {
            const size_t begin = next.fetch_add(kChunk);
            if (begin >= stored.size())
                return;
            const size_t end = std::min(stored.size(), begin + kChunk);
            for (size_t i = begin; i < end; ++i) {
                if (Result<RecordedRequest> request = RecordedTraffic::fromStored(stored[i]))
                    out[i] = std::move(request).value();
            }
        }
    };
    const size_t helpers = size_t(std::clamp<qsizetype>(threads - 1, 0, qsizetype(stored.size() / kChunk)));
    std::vector<std::thread> pool;
    for (size_t t = 0; t < helpers; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &thread : pool)
        thread.join();
}

} // namespace

Result<RecordedRequest> RecordedTraffic::fromStored(const audit::StoredRecord &stored)
{
    if (std::optional<Result<RecordedRequest>> read = StoredRequestReader::read(stored))
        return std::move(read).value();
    return fromStoredWithQt(stored);
}

Result<RecordedRequest> RecordedTraffic::fromStoredWithQt(const audit::StoredRecord &stored)
{
    // The body is our own canonical JSON, checked when it was appended (and by the verifier).
    // Qt's reader is enough here for what StoredRequestReader leaves, and only the members a
    // replay needs are taken.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(stored.body, &parseError);
    if (!document.isObject())
        return Error{QStringLiteral("invalid"), QStringLiteral("audit record %1: %2").arg(stored.sequence).arg(parseError.errorString())};
    const QJsonObject body = document.object();
    const auto text = [&](const char *key) { return body.value(QLatin1String(key)).toString(); };
    const auto list = [&](const char *key) {
        QStringList out;
        for (const QJsonValue &item : body.value(QLatin1String(key)).toArray())
            out << item.toString();
        return out;
    };
    audit::AuditRecord record;
    const std::optional<audit::EventType> event = audit::eventTypeFromName(text("mandate.event.type"));
    if (!event)
        return Error{QStringLiteral("invalid"), QStringLiteral("audit record %1 has no known event type").arg(stored.sequence)};
    record.event = *event;
    if (record.event != audit::EventType::Decision)
        return RecordedRequest::fromAudit(record, stored.sequence, stored.gatewayId);
    record.time = QDateTime::fromString(text("time"), Qt::ISODateWithMs);
    record.gatewayId = text("mandate.gateway.id");
    record.rootHuman = text("mandate.delegation.root");
    record.agent = text("mandate.agent.id");
    record.execution = text("mandate.execution.id");
    record.tool = text("mandate.tool.id");
    record.action = text("mandate.action");
    record.decision = text("mandate.decision");
    record.decisionId = text("mandate.decision.id");
    record.policies = list("mandate.decision.policies");
    record.errors = list("mandate.decision.errors");
    record.details = body.value(QLatin1String("mandate.details")).toObject();
    record.cedarRequest = body.value(QLatin1String("mandate.cedar.request")).toObject();
    return RecordedRequest::fromAudit(record, stored.sequence, stored.gatewayId);
}

Result<RecordedTraffic::Totals> RecordedTraffic::read(audit::AuditFilter filter, const BatchHandler &handle,
                                                      const Options &options) const
{
    filter.event = audit::eventTypeName(audit::EventType::Decision);
    const int threads = options.threads > 0 ? options.threads : QThread::idealThreadCount();
    const audit::AuditQuery query(m_db);
    Totals totals;
    QString cursor;
    std::vector<audit::StoredRecord> stored;
    std::vector<std::optional<RecordedRequest>> parsed;

    const auto flush = [&]() -> bool {
        parseAll(stored, parsed, threads);
        std::vector<RecordedRequest> batch;
        batch.reserve(parsed.size());
        for (std::optional<RecordedRequest> &request : parsed) {
            if (request)
                batch.push_back(std::move(*request));
            else
                ++totals.notReplayable;
        }
        stored.clear();
        return handle(std::move(batch));
    };

    for (;;) {
        int limit = audit::AuditQuery::kMaxLimit;
        if (options.maxRecords > 0)
            limit = int(std::min<qint64>(limit, options.maxRecords - totals.read));
        Result<audit::AuditPage> page = query.find(filter, cursor, std::max(limit, 1));
        if (!page)
            return page.error();
        if (options.maxRecords > 0 && totals.read >= options.maxRecords) {
            totals.truncated = !page->records.empty();
            break;
        }
        totals.read += qint64(page->records.size());
        std::move(page->records.begin(), page->records.end(), std::back_inserter(stored));
        cursor = page->nextCursor;
        if (cursor.isEmpty())
            break;
        if (qsizetype(stored.size()) >= options.batchSize && !flush())
            return totals;
    }
    if (!stored.empty())
        flush();
    return totals;
}

} // namespace mandate::simulate
