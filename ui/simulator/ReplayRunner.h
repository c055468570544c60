// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ReplayScope.h"
#include "client/AuditPage.h"
#include "client/GatewayClient.h"
#include "simulate/Replay.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <atomic>
#include <deque>
#include <memory>

namespace mandate::ui {

/// Replays recorded traffic under a candidate policy set: fetches the audit log page by page
/// while the previous page is re-decided on a worker thread, so the summary grows as it goes.
/// The summary is only touched by the worker while a batch runs; it is read on the GUI thread
/// in summaryChanged() and after finished().
class ReplayRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayRunner)

public:
    static constexpr int kPageSize = 1000;
    static constexpr int kMaxSamples = 500;

    explicit ReplayRunner(QObject *parent = nullptr);
    ~ReplayRunner() override;

    void setClient(client::GatewayClient *client) { m_client = client; }
    /// Starts replaying; "invalid" (with the parse diagnostics) when the candidate does not parse.
    Status start(const QString &candidate, std::shared_ptr<const policy::Schema> schema, const ReplayScope &scope);
    /// Stops fetching and replaying; finished(cancelled = true) follows.
    void cancel();
    bool isRunning() const { return m_running; }

    const simulate::ReplaySummary &summary() const { return m_summary; }
    /// The first recorded requests seen, for a what-if to start from.
    const std::vector<simulate::RecordedRequest> &samples() const { return m_samples; }
    qint64 fetched() const { return m_fetched; }
    /// The timeline's bucket size, picked from the replayed time range.
    qint64 bucketSeconds() const { return m_options.bucketSeconds; }
    /// A nice bucket size (1 s … 1 day) that gives about 60 buckets over `seconds`.
    static qint64 bucketFor(qint64 seconds);

Q_SIGNALS:
    /// `percent` of the time range is replayed (-1 while unknown).
    void progressed(int percent, qint64 replayed);
    void summaryChanged();
    void finished(bool cancelled, const QString &error);

private:
    struct BatchResult
    {
        std::vector<simulate::RecordedRequest> samples;
        QDateTime lastTime;
    };

    void fetchNext();
    void pump();
    void onBatchDone();
    void finish(bool cancelled, const QString &error);
    int percentDone() const;

    QPointer<client::GatewayClient> m_client;
    QThreadPool m_pool;  // one worker; the replayer spreads a batch over the global pool itself
    QFutureWatcher<BatchResult> m_watcher;
    std::shared_ptr<const simulate::Replayer> m_replayer;
    simulate::ReplaySummary m_summary;
    simulate::ReplayOptions m_options;
    std::vector<simulate::RecordedRequest> m_samples;
    std::deque<std::vector<client::AuditEntry>> m_pending;
    std::atomic_bool m_cancel = false;
    ReplayScope m_scope;
    QString m_cursor;
    QString m_fetchError;
    QDateTime m_firstTime;
    QDateTime m_lastTime;
    qint64 m_fetched = 0;
    int m_generation = 0;  // answers to an earlier run are ignored
    bool m_running = false;
    bool m_fetching = false;
    bool m_fetchedAll = false;
    bool m_busy = false;
};

} // namespace mandate::ui
