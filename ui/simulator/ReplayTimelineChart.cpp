// SPDX-License-Identifier: Apache-2.0
#include "ReplayTimelineChart.h"

#include "SimulatorColors.h"

#include <QAreaSeries>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>

namespace mandate::ui {

namespace {

QAreaSeries *area(const QString &name, QLineSeries *upper, QLineSeries *lower, QColor color)
{
    auto *series = new QAreaSeries(upper, lower);
    series->setName(name);
    series->setPen(QPen(color.darker(115), 1));
    color.setAlpha(200);
    series->setBrush(color);
    return series;
}

double niceCeiling(double value)
{
    if (value <= 5)
        return 5;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return value;
}

} // namespace

ReplayTimelineChart::ReplayTimelineChart(QWidget *parent)
    : QChartView(parent), m_zero(new QLineSeries(this)), m_deniedTop(new QLineSeries(this)),
      m_allowedTop(new QLineSeries(this)), m_unchangedTop(new QLineSeries(this)), m_timeAxis(new QDateTimeAxis),
      m_countAxis(new QValueAxis)
{
    setObjectName(QStringLiteral("replayTimeline"));
    auto *chart = new QChart;
    chart->setTitle(tr("Replayed decisions over time"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont legendFont = chart->legend()->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    chart->legend()->setFont(legendFont);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_countAxis->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    chart->addAxis(m_countAxis, Qt::AlignLeft);
    const QList<QAreaSeries *> areas{area(tr("newly denied"), m_deniedTop, m_zero, SimulatorColors::newlyDenied()),
                                     area(tr("newly allowed"), m_allowedTop, m_deniedTop, SimulatorColors::newlyAllowed()),
                                     area(tr("unchanged"), m_unchangedTop, m_allowedTop, SimulatorColors::unchanged())};
    for (QAreaSeries *series : areas) {
        chart->addSeries(series);
        series->attachAxis(m_timeAxis);
        series->attachAxis(m_countAxis);
    }
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    clear();
}

void ReplayTimelineChart::clear()
{
    setTimeline({}, 60);
}

void ReplayTimelineChart::setTimeline(const std::map<QDateTime, simulate::ChangeCounts> &timeline, qint64 bucketSeconds)
{
    QList<QPointF> zero, denied, allowed, unchanged;
    double highest = 0;
    m_deniedShown = 0;
    const qint64 bucketMs = std::max<qint64>(1, bucketSeconds) * 1000;
    if (!timeline.empty()) {
        // Steps, one per bucket, with empty buckets drawn as zero rather than interpolated.
        const qint64 first = timeline.begin()->first.toMSecsSinceEpoch();
        const qint64 last = timeline.rbegin()->first.toMSecsSinceEpoch();
        auto it = timeline.begin();
        for (qint64 start = first; start <= last; start += bucketMs) {
            simulate::ChangeCounts counts;
            if (it != timeline.end() && it->first.toMSecsSinceEpoch() <= start) {
                counts = it->second;
                ++it;
            }
            const double d = double(counts.newlyDenied);
            const double a = d + double(counts.newlyAllowed);
            const double u = a + double(counts.unchanged);
            m_deniedShown += counts.newlyDenied;
            highest = std::max(highest, u);
            for (qint64 x : {start, start + bucketMs}) {
                zero.append({double(x), 0});
                denied.append({double(x), d});
                allowed.append({double(x), a});
                unchanged.append({double(x), u});
            }
        }
        m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(first, Qt::UTC).toLocalTime(),
                             QDateTime::fromMSecsSinceEpoch(last + bucketMs, Qt::UTC).toLocalTime());
    } else {
        const QDateTime now = QDateTime::currentDateTime();
        m_timeAxis->setRange(now.addSecs(-3600), now);
    }
    m_timeAxis->setFormat(bucketSeconds < 60 ? QStringLiteral("HH:mm:ss")
                          : bucketSeconds < 3600 ? QStringLiteral("HH:mm")
                                                 : QStringLiteral("MM-dd HH:mm"));
    m_timeAxis->setTickCount(4);
    m_countAxis->setRange(0, niceCeiling(highest));
    m_countAxis->setTickCount(6);  // nice ceilings (1, 2 or 5 × 10ⁿ) split into whole fifths
    m_zero->replace(zero);
    m_deniedTop->replace(denied);
    m_allowedTop->replace(allowed);
    m_unchangedTop->replace(unchanged);
}

} // namespace mandate::ui
