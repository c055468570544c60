// SPDX-License-Identifier: Apache-2.0
#include "ReplayRunner.h"

#include "client/GatewayClient.h"

#include <QtConcurrent/QtConcurrentRun>

namespace mandate::ui {

namespace {

constexpr int TargetBuckets = 60;
constexpr size_t MaxPagesAhead = 2;  // fetched but not yet replayed: bounds memory on huge logs

} // namespace

ReplayRunner::ReplayRunner(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcher<BatchResult>::finished, this, &ReplayRunner::onBatchDone);
}

ReplayRunner::~ReplayRunner()
{
    m_cancel = true;
    m_watcher.waitForFinished();
}

qint64 ReplayRunner::bucketFor(qint64 seconds)
{
    for (qint64 bucket : {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200}) {
        if (seconds <= bucket * TargetBuckets)
            return bucket;
    }
    return 86400;
}

Status ReplayRunner::start(const QString &candidate, std::shared_ptr<const policy::Schema> schema, const ReplayScope &scope)
{
    if (m_running)
        return Error{QStringLiteral("busy"), tr("a replay is already running")};
    if (!m_client)
        return Error{QStringLiteral("not_connected"), tr("not connected to a gateway")};
    Result<simulate::Replayer> replayer = simulate::Replayer::create(candidate, std::move(schema));
    if (!replayer)
        return replayer.error();
    m_replayer = std::make_shared<const simulate::Replayer>(std::move(replayer).value());
    m_summary = simulate::ReplaySummary{};
    m_options = simulate::ReplayOptions{};
    m_samples.clear();
    m_pending.clear();
    m_cancel = false;
    m_scope = scope;
    m_cursor.clear();
    m_fetchError.clear();
    m_firstTime = {};
    m_lastTime = {};
    m_fetched = 0;
    ++m_generation;
    m_running = true;
    m_fetching = false;
    m_fetchedAll = false;
    Q_EMIT progressed(-1, 0);
    fetchNext();
    return Status::success();
}

void ReplayRunner::cancel()
{
    if (!m_running)
        return;
    m_cancel = true;
    ++m_generation;
    m_fetching = false;
    m_pending.clear();
    if (!m_busy)
        finish(true, QString());
    // else: onBatchDone() finishes once the worker has stopped touching the summary
}

void ReplayRunner::fetchNext()
{
    if (m_fetching || m_fetchedAll || m_pending.size() >= MaxPagesAhead || !m_client)
        return;
    m_fetching = true;
    const int generation = m_generation;
    m_client->queryAudit(m_scope.toQuery(), m_cursor, kPageSize, this, [this, generation](client::ClientResult<client::AuditPage> page) {
        if (generation != m_generation)
            return;
        m_fetching = false;
        if (!page) {
            m_fetchedAll = true;
            m_pending.clear();
            m_fetchError = page.error().message();
            if (!m_busy)
                finish(false, m_fetchError);
            else
                m_cancel = true;  // stop the batch in flight; the error is reported when it ends
            return;
        }
        m_fetched += static_cast<qint64>(page->entries.size());
        m_cursor = page->nextCursor;
        m_fetchedAll = page->atEnd();
        if (!page->entries.empty()) {
            if (!m_firstTime.isValid()) {
                // The timeline's resolution follows the range actually recorded.
                m_firstTime = page->entries.front().record.time;
                const QDateTime end = m_scope.to.isValid() ? std::min(m_scope.to, QDateTime::currentDateTimeUtc())
                                                            : QDateTime::currentDateTimeUtc();
                m_options.bucketSeconds = bucketFor(std::max<qint64>(1, m_firstTime.secsTo(end)));
            }
            m_pending.push_back(std::move(page.value().entries));
        }
        pump();
        fetchNext();
    });
}

void ReplayRunner::pump()
{
    if (m_busy || !m_running)
        return;
    if (m_pending.empty()) {
        if (m_fetchedAll)
            finish(false, QString());
        return;
    }
    std::vector<client::AuditEntry> entries = std::move(m_pending.front());
    m_pending.pop_front();
    m_busy = true;
    const bool wantSamples = m_samples.size() < size_t(kMaxSamples);
    auto replayer = m_replayer;
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [this, replayer, entries = std::move(entries), wantSamples] {
        BatchResult result;
        std::vector<simulate::RecordedRequest> records;
        records.reserve(entries.size());
        for (const client::AuditEntry &entry : entries) {
            Result<simulate::RecordedRequest> recorded =
                simulate::RecordedRequest::fromAudit(entry.record, entry.sequence, entry.record.gatewayId);
            if (recorded)
                records.push_back(std::move(recorded).value());
        }
        if (!entries.empty())
            result.lastTime = entries.back().record.time;
        replayer->replay(records, m_summary, m_options, &m_cancel);
        if (wantSamples) {
            const size_t take = std::min(records.size(), size_t(kMaxSamples));
            result.samples.assign(records.begin(), records.begin() + qsizetype(take));
        }
        return result;
    }));
}

void ReplayRunner::onBatchDone()
{
    m_busy = false;
    BatchResult result = m_watcher.result();
    for (simulate::RecordedRequest &sample : result.samples) {
        if (m_samples.size() >= size_t(kMaxSamples))
            break;
        m_samples.push_back(std::move(sample));
    }
    if (result.lastTime.isValid())
        m_lastTime = result.lastTime;
    if (!m_running)
        return;
    Q_EMIT summaryChanged();
    if (m_cancel) {
        finish(m_fetchError.isEmpty(), m_fetchError);
        return;
    }
    Q_EMIT progressed(percentDone(), m_summary.replayed);
    pump();
    fetchNext();
}

int ReplayRunner::percentDone() const
{
    if (!m_firstTime.isValid() || !m_lastTime.isValid())
        return -1;
    const QDateTime end = m_scope.to.isValid() ? std::min(m_scope.to, QDateTime::currentDateTimeUtc()) : QDateTime::currentDateTimeUtc();
    const qint64 span = m_firstTime.msecsTo(end);
    if (span <= 0)
        return 99;
    return std::clamp(int(100 * m_firstTime.msecsTo(m_lastTime) / span), 0, 99);
}

void ReplayRunner::finish(bool cancelled, const QString &error)
{
    m_running = false;
    m_pending.clear();
    m_summary.cancelled = cancelled;
    if (!cancelled && error.isEmpty())
        Q_EMIT progressed(100, m_summary.replayed);
    Q_EMIT finished(cancelled, error);
}

} // namespace mandate::ui
