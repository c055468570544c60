// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DecisionHistory.h"
#include "client/EventStream.h"

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QTableView;
class QTimer;
class QValueAxis;

namespace mandate::ui {

class ExecutionFilterProxyModel;
class ExecutionTableModel;
class GatewaySession;

/// The operators' live monitor: charts of the decision stream (rate, latency, risk) over a window
/// the user picks, and the table of active executions with Revoke. Events only update ring
/// buffers; the charts redraw from them on a timer, so a fast stream cannot flood the UI.
class MonitorView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitorView)

public:
    explicit MonitorView(GatewaySession *session, QWidget *parent = nullptr);
    ~MonitorView() override;

    client::EventStream *stream() const { return m_stream; }
    ExecutionTableModel *executionModel() const { return m_model; }
    /// Counts one decision (the stream's handler; public so benchmarks can feed synthetic events).
    void recordDecision(const client::DecisionEvent &event);
    /// Empties the charts; done whenever the console connects to a gateway.
    void clearCharts();
    /// The chart window in seconds.
    int windowSeconds() const;
    void refreshExecutions();

private:
    QChartView *makeChart(const QString &objectName, const QString &title, const QString &yTitle,
                          QList<QLineSeries *> series, QValueAxis *&yAxis);
    void redrawCharts();
    void onSessionChanged();
    void onStreamState(client::EventStream::State state);
    void onExecutionEvent(const client::ExecutionEvent &event);
    void updateRevokeButton();
    void askRevoke();
    void revoke(const QString &id);

    GatewaySession *m_session;
    client::EventStream *m_stream;
    DecisionHistory m_history;
    DecisionHistory::Points m_points;
    ExecutionTableModel *m_model;
    ExecutionFilterProxyModel *m_proxy;

    QComboBox *m_window = nullptr;
    QLabel *m_streamLabel = nullptr;
    QLabel *m_totalsLabel = nullptr;
    QLabel *m_actionLabel = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_revoke = nullptr;
    QLineSeries *m_allowed = nullptr;
    QLineSeries *m_denied = nullptr;
    QLineSeries *m_p50 = nullptr;
    QLineSeries *m_p99 = nullptr;
    QLineSeries *m_risk = nullptr;
    QList<QValueAxis *> m_xAxes;
    QValueAxis *m_rateAxis = nullptr;
    QValueAxis *m_latencyAxis = nullptr;
    QValueAxis *m_riskAxis = nullptr;
    QTimer *m_redraw;
    QTimer *m_clock;
    QTimer *m_refreshSoon;
    qint64 m_allowedTotal = 0;
    qint64 m_deniedTotal = 0;
    qint64 m_droppedTotal = 0;
    bool m_refreshing = false;
};

} // namespace mandate::ui
