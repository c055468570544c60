// SPDX-License-Identifier: Apache-2.0
#include "MonitorView.h"

#include "ExecutionFilterProxyModel.h"
#include "ExecutionTableModel.h"
#include "GatewaySession.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPen>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace mandate::ui {

namespace {

constexpr int RedrawIntervalMs = 500;
constexpr int RevokedLingerMs = 1200;

double niceCeiling(double value, double floor)
{
    if (value <= floor)
        return floor;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return value;
}

QLineSeries *lineSeries(const QString &name, const QColor &color)
{
    auto *series = new QLineSeries;
    series->setName(name);
    series->setPen(QPen(color, 2));
    series->setUseOpenGL(false);
    return series;
}

} // namespace

MonitorView::MonitorView(GatewaySession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_stream(new client::EventStream(this)),
      m_model(new ExecutionTableModel(this)), m_proxy(new ExecutionFilterProxyModel(this)),
      m_redraw(new QTimer(this)), m_clock(new QTimer(this)), m_refreshSoon(new QTimer(this))
{
    setObjectName(QStringLiteral("monitorView"));
    auto *layout = new QVBoxLayout(this);

    auto *bar = new QHBoxLayout;
    auto *title = new QLabel(tr("<b>Live monitor</b>"), this);
    bar->addWidget(title);
    bar->addSpacing(12);
    m_streamLabel = new QLabel(tr("Not connected"), this);
    m_streamLabel->setObjectName(QStringLiteral("streamStatus"));
    m_streamLabel->setTextFormat(Qt::PlainText);  // it shows the gateway's words
    bar->addWidget(m_streamLabel);
    bar->addStretch(1);
    m_totalsLabel = new QLabel(this);
    m_totalsLabel->setObjectName(QStringLiteral("decisionTotals"));
    bar->addWidget(m_totalsLabel);
    bar->addSpacing(12);
    auto *windowLabel = new QLabel(tr("Window:"), this);
    bar->addWidget(windowLabel);
    m_window = new QComboBox(this);
    m_window->setObjectName(QStringLiteral("monitorWindow"));
    m_window->addItem(tr("1 minute"), 60);
    m_window->addItem(tr("5 minutes"), 300);
    m_window->addItem(tr("15 minutes"), 900 - 1);
    windowLabel->setBuddy(m_window);
    bar->addWidget(m_window);
    layout->addLayout(bar);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *charts = new QWidget(splitter);
    auto *chartRow = new QHBoxLayout(charts);
    chartRow->setContentsMargins(0, 0, 0, 0);
    m_allowed = lineSeries(tr("allowed"), QColor(0x2e, 0x7d, 0x32));
    m_denied = lineSeries(tr("denied"), QColor(0xc6, 0x28, 0x28));
    m_p50 = lineSeries(tr("p50"), QColor(0x15, 0x65, 0xc0));
    m_p99 = lineSeries(tr("p99"), QColor(0xef, 0x6c, 0x00));
    m_risk = lineSeries(tr("highest risk"), QColor(0x6a, 0x1b, 0x9a));
    chartRow->addWidget(makeChart(QStringLiteral("rateChart"), tr("Decisions per second"), tr("per s"),
                                  {m_allowed, m_denied}, m_rateAxis));
    chartRow->addWidget(makeChart(QStringLiteral("latencyChart"), tr("Decision latency"), tr("ms"), {m_p50, m_p99},
                                  m_latencyAxis));
    chartRow->addWidget(makeChart(QStringLiteral("riskChart"), tr("Risk"), tr("score"), {m_risk}, m_riskAxis));
    m_riskAxis->setRange(0, 100);
    splitter->addWidget(charts);

    auto *tablePane = new QWidget(splitter);
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    auto *tableBar = new QHBoxLayout;
    auto *tableTitle = new QLabel(tr("<b>Active executions</b>"), tablePane);
    tableBar->addWidget(tableTitle);
    m_filter = new QLineEdit(tablePane);
    m_filter->setObjectName(QStringLiteral("executionFilter"));
    m_filter->setPlaceholderText(tr("Filter by agent, human, purpose, action or id"));
    m_filter->setClearButtonEnabled(true);
    tableBar->addWidget(m_filter, 1);
    m_revoke = new QPushButton(tr("Revoke…"), tablePane);
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    tableBar->addWidget(m_revoke);
    tableLayout->addLayout(tableBar);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(tablePane);
    m_table->setObjectName(QStringLiteral("executionTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ExecutionTableModel::TimeLeft, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(ExecutionTableModel::Purpose, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ExecutionTableModel::Actions, QHeaderView::Stretch);
    for (int column : {ExecutionTableModel::Agent, ExecutionTableModel::BudgetLeft})
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    tableLayout->addWidget(m_table, 1);
    m_actionLabel = new QLabel(tablePane);
    m_actionLabel->setObjectName(QStringLiteral("monitorActionStatus"));
    m_actionLabel->setWordWrap(true);
    tableLayout->addWidget(m_actionLabel);
    splitter->addWidget(tablePane);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MonitorView::updateRevokeButton);
    connect(m_revoke, &QPushButton::clicked, this, &MonitorView::askRevoke);
    connect(m_window, &QComboBox::currentIndexChanged, this, &MonitorView::redrawCharts);

    connect(m_stream, &client::EventStream::decision, this, &MonitorView::recordDecision);
    connect(m_stream, &client::EventStream::executionChanged, this, &MonitorView::onExecutionEvent);
    connect(m_stream, &client::EventStream::stateChanged, this, &MonitorView::onStreamState);
    connect(m_stream, &client::EventStream::dropped, this, [this](qint64 count) { m_droppedTotal += count; });

    m_redraw->setInterval(RedrawIntervalMs);
    connect(m_redraw, &QTimer::timeout, this, &MonitorView::redrawCharts);
    m_redraw->start();
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, [this] { m_model->setNow(QDateTime::currentDateTimeUtc()); });
    m_clock->start();
    // Execution events come in bursts (a delegation chain starts several): refresh once per burst.
    m_refreshSoon->setSingleShot(true);
    m_refreshSoon->setInterval(300);
    connect(m_refreshSoon, &QTimer::timeout, this, &MonitorView::refreshExecutions);
    // A slow poll as well, so that the table stays right while the event stream is down.
    auto *poll = new QTimer(this);
    poll->setInterval(5000);
    connect(poll, &QTimer::timeout, this, &MonitorView::refreshExecutions);
    poll->start();

    connect(m_session, &GatewaySession::stateChanged, this, &MonitorView::onSessionChanged);
    onSessionChanged();
    redrawCharts();
}

MonitorView::~MonitorView() = default;

QChartView *MonitorView::makeChart(const QString &objectName, const QString &title, const QString &yTitle,
                                   QList<QLineSeries *> series, QValueAxis *&yAxis)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *xAxis = new QValueAxis(chart);
    xAxis->setTitleText(tr("seconds ago"));
    xAxis->setLabelFormat(QStringLiteral("%d"));
    yAxis = new QValueAxis(chart);
    yAxis->setTitleText(yTitle);
    yAxis->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    for (QLineSeries *line : series) {
        chart->addSeries(line);
        line->attachAxis(xAxis);
        line->attachAxis(yAxis);
    }
    m_xAxes.append(xAxis);
    auto *view = new QChartView(chart, this);
    view->setObjectName(objectName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

int MonitorView::windowSeconds() const
{
    return m_window->currentData().toInt();
}

void MonitorView::recordDecision(const client::DecisionEvent &event)
{
    (event.allowed ? m_allowedTotal : m_deniedTotal) += 1;
    m_history.record(QDateTime::currentSecsSinceEpoch(), event.allowed, event.latencyUs, event.risk);
}

void MonitorView::redrawCharts()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    m_history.advanceTo(now);
    const int seconds = windowSeconds();
    m_history.fill(now, seconds, m_points);
    m_allowed->replace(m_points.allowed);
    m_denied->replace(m_points.denied);
    m_p50->replace(m_points.p50);
    m_p99->replace(m_points.p99);
    m_risk->replace(m_points.risk);
    for (QValueAxis *axis : std::as_const(m_xAxes))
        axis->setRange(-seconds, 0);
    m_rateAxis->setRange(0, niceCeiling(m_points.maxRate, 5));
    m_latencyAxis->setRange(0, niceCeiling(m_points.maxLatencyMs, 1));
    // Ceilings are at most 100; a runaway execution can score far above, and must stay visible.
    double highestRisk = 0;
    for (const QPointF &point : std::as_const(m_points.risk))
        highestRisk = std::max(highestRisk, point.y());
    m_riskAxis->setRange(0, std::max(100.0, niceCeiling(highestRisk, 100)));
    QString totals = tr("%1 allowed · %2 denied").arg(m_allowedTotal).arg(m_deniedTotal);
    if (m_droppedTotal > 0)
        totals += tr(" · %1 dropped by the gateway (the console lagged)").arg(m_droppedTotal);
    m_totalsLabel->setText(totals);
}

void MonitorView::clearCharts()
{
    m_history.clear();
    redrawCharts();
}

void MonitorView::onSessionChanged()
{
    if (m_session->state() == GatewaySession::State::Connected) {
        clearCharts();
        m_stream->open(m_session->profile().url, m_session->apiKey(), m_session->client()->extraCaCertificates());
        refreshExecutions();
    } else {
        // Connecting elsewhere, failed or disconnected: what is on screen belongs to the gateway
        // being left, and its stream must not go on under the new one's name.
        m_stream->close();
        m_model->setExecutions({});
        clearCharts();
    }
    updateRevokeButton();
}

void MonitorView::onStreamState(client::EventStream::State state)
{
    switch (state) {
    case client::EventStream::State::Closed:
        m_streamLabel->setText(tr("Not connected"));
        break;
    case client::EventStream::State::Connecting:
        m_streamLabel->setText(tr("Connecting to the event stream…"));
        break;
    case client::EventStream::State::Open:
        m_streamLabel->setText(tr("● Live"));
        refreshExecutions();  // catch up on what changed while the stream was down
        break;
    case client::EventStream::State::Reconnecting:
        m_streamLabel->setText(tr("Event stream lost; reconnecting in %1 s…")
                                   .arg(QString::number(m_stream->nextRetryMs() / 1000.0, 'f', 1)));
        break;
    case client::EventStream::State::Refused:
        m_streamLabel->setText(tr("Event stream refused by the gateway: %1").arg(m_stream->refusal()));
        break;
    }
}

void MonitorView::onExecutionEvent(const client::ExecutionEvent &)
{
    if (!m_refreshSoon->isActive())
        m_refreshSoon->start();
}

void MonitorView::refreshExecutions()
{
    if (m_session->state() != GatewaySession::State::Connected || m_refreshing)
        return;
    m_refreshing = true;
    m_session->client()->listActiveExecutions(this, [this](client::ClientResult<std::vector<client::ActiveExecution>> rows) {
        m_refreshing = false;
        if (!rows) {
            m_actionLabel->setText(tr("Could not list active executions: %1").arg(rows.error().message()));
            return;
        }
        m_model->setNow(QDateTime::currentDateTimeUtc());
        m_model->setExecutions(rows.value());
        updateRevokeButton();
    });
}

void MonitorView::updateRevokeButton()
{
    const bool admin = m_session->canWrite();
    m_revoke->setEnabled(admin && m_table->selectionModel()->hasSelection());
    m_revoke->setToolTip(admin ? tr("Revoke the selected execution and every execution it delegated to")
                               : tr("Revoking needs an admin API key"));
}

void MonitorView::askRevoke()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty() || !m_session->canWrite())
        return;
    const QModelIndex row = rows.first();
    const QString id = row.data(ExecutionTableModel::IdRole).toString();
    const QString agent = m_proxy->index(row.row(), ExecutionTableModel::Agent).data().toString();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Revoke execution"),
                                tr("Revoke execution %1 of %2?\n\nEvery execution it delegated to is revoked too; "
                                   "their tokens stop working at once.").arg(id, agent),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("revokeConfirm"));
    box->button(QMessageBox::Yes)->setText(tr("Revoke"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, id](int) {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            revoke(id);
    });
    box->open();
}

void MonitorView::revoke(const QString &id)
{
    m_actionLabel->setText(tr("Revoking %1…").arg(id));
    m_session->client()->revokeExecution(id, tr("revoked in the console's live monitor"), this,
                                         [this, id](client::ClientResult<QStringList> revoked) {
        if (!revoked) {
            m_actionLabel->setText(tr("Could not revoke %1: %2").arg(id, revoked.error().message()));
            return;
        }
        const QStringList ids = revoked.value();
        m_actionLabel->setText(tr("Revoked %n execution(s): %1", nullptr, static_cast<int>(ids.size()))
                                   .arg(ids.join(QStringLiteral(", "))));
        // Show them struck through for a moment, then let them leave the table.
        m_model->markRevoked(ids);
        QTimer::singleShot(RevokedLingerMs, this, [this, ids] {
            m_model->removeExecutions(ids);
            updateRevokeButton();
        });
    });
}

} // namespace mandate::ui
