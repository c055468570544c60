// SPDX-License-Identifier: Apache-2.0
#include "simulate/RecordedTraffic.h"

#include "simulate/AuditRowReader.h"
#include "simulate/StoredRequestReader.h"

#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace mandate::simulate {

namespace {

/// Runs `parse(i, strings)` for i in [0, count) on `threads` threads, in chunks.
template<typename Parse>
void parallelFor(size_t count, int threads, const Parse &parse)
{
    std::atomic<size_t> next{0};
    constexpr size_t kChunk = 256;
    const auto work = [&]() {
        StoredRequestReader::Strings strings;
        for (;;) {
            const size_t begin = next.fetch_add(kChunk);
            if (begin >= count)
                return;
            const size_t end = std::min(count, begin + kChunk);
            for (size_t i = begin; i < end; ++i)
                parse(i, strings);
        }
    };
    const size_t helpers = size_t(std::clamp<qsizetype>(threads - 1, 0, qsizetype(count / kChunk)));
    std::vector<std::thread> pool;
    for (size_t t = 0; t < helpers; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &thread : pool)
        thread.join();
}

/// Parses `stored` into `out` on `threads` threads; an entry stays empty when its record is
/// not replayable.
void parseAll(const std::vector<audit::StoredRecord> &stored, std::vector<std::optional<RecordedRequest>> &out, int threads)
{
    out.assign(stored.size(), std::nullopt);
    parallelFor(stored.size(), threads, [&](size_t i, StoredRequestReader::Strings &) {
        if (Result<RecordedRequest> request = RecordedTraffic::fromStored(stored[i]))
            out[i] = std::move(request).value();
    });
}

/// The same for rows read in place.
void parseAll(const AuditRowReader::Batch &rows, std::vector<std::optional<RecordedRequest>> &out, int threads)
{
    out.assign(rows.rows.size(), std::nullopt);
    parallelFor(rows.rows.size(), threads, [&](size_t i, StoredRequestReader::Strings &strings) {
        const AuditRowReader::Row &row = rows.rows[i];
        const QString &gateway = rows.gateways.at(row.gateway);
        std::optional<Result<RecordedRequest>> read = StoredRequestReader::read(rows.bodies, rows.body(row), row.sequence, gateway, strings);
        if (!read) {
            audit::StoredRecord stored;
            stored.sequence = row.sequence;
            stored.gatewayId = gateway;
            stored.body = rows.body(row).toByteArray();
            read = RecordedTraffic::fromStoredWithQt(stored);
        }
        if (*read)
            out[i] = std::move(*read).value();
    });
}

/// Batches of rows read ahead on a thread of their own (with a connection of its own), at most
/// two ahead of the one being parsed and replayed, so that SQLite's share of a replay runs
/// while the previous batch is evaluated.
class ReadAhead
{
public:
    ReadAhead(std::unique_ptr<AuditRowReader> reader, qint64 maxRecords, int batchSize)
        : m_reader(std::move(reader)), m_maxRecords(maxRecords), m_batchSize(batchSize)
    {
        m_thread = std::thread([this] { run(); });
    }
    ~ReadAhead()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }
    ReadAhead(const ReadAhead &) = delete;
    ReadAhead &operator=(const ReadAhead &) = delete;

    /// The next batch (empty at the end), or the error that stopped the reading.
    Status take(AuditRowReader::Batch &batch, bool &truncated)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return !m_ready.empty() || m_finished; });
        if (m_ready.empty()) {
            batch = {};
            truncated = m_truncated;
            return m_status;
        }
        batch = std::move(m_ready.front());
        m_ready.pop_front();
        lock.unlock();
        m_changed.notify_all();
        return {};
    }

private:
    static constexpr size_t kAhead = 2;

    void run()
    {
        qint64 read = 0;
        Status status;
        bool truncated = false;
        for (;;) {
            int limit = m_batchSize;
            if (m_maxRecords > 0)
                limit = int(std::min<qint64>(limit, m_maxRecords - read));
            AuditRowReader::Batch batch;
            if (limit <= 0) {
                // At the bound: whether there were more, as RecordedTraffic::read says it.
                status = m_reader->next(1, batch);
                truncated = status.ok() && !batch.rows.empty();
                break;
            }
            status = m_reader->next(limit, batch);
            if (!status || batch.rows.empty())
                break;
            read += qint64(batch.rows.size());
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return m_stop || m_ready.size() < kAhead; });
            if (m_stop)
                return;
            m_ready.push_back(std::move(batch));
            lock.unlock();
            m_changed.notify_all();
        }
        {
            const std::lock_guard lock(m_mutex);
            m_finished = true;
            m_status = status;
            m_truncated = truncated;
        }
        m_changed.notify_all();
    }

    std::unique_ptr<AuditRowReader> m_reader;
    const qint64 m_maxRecords;
    const int m_batchSize;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<AuditRowReader::Batch> m_ready;
    bool m_stop = false;
    bool m_finished = false;
    bool m_truncated = false;
    Status m_status;
    std::thread m_thread;
};

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
    const int batchSize = std::max(1, options.batchSize);
    Totals totals;
    std::vector<std::optional<RecordedRequest>> parsed;
    const auto deliver = [&]() -> bool {
        std::vector<RecordedRequest> batch;
        batch.reserve(parsed.size());
        for (std::optional<RecordedRequest> &request : parsed) {
            if (request)
                batch.push_back(std::move(*request));
            else
                ++totals.notReplayable;
        }
        parsed.clear();
        return handle(std::move(batch));
    };

    // SQLite through its native API: on a connection of its own, read ahead on another thread
    // when there is more than one; else on the caller's connection, batch after batch.
    const QSqlDatabase connection = m_db.connection();
    std::unique_ptr<AuditRowReader> rows = threads > 1 ? AuditRowReader::open(connection, filter, true) : nullptr;
    if (rows) {
        ReadAhead ahead(std::move(rows), options.maxRecords, batchSize);
        AuditRowReader::Batch batch;
        for (;;) {
            bool truncated = false;
            if (Status status = ahead.take(batch, truncated); !status)
                return status.error();
            if (batch.rows.empty()) {
                totals.truncated = truncated;
                return totals;
            }
            totals.read += qint64(batch.rows.size());
            parseAll(batch, parsed, threads);
            batch = {};
            if (!deliver())
                return totals;
        }
    }
    if ((rows = AuditRowReader::open(connection, filter, false))) {
        AuditRowReader::Batch batch;
        for (;;) {
            int limit = batchSize;
            if (options.maxRecords > 0)
                limit = int(std::min<qint64>(limit, options.maxRecords - totals.read));
            if (limit <= 0) {
                if (Status status = rows->next(1, batch); !status)
                    return status.error();
                totals.truncated = !batch.rows.empty();
                return totals;
            }
            if (Status status = rows->next(limit, batch); !status)
                return status.error();
            if (batch.rows.empty())
                return totals;
            totals.read += qint64(batch.rows.size());
            parseAll(batch, parsed, threads);
            if (!deliver())
                return totals;
        }
    }

    // Another driver: Qt Sql, page by page.
    const audit::AuditQuery query(m_db);
    QString cursor;
    std::vector<audit::StoredRecord> stored;
    const auto flush = [&]() -> bool {
        parseAll(stored, parsed, threads);
        stored.clear();
        return deliver();
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
        if (qsizetype(stored.size()) >= batchSize && !flush())
            return totals;
    }
    if (!stored.empty())
        flush();
    return totals;
}

} // namespace mandate::simulate
