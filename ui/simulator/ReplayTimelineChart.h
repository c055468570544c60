// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "simulate/Replay.h"

#include <QChartView>

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace mandate::ui {

/// The replay over time: per bucket, the requests newly denied, newly allowed and unchanged,
/// stacked in that order so that the changes sit on the axis where they are easy to see.
class ReplayTimelineChart final : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayTimelineChart)

public:
    explicit ReplayTimelineChart(QWidget *parent = nullptr);

    void setTimeline(const std::map<QDateTime, simulate::ChangeCounts> &timeline, qint64 bucketSeconds);
    void clear();
    /// Requests the chart shows as newly denied (the sum over buckets), for tests.
    qint64 newlyDeniedShown() const { return m_deniedShown; }

private:
    QLineSeries *m_zero;
    QLineSeries *m_deniedTop;
    QLineSeries *m_allowedTop;
    QLineSeries *m_unchangedTop;
    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_countAxis;
    qint64 m_deniedShown = 0;
};

} // namespace mandate::ui
