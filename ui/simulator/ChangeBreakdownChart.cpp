// SPDX-License-Identifier: Apache-2.0
#include "ChangeBreakdownChart.h"

#include "ChangeBreakdownModel.h"
#include "SimulatorColors.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QHorizontalStackedBarSeries>
#include <QValueAxis>

namespace mandate::ui {

namespace {

QBarSet *barSet(const QString &label, const QColor &color)
{
    auto *set = new QBarSet(label);
    set->setColor(color);
    set->setBorderColor(color.darker(115));
    return set;
}

} // namespace

ChangeBreakdownChart::ChangeBreakdownChart(ChangeBreakdownModel *model, QWidget *parent)
    : QChartView(parent), m_model(model), m_series(new QHorizontalStackedBarSeries),
      m_denied(barSet(tr("newly denied"), SimulatorColors::newlyDenied())),
      m_allowed(barSet(tr("newly allowed"), SimulatorColors::newlyAllowed())),
      m_unchanged(barSet(tr("unchanged"), SimulatorColors::unchanged())), m_keys(new QBarCategoryAxis),
      m_counts(new QValueAxis)
{
    setObjectName(QStringLiteral("breakdownChart"));
    m_series->append({m_denied, m_allowed, m_unchanged});
    m_series->setBarWidth(0.7);
    auto *chart = new QChart;
    chart->addSeries(m_series);
    chart->legend()->hide();  // the same colours as the timeline's legend next to it
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_counts->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_keys, Qt::AlignLeft);
    chart->addAxis(m_counts, Qt::AlignBottom);
    m_series->attachAxis(m_keys);
    m_series->attachAxis(m_counts);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    connect(model, &QAbstractItemModel::modelReset, this, &ChangeBreakdownChart::redraw);
    redraw();
}

int ChangeBreakdownChart::barCount() const
{
    return int(m_keys->count());
}

void ChangeBreakdownChart::redraw()
{
    const int bars = std::min(m_model->rowCount(), kMaxBars);
    QStringList keys;
    QList<qreal> denied, allowed, unchanged;
    qint64 highest = 0;
    // Bottom to top in the chart is first to last in the category axis: reverse, so the row
    // with the most changes is drawn on top.
    for (int row = bars - 1; row >= 0; --row) {
        const auto &counts = m_model->counts(row);
        keys.append(m_model->index(row, ChangeBreakdownModel::Key).data().toString());
        denied.append(qreal(counts.newlyDenied));
        allowed.append(qreal(counts.newlyAllowed));
        unchanged.append(qreal(counts.unchanged));
        highest = std::max(highest, counts.total());
    }
    m_keys->clear();
    m_keys->append(keys);
    for (auto [set, values] : {std::pair{m_denied, &denied}, std::pair{m_allowed, &allowed}, std::pair{m_unchanged, &unchanged}}) {
        set->remove(0, set->count());
        set->append(*values);
    }
    m_counts->setRange(0, double(std::max<qint64>(highest, 5)));
    m_counts->applyNiceNumbers();
    // Whole titles, not a lowercased header: other languages capitalise their nouns.
    switch (m_model->dimension()) {
    case ChangeBreakdownModel::Dimension::Agent: chart()->setTitle(tr("Requests by agent")); break;
    case ChangeBreakdownModel::Dimension::Tool: chart()->setTitle(tr("Requests by tool")); break;
    case ChangeBreakdownModel::Dimension::Action: chart()->setTitle(tr("Requests by action")); break;
    case ChangeBreakdownModel::Dimension::Policy: chart()->setTitle(tr("Requests by determining policy")); break;
    }
}

} // namespace mandate::ui
