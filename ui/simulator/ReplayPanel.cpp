// SPDX-License-Identifier: Apache-2.0
#include "ReplayPanel.h"

#include "ChangeBreakdownChart.h"
#include "ChangeBreakdownModel.h"
#include "ChangedDecisionModel.h"
#include "ReplayRunner.h"
#include "ReplayTimelineChart.h"
#include "SimulatorColors.h"
#include "SimulatorSchema.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <utility>

namespace mandate::ui {

namespace {

QLabel *card(const QString &objectName, const QColor &accent, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAlignment(Qt::AlignCenter);
    label->setFrameShape(QFrame::StyledPanel);
    label->setMinimumHeight(54);
    label->setStyleSheet(QStringLiteral("QLabel { border-left: 5px solid %1; padding: 4px; }").arg(accent.name()));
    return label;
}

void setCard(QLabel *label, qint64 count, const QString &caption)
{
    label->setText(QStringLiteral("<span style='font-size:16pt; font-weight:600'>%1</span><br>%2")
                       .arg(QLocale().toString(count), caption.toHtmlEscaped()));
}

QString outcomeHtml(const QString &title, const simulate::Outcome &outcome)
{
    const QColor colour = outcome.allowed ? SimulatorColors::newlyAllowed() : SimulatorColors::newlyDenied();
    QString html = QStringLiteral("<p><b>%1</b><br><span style='color:%2; font-size:13pt; font-weight:600'>%3</span></p>")
                       .arg(title.toHtmlEscaped(), colour.name(),
                            outcome.allowed ? ReplayPanel::tr("allow") : ReplayPanel::tr("deny"));
    html += QStringLiteral("<p>%1</p>").arg(outcome.explanation.toHtmlEscaped());
    html += QStringLiteral("<p><b>%1</b> %2</p>")
                .arg(ReplayPanel::tr("Determining policies:"),
                     outcome.policies.isEmpty() ? ReplayPanel::tr("none") : outcome.policies.join(QStringLiteral(", ")).toHtmlEscaped());
    if (!outcome.errors.isEmpty())
        html += QStringLiteral("<p><b>%1</b> %2</p>").arg(ReplayPanel::tr("Errors:"), outcome.errors.join(QStringLiteral("; ")).toHtmlEscaped());
    return html;
}

QTableView *table(const QString &objectName, QAbstractItemModel *model, QWidget *parent)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(Qt::UserRole);
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    return view;
}

} // namespace

