// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>

#include <atomic>
#include <ctime>

namespace mandate {

/// Source of the current time. Injected everywhere expiry matters so that tests can move time.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;
    /// now().toSecsSinceEpoch(); a clock may answer it without building a QDateTime.
    virtual qint64 nowSecs() const { return now().toSecsSinceEpoch(); }
};

/// The wall clock, in UTC.
class SystemClock final : public Clock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
    /// Read on every token verification, several times: a QDateTime costs more than the read.
    qint64 nowSecs() const override
    {
        timespec t{};
        clock_gettime(CLOCK_REALTIME, &t);
        return t.tv_sec;
    }
};

/// The wall clock shifted by an offset that can be moved forward while running: a gateway
/// started with --test-clock (demo mode only) uses it so that end-to-end tests can reach expiry
/// without waiting. Thread-safe.
class OffsetClock final : public Clock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc().addMSecs(m_offsetMs.load()); }
    void advanceSecs(qint64 secs) { m_offsetMs.fetch_add(secs * 1000); }
    qint64 offsetSecs() const { return m_offsetMs.load() / 1000; }

private:
    std::atomic<qint64> m_offsetMs{0};
};

/// A clock that only moves when told to; for tests.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime start = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC))
        : m_now(std::move(start)) {}
    QDateTime now() const override { return m_now; }
    void advanceSecs(qint64 secs) { m_now = m_now.addSecs(secs); }
    void set(QDateTime t) { m_now = std::move(t); }

private:
    QDateTime m_now;
};

} // namespace mandate
