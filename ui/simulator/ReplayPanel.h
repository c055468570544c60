// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "SimulatorSchema.h"
#include "simulate/Replay.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;
class QTextBrowser;

namespace mandate::client {
class GatewayClient;
}

namespace mandate::ui {

class ChangeBreakdownChart;
class ChangeBreakdownModel;
class ChangedDecisionModel;
class ReplayRunner;
class ReplayTimelineChart;

/// The replay tab: which recorded traffic, progress with Cancel, the counts, the timeline and
/// breakdown charts, and the changed decisions with both explanations side by side.
class ReplayPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayPanel)

public:
    /// `candidate` gives the editor's text at the moment Replay is pressed.
    ReplayPanel(std::function<QString()> candidate, SimulatorSchema::Provider schema, QWidget *parent = nullptr);
    ~ReplayPanel() override;

    void setClient(client::GatewayClient *client);
    ReplayRunner *runner() const { return m_runner; }
    ChangedDecisionModel *changedModel() const { return m_changed; }
    ReplayTimelineChart *timeline() const { return m_timeline; }
    /// The candidate text of the last replay that ran to the end ("" if none).
    QString completedSource() const { return m_completedSource; }
    void startReplay();
    void clearResults();
    /// Drops the last replay's results: the session moved, or the live policy changed under it.
    void forgetReplay();

Q_SIGNALS:
    void replayFinished();
    void whatIfRequested(const mandate::simulate::RecordedRequest &recorded);

private:
    void showSummary();
    void showSelectedChange();
    void onFinished(bool cancelled, const QString &error);
    void showNoReplay();

    std::function<QString()> m_candidate;
    SimulatorSchema::Provider m_schema;
    ReplayRunner *m_runner;
    ChangedDecisionModel *m_changed;
    ChangeBreakdownModel *m_breakdown;
    QString m_runningSource;
    QString m_completedSource;
    bool m_forgetWhenFinished = false;  ///< the replay being cancelled ran for another session

    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QLineEdit *m_agent;
    QLineEdit *m_tool;
    QLineEdit *m_human;
    QPushButton *m_replay;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_status;
    QLabel *m_unchangedCard;
    QLabel *m_deniedCard;
    QLabel *m_allowedCard;
    QLabel *m_replayedCard;
    ReplayTimelineChart *m_timeline;
    ChangeBreakdownChart *m_breakdownChart;
    QComboBox *m_dimension;
    QTabWidget *m_results;
    QTableView *m_changedTable;
    QTableView *m_breakdownTable;
    QTextBrowser *m_before;
    QTextBrowser *m_after;
    QPushButton *m_whatIf;
};

} // namespace mandate::ui