ReplayPanel::ReplayPanel(std::function<QString()> candidate, SimulatorSchema::Provider schema, QWidget *parent)
    : QWidget(parent), m_candidate(std::move(candidate)), m_schema(std::move(schema)), m_runner(new ReplayRunner(this)),
      m_changed(new ChangedDecisionModel(this)), m_breakdown(new ChangeBreakdownModel(this))
{
    setObjectName(QStringLiteral("replayPanel"));
    auto *layout = new QVBoxLayout(this);

    // Which traffic: the last day by default, narrowed by agent, tool or human.
    auto *filters = new QGridLayout;
    const QDateTime now = QDateTime::currentDateTime();
    m_from = new QDateTimeEdit(now.addDays(-1), this);
    m_from->setObjectName(QStringLiteral("replayFrom"));
    m_to = new QDateTimeEdit(now.addSecs(3600), this);
    m_to->setObjectName(QStringLiteral("replayTo"));
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    m_agent = new QLineEdit(this);
    m_agent->setObjectName(QStringLiteral("replayAgent"));
    m_tool = new QLineEdit(this);
    m_tool->setObjectName(QStringLiteral("replayTool"));
    m_human = new QLineEdit(this);
    m_human->setObjectName(QStringLiteral("replayHuman"));
    for (QLineEdit *edit : {m_agent, m_tool, m_human}) {
        edit->setPlaceholderText(tr("any"));
        edit->setClearButtonEnabled(true);
    }
    const auto addField = [&](int row, int column, const QString &text, QWidget *field) {
        auto *label = new QLabel(text, this);
        label->setBuddy(field);
        filters->addWidget(label, row, column * 2);
        filters->addWidget(field, row, column * 2 + 1);
    };
    addField(0, 0, tr("&From:"), m_from);
    addField(0, 1, tr("&To:"), m_to);
    addField(1, 0, tr("A&gent:"), m_agent);
    addField(1, 1, tr("T&ool:"), m_tool);
    addField(1, 2, tr("&Human:"), m_human);
    m_replay = new QPushButton(tr("&Replay"), this);
    m_replay->setObjectName(QStringLiteral("replayButton"));
    m_replay->setToolTip(tr("Re-decide every recorded request in range under the candidate, on this computer"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("replayCancel"));
    m_cancel->setEnabled(false);
    filters->addWidget(m_replay, 0, 4);
    filters->addWidget(m_cancel, 0, 5);
    filters->setColumnStretch(1, 1);
    filters->setColumnStretch(3, 1);
    filters->setColumnStretch(5, 1);
    layout->addLayout(filters);

    auto *progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("replayProgress"));
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setMaximumWidth(260);
    progressRow->addWidget(m_progress);
    m_status = new QLabel(tr("Pick the recorded traffic and press Replay."), this);
    m_status->setObjectName(QStringLiteral("replayStatus"));
    progressRow->addWidget(m_status, 1);
    layout->addLayout(progressRow);

    auto *cards = new QHBoxLayout;
    m_replayedCard = card(QStringLiteral("replayedCard"), palette().color(QPalette::Highlight), this);
    m_unchangedCard = card(QStringLiteral("unchangedCard"), SimulatorColors::unchanged(), this);
    m_deniedCard = card(QStringLiteral("newlyDeniedCard"), SimulatorColors::newlyDenied(), this);
    m_allowedCard = card(QStringLiteral("newlyAllowedCard"), SimulatorColors::newlyAllowed(), this);
    for (QLabel *label : {m_replayedCard, m_deniedCard, m_allowedCard, m_unchangedCard})
        cards->addWidget(label);
    layout->addLayout(cards);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *charts = new QWidget(splitter);
    auto *chartRow = new QHBoxLayout(charts);
    chartRow->setContentsMargins(0, 0, 0, 0);
    m_timeline = new ReplayTimelineChart(charts);
    chartRow->addWidget(m_timeline, 1);
    auto *breakdownPane = new QWidget(charts);
    auto *breakdownLayout = new QVBoxLayout(breakdownPane);
    breakdownLayout->setContentsMargins(0, 0, 0, 0);
    auto *dimensionRow = new QHBoxLayout;
    auto *dimensionLabel = new QLabel(tr("&Break down by:"), breakdownPane);
    m_dimension = new QComboBox(breakdownPane);
    m_dimension->setObjectName(QStringLiteral("breakdownDimension"));
    m_dimension->addItem(tr("Agent"), int(ChangeBreakdownModel::Dimension::Agent));
    m_dimension->addItem(tr("Tool"), int(ChangeBreakdownModel::Dimension::Tool));
    m_dimension->addItem(tr("Action"), int(ChangeBreakdownModel::Dimension::Action));
    m_dimension->addItem(tr("Determining policy"), int(ChangeBreakdownModel::Dimension::Policy));
    dimensionLabel->setBuddy(m_dimension);
    dimensionRow->addWidget(dimensionLabel);
    dimensionRow->addWidget(m_dimension, 1);
    breakdownLayout->addLayout(dimensionRow);
    m_breakdownChart = new ChangeBreakdownChart(m_breakdown, breakdownPane);
    breakdownLayout->addWidget(m_breakdownChart, 1);
    chartRow->addWidget(breakdownPane, 1);
    splitter->addWidget(charts);

    m_results = new QTabWidget(splitter);
    auto *changedPane = new QSplitter(Qt::Vertical, m_results);
    m_changedTable = table(QStringLiteral("changedTable"), m_changed, changedPane);
    for (int column = ChangedDecisionModel::Time; column < ChangedDecisionModel::Before; ++column)
        m_changedTable->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_changedTable->horizontalHeader()->setSectionResizeMode(ChangedDecisionModel::Before, QHeaderView::Stretch);
    m_changedTable->horizontalHeader()->setSectionResizeMode(ChangedDecisionModel::After, QHeaderView::Stretch);
    auto *details = new QWidget(changedPane);
    auto *detailRow = new QHBoxLayout(details);
    detailRow->setContentsMargins(0, 0, 0, 0);
    m_before = new QTextBrowser(details);
    m_before->setObjectName(QStringLiteral("explanationBefore"));
    m_after = new QTextBrowser(details);
    m_after->setObjectName(QStringLiteral("explanationAfter"));
    m_whatIf = new QPushButton(tr("What-if from\nthis request"), details);
    m_whatIf->setObjectName(QStringLiteral("whatIfFromChange"));
    m_whatIf->setEnabled(false);
    for (QTextBrowser *pane : {m_before, m_after})
        pane->setMinimumHeight(110);
    detailRow->addWidget(m_before, 1);
    detailRow->addWidget(m_after, 1);
    detailRow->addWidget(m_whatIf, 0, Qt::AlignTop);
    changedPane->setStretchFactor(0, 3);
    changedPane->setStretchFactor(1, 1);
    m_results->addTab(changedPane, tr("Changed decisions"));
    m_breakdownTable = table(QStringLiteral("breakdownTable"), m_breakdown, m_results);
    m_breakdownTable->horizontalHeader()->setSectionResizeMode(ChangeBreakdownModel::Key, QHeaderView::Stretch);
    m_results->addTab(m_breakdownTable, tr("Breakdown"));
    splitter->addWidget(m_results);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    connect(m_replay, &QPushButton::clicked, this, &ReplayPanel::startReplay);
    connect(m_cancel, &QPushButton::clicked, m_runner, &ReplayRunner::cancel);
    connect(m_runner, &ReplayRunner::summaryChanged, this, &ReplayPanel::showSummary);
    connect(m_runner, &ReplayRunner::finished, this, &ReplayPanel::onFinished);
    connect(m_runner, &ReplayRunner::progressed, this, [this](int percent, qint64 replayed) {
        if (percent < 0) {
            m_progress->setRange(0, 0);  // busy until the first page says how far the range goes
        } else {
            m_progress->setRange(0, 100);
            m_progress->setValue(percent);
        }
        m_status->setText(tr("Replaying… %Ln recorded decision(s) re-decided", nullptr, int(replayed)));
    });
    connect(m_dimension, &QComboBox::currentIndexChanged, this, [this] {
        m_breakdown->setDimension(ChangeBreakdownModel::Dimension(m_dimension->currentData().toInt()));
        if (!m_runner->isRunning())
            m_breakdown->setSummary(m_runner->summary());
    });
    connect(m_changedTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ReplayPanel::showSelectedChange);
    connect(m_whatIf, &QPushButton::clicked, this, [this] {
        const QModelIndexList rows = m_changedTable->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        const auto *proxy = static_cast<const QSortFilterProxyModel *>(m_changedTable->model());
        Q_EMIT whatIfRequested(m_changed->change(proxy->mapToSource(rows.first()).row()).recorded);
    });
    clearResults();
}

