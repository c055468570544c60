// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QChartView>

class QBarCategoryAxis;
class QBarSet;
class QHorizontalStackedBarSeries;
class QValueAxis;

namespace mandate::ui {

class ChangeBreakdownModel;

/// The breakdown table drawn as stacked horizontal bars (its first rows: those with the most
/// changes), redrawn whenever the model resets.
class ChangeBreakdownChart final : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangeBreakdownChart)

public:
    static constexpr int kMaxBars = 8;

    explicit ChangeBreakdownChart(ChangeBreakdownModel *model, QWidget *parent = nullptr);

    int barCount() const;

private:
    void redraw();

    ChangeBreakdownModel *m_model;
    QHorizontalStackedBarSeries *m_series;
    QBarSet *m_denied;
    QBarSet *m_allowed;
    QBarSet *m_unchanged;
    QBarCategoryAxis *m_keys;
    QValueAxis *m_counts;
};

} // namespace mandate::ui