ReplayPanel::~ReplayPanel() = default;

void ReplayPanel::setClient(client::GatewayClient *client)
{
    m_runner->setClient(client);
    if (!client)
        forgetReplay();
}

void ReplayPanel::forgetReplay()
{
    // A replay vouches for shipping only to the gateway whose traffic it ran on, and only
    // against the policy version that was live then.
    m_completedSource.clear();
    m_runningSource.clear();
    if (m_runner->isRunning()) {
        m_forgetWhenFinished = true;  // the runner may finish later, once its worker stops
        m_runner->cancel();
        if (m_runner->isRunning())
            return;
    }
    showNoReplay();
}

void ReplayPanel::showNoReplay()
{
    clearResults();
    m_progress->setValue(0);
    m_status->setText(tr("Replay recorded traffic to see what the candidate would change."));
}

void ReplayPanel::clearResults()
{
    m_changed->clear();
    m_breakdown->clear();
    m_timeline->clear();
    m_before->clear();
    m_after->clear();
    setCard(m_replayedCard, 0, tr("replayed"));
    setCard(m_deniedCard, 0, tr("newly denied"));
    setCard(m_allowedCard, 0, tr("newly allowed"));
    setCard(m_unchangedCard, 0, tr("unchanged"));
    m_results->setTabText(0, tr("Changed decisions"));
}

void ReplayPanel::startReplay()
{
    Result<std::shared_ptr<const policy::Schema>> schema = m_schema();
    if (!schema) {
        m_status->setText(schema.error().message);
        return;
    }
    ReplayScope scope;
    scope.from = m_from->dateTime();
    scope.to = m_to->dateTime();
    scope.agent = m_agent->text();
    scope.tool = m_tool->text();
    scope.human = m_human->text();
    const QString source = m_candidate();
    clearResults();
    const Status started = m_runner->start(source, schema.value(), scope);
    if (!started) {
        m_status->setText(tr("Cannot replay: %1").arg(started.error().toString()));
        return;
    }
    m_runningSource = source;
    m_completedSource.clear();
    m_replay->setEnabled(false);
    m_cancel->setEnabled(true);
}

void ReplayPanel::showSummary()
{
    const simulate::ReplaySummary &summary = m_runner->summary();
    setCard(m_replayedCard, summary.replayed, tr("replayed"));
    setCard(m_deniedCard, summary.overall.newlyDenied, tr("newly denied"));
    setCard(m_allowedCard, summary.overall.newlyAllowed, tr("newly allowed"));
    setCard(m_unchangedCard, summary.overall.unchanged, tr("unchanged"));
    m_timeline->setTimeline(summary.timeline, m_runner->bucketSeconds());
    m_breakdown->setSummary(summary);
    m_changed->update(summary);
    const qint64 changed = summary.overall.newlyDenied + summary.overall.newlyAllowed;
    m_results->setTabText(0, tr("Changed decisions (%1)").arg(QLocale().toString(changed)));
}

void ReplayPanel::onFinished(bool cancelled, const QString &error)
{
    m_replay->setEnabled(true);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 100);
    if (std::exchange(m_forgetWhenFinished, false)) {
        showNoReplay();
        return;
    }
    const simulate::ReplaySummary &summary = m_runner->summary();
    showSummary();
    QString text;
    if (!error.isEmpty()) {
        text = tr("Replay stopped: %1").arg(error);
    } else if (cancelled) {
        text = tr("Cancelled after %Ln recorded decision(s); the results so far are shown.", nullptr, int(summary.replayed));
    } else {
        m_completedSource = m_runningSource;
        text = tr("Replayed %Ln recorded decision(s): %1 newly denied, %2 newly allowed.", nullptr, int(summary.replayed))
                   .arg(QLocale().toString(summary.overall.newlyDenied), QLocale().toString(summary.overall.newlyAllowed));
        if (summary.replayed == 0)
            text = tr("No recorded decisions in this range.");
    }
    if (summary.skipped > 0)
        text += QLatin1Char(' ') + tr("%Ln skipped (no longer fitting the schema), e.g. %1", nullptr, int(summary.skipped))
                                      .arg(summary.skipReasons.value(0));
    if (summary.changes.size() >= size_t(simulate::ReplaySummary::kMaxChanges))
        text += QLatin1Char(' ') + tr("The table shows the first %1 changes.").arg(simulate::ReplaySummary::kMaxChanges);
    m_status->setText(text);
    Q_EMIT replayFinished();
}

void ReplayPanel::showSelectedChange()
{
    const QModelIndexList rows = m_changedTable->selectionModel()->selectedRows();
    m_whatIf->setEnabled(!rows.isEmpty());
    if (rows.isEmpty()) {
        m_before->clear();
        m_after->clear();
        return;
    }
    const auto *proxy = static_cast<const QSortFilterProxyModel *>(m_changedTable->model());
    const simulate::ReplayedRequest &change = m_changed->change(proxy->mapToSource(rows.first()).row());
    m_before->setHtml(outcomeHtml(tr("Recorded decision"), change.before));
    m_after->setHtml(outcomeHtml(tr("Under the candidate"), change.after));
}

} // namespace mandate::ui
