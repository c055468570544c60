// SPDX-License-Identifier: Apache-2.0
#include "LineageView.h"

#include "GatewaySession.h"
#include "LineageDetailsPanel.h"
#include "LineageExport.h"
#include "LineageGraphView.h"
#include "LineageNodeItem.h"
#include "LineageScene.h"

#include "client/GatewayClient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStringListModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <set>

namespace mandate::ui {

namespace {

using Kind = client::LineageStart::Kind;

/// How many execution states are fetched for the claims and hop labels of one graph.
constexpr int kMaxStateRequests = 200;

QString kindPrefix(Kind kind)
{
    switch (kind) {
    case Kind::Human: return QStringLiteral("human:");
    case Kind::Agent: return QStringLiteral("agent:");
    case Kind::Execution: return QStringLiteral("execution:");
    default: return {};
    }
}

/// The node a start names, where the view opens (none for traces and time ranges).
QString startNodeId(const client::LineageStart &start)
{
    const QString prefix = kindPrefix(start.kind);
    return prefix.isEmpty() ? QString() : prefix + start.id;
}

} // namespace

LineageView::LineageView(GatewaySession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_scene(new LineageScene(this)), m_view(new LineageGraphView(this)),
      m_minimap(nullptr), m_details(new LineageDetailsPanel(this))
{
    setObjectName(QStringLiteral("lineageView"));
    m_scene->setStyle(LineageStyle::forPalette(palette()));
    m_view->setScene(m_scene);
    m_minimap = new LineageMinimap(m_view, this);
    m_minimap->setMinimumHeight(150);
    m_minimap->setMaximumHeight(190);
    m_details->setClient(session->client());

    auto *searchBar = new QWidget(this);
    buildSearchBar(searchBar);
    auto *filterBar = new QWidget(this);
    buildFilterBar(filterBar);
    m_status = new QLabel(tr("Search for an execution, a human, an agent, a trace or a time range."), this);
    m_status->setObjectName(QStringLiteral("lineageStatus"));

    auto *side = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_minimap);
    sideLayout->addWidget(m_details, 1);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({860, 420});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(searchBar);
    layout->addWidget(filterBar);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_scene, &LineageScene::rebuilt, this, &LineageView::onGraphRebuilt);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &LineageView::onSelectionChanged);
    connect(m_view, &LineageGraphView::nodeActivated, m_scene, &LineageScene::toggleCollapsed);
    connect(m_details, &LineageDetailsPanel::showInGraph, this, [this](const QString &id) {
        if (!m_scene->nodeItem(id)) {
            m_status->setText(tr("That call is hidden by the filters or a collapsed node."));
            return;
        }
        m_scene->selectNode(id);
        m_view->centerOn(m_scene->nodeItem(id));
    });
    connect(session, &GatewaySession::stateChanged, this, &LineageView::onSessionChanged);
}

void LineageView::buildSearchBar(QWidget *bar)
{
    m_startKind = new QComboBox(bar);
    m_startKind->setObjectName(QStringLiteral("lineageStartKind"));
    m_startKind->addItem(tr("Execution"), int(Kind::Execution));
    m_startKind->addItem(tr("Human"), int(Kind::Human));
    m_startKind->addItem(tr("Agent"), int(Kind::Agent));
    m_startKind->addItem(tr("Trace id"), int(Kind::Trace));
    m_startKind->addItem(tr("Time range"), int(Kind::TimeRange));
    m_search = new QLineEdit(bar);
    m_search->setObjectName(QStringLiteral("lineageSearch"));
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(tr("execution id, human, agent or trace id"));
    m_completions = new QStringListModel(this);
    auto *completer = new QCompleter(m_completions, m_search);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_search->setCompleter(completer);
    const QDateTime now = QDateTime::currentDateTime();
    m_rangeFrom = new QDateTimeEdit(now.addSecs(-3600), bar);
    m_rangeTo = new QDateTimeEdit(now.addSecs(60), bar);
    for (QDateTimeEdit *edit : {m_rangeFrom, m_rangeTo}) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        edit->setCalendarPopup(true);
        edit->setVisible(false);
    }
    m_rangeFrom->setObjectName(QStringLiteral("lineageRangeFrom"));
    m_rangeTo->setObjectName(QStringLiteral("lineageRangeTo"));
    auto *show = new QPushButton(tr("Show lineage"), bar);
    show->setObjectName(QStringLiteral("lineageShow"));
    show->setDefault(true);

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Start from"), bar));
    layout->addWidget(m_startKind);
    layout->addWidget(m_search, 1);
    layout->addWidget(m_rangeFrom);
    layout->addWidget(m_rangeTo);
    layout->addWidget(show);

    connect(m_startKind, &QComboBox::currentIndexChanged, this, [this] {
        const bool range = Kind(m_startKind->currentData().toInt()) == Kind::TimeRange;
        m_search->setVisible(!range);
        m_rangeFrom->setVisible(range);
        m_rangeTo->setVisible(range);
        updateCompletions();
    });
    connect(m_search, &QLineEdit::returnPressed, this, &LineageView::search);
    connect(show, &QPushButton::clicked, this, &LineageView::search);
}

void LineageView::buildFilterBar(QWidget *bar)
{
    m_decisionFilter = new QComboBox(bar);
    m_decisionFilter->setObjectName(QStringLiteral("lineageDecisionFilter"));
    m_decisionFilter->addItem(tr("All decisions"), QString());
    m_decisionFilter->addItem(tr("Allowed"), QStringLiteral("allow"));
    m_decisionFilter->addItem(tr("Denied"), QStringLiteral("deny"));
    m_toolFilter = new QComboBox(bar);
    m_toolFilter->setObjectName(QStringLiteral("lineageToolFilter"));
    m_toolFilter->addItem(tr("All tools"), QString());
    m_timeFilter = new QCheckBox(tr("Calls between"), bar);
    m_timeFilter->setObjectName(QStringLiteral("lineageTimeFilter"));
    m_filterFrom = new QDateTimeEdit(bar);
    m_filterTo = new QDateTimeEdit(bar);
    for (QDateTimeEdit *edit : {m_filterFrom, m_filterTo}) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        edit->setEnabled(false);
    }
    const auto toolButton = [bar](const QString &text, const QString &tip, const char *name) {
        auto *button = new QToolButton(bar);
        button->setText(text);
        button->setToolTip(tip);
        button->setObjectName(QLatin1String(name));
        return button;
    };
    QToolButton *zoomIn = toolButton(QStringLiteral("+"), tr("Zoom in (+)"), "lineageZoomIn");
    QToolButton *zoomOut = toolButton(QStringLiteral("\u2212"), tr("Zoom out (-)"), "lineageZoomOut");
    QToolButton *fit = toolButton(tr("Fit"), tr("Fit the graph in the view (0)"), "lineageFit");
    QToolButton *expand = toolButton(tr("Expand all"), tr("Expand every collapsed node"), "lineageExpandAll");
    QToolButton *exportButton = toolButton(tr("Export"), tr("Export the graph or its records"), "lineageExport");
    auto *menu = new QMenu(exportButton);
    exportButton->setMenu(menu);
    exportButton->setPopupMode(QToolButton::InstantPopup);
    menu->addAction(tr("Graph as PNG…"), this, [this] { chooseExport(QStringLiteral("png")); });
    menu->addAction(tr("Graph as SVG…"), this, [this] { chooseExport(QStringLiteral("svg")); });
    menu->addAction(tr("Records as JSON lines…"), this, [this] { chooseExport(QStringLiteral("jsonl")); });

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Show"), bar));
    layout->addWidget(m_decisionFilter);
    layout->addWidget(m_toolFilter);
    layout->addWidget(m_timeFilter);
    layout->addWidget(m_filterFrom);
    layout->addWidget(new QLabel(QStringLiteral("\u2013"), bar));
    layout->addWidget(m_filterTo);
    layout->addStretch(1);
    for (QToolButton *button : {zoomOut, zoomIn, fit, expand, exportButton})
        layout->addWidget(button);

    connect(m_decisionFilter, &QComboBox::currentIndexChanged, this, &LineageView::applyFilter);
    connect(m_toolFilter, &QComboBox::currentIndexChanged, this, &LineageView::applyFilter);
    connect(m_timeFilter, &QCheckBox::toggled, this, [this](bool on) {
        m_filterFrom->setEnabled(on);
        m_filterTo->setEnabled(on);
        applyFilter();
    });
    connect(m_filterFrom, &QDateTimeEdit::dateTimeChanged, this, &LineageView::applyFilter);
    connect(m_filterTo, &QDateTimeEdit::dateTimeChanged, this, &LineageView::applyFilter);
    connect(zoomIn, &QToolButton::clicked, m_view, [this] { m_view->zoomBy(1.25); });
    connect(zoomOut, &QToolButton::clicked, m_view, [this] { m_view->zoomBy(0.8); });
    connect(fit, &QToolButton::clicked, m_view, &LineageGraphView::fitGraph);
    connect(expand, &QToolButton::clicked, this, [this] {
        LineageFilter filter = m_scene->filter();
        filter.collapsed.clear();
        m_scene->setFilter(filter);
    });
}

void LineageView::onSessionChanged()
{
    if (m_session->state() != GatewaySession::State::Connected)
        return;
    client::GatewayClient *client = m_session->client();
    m_details->setClient(client);
    // Completion candidates: the registry's people and agents, and the executions and traces of
    // the first page of the audit log.
    client->listHumans(this, [this](client::ClientResult<std::vector<identity::Human>> humans) {
        if (!humans)
            return;
        QStringList ids;
        for (const identity::Human &human : humans.value())
            ids << human.id;
        m_known[int(Kind::Human)] = ids;
        updateCompletions();
    });
    client->listAgents(this, [this](client::ClientResult<std::vector<identity::Agent>> agents) {
        if (!agents)
            return;
        QStringList ids;
        for (const identity::Agent &agent : agents.value())
            ids << agent.id;
        m_known[int(Kind::Agent)] = ids;
        updateCompletions();
    });
    client->queryAudit({}, {}, 1000, this, [this](client::ClientResult<client::AuditPage> page) {
        if (!page)
            return;
        std::set<QString> executions, traces;
        for (const client::AuditEntry &entry : page->entries) {
            if (!entry.record.execution.isEmpty())
                executions.insert(entry.record.execution);
            if (!entry.record.traceId.isEmpty())
                traces.insert(entry.record.traceId);
        }
        m_known[int(Kind::Execution)] = QStringList(executions.begin(), executions.end());
        m_known[int(Kind::Trace)] = QStringList(traces.begin(), traces.end());
        updateCompletions();
    });
}

void LineageView::updateCompletions()
{
    m_completions->setStringList(m_known.value(m_startKind->currentData().toInt()));
}

void LineageView::search()
{
    m_search->completer()->popup()->hide();  // the suggestions are done with once the search starts
    const Kind kind = Kind(m_startKind->currentData().toInt());
    if (kind == Kind::TimeRange) {
        open(client::LineageStart::timeRange(m_rangeFrom->dateTime(), m_rangeTo->dateTime()));
        return;
    }
    QString id = m_search->text().trimmed();
    // Accept a node id pasted from elsewhere ("human:alice").
    if (const QString prefix = kindPrefix(kind); !prefix.isEmpty() && id.startsWith(prefix))
        id = id.mid(prefix.size());
    if (id.isEmpty()) {
        m_status->setText(tr("Type what to start from."));
        return;
    }
    open(client::LineageStart{kind, id, {}, {}});
}

void LineageView::open(const client::LineageStart &start)
{
    m_start = start;
    const int request = ++m_request;
    m_status->setText(tr("Fetching the lineage…"));
    m_session->client()->lineage(start, this, [this, request](client::ClientResult<audit::LineageGraph> graph) {
        if (request != m_request)
            return;
        if (!graph) {
            m_status->setText(tr("No lineage: %1").arg(graph.error().message()));
            Q_EMIT graphLoaded(graph.error().message());
            return;
        }
        m_details->clear();
        // Tools and the time window of the filter bar follow the graph.
        QStringList tools;
        QDateTime first, last;
        for (const audit::LineageGraph::Node &node : graph->nodes) {
            if (node.kind != QLatin1String("call"))
                continue;
            const QString tool = node.attributes.value(QStringLiteral("tool")).toString();
            if (!tool.isEmpty() && !tools.contains(tool))
                tools << tool;
            const QDateTime time = QDateTime::fromString(node.attributes.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
            if (time.isValid()) {
                first = !first.isValid() || time < first ? time : first;
                last = !last.isValid() || time > last ? time : last;
            }
        }
        tools.sort();
        const QSignalBlocker blockTools(m_toolFilter);
        const QSignalBlocker blockFrom(m_filterFrom);
        const QSignalBlocker blockTo(m_filterTo);
        m_toolFilter->clear();
        m_toolFilter->addItem(tr("All tools"), QString());
        for (const QString &tool : tools)
            m_toolFilter->addItem(tool, tool);
        if (first.isValid()) {
            m_filterFrom->setDateTime(first.toLocalTime().addSecs(-1));
            m_filterTo->setDateTime(last.toLocalTime().addSecs(1));
        }
        QStringList &known = m_known[int(Kind::Execution)];
        for (const audit::LineageGraph::Node &node : graph->nodes) {
            if (node.kind == QLatin1String("execution") && !known.contains(node.id.section(u':', 1)))
                known << node.id.section(u':', 1);
        }
        m_scene->setGraph(std::move(graph).value());
        applyFilter();
        m_view->showReadable(m_scene->nodeItem(startNodeId(m_start)));
        m_minimap->refit();
        fetchExecutionStates();
        Q_EMIT graphLoaded({});
    });
}

void LineageView::applyFilter()
{
    LineageFilter filter = m_scene->filter();
    filter.decision = m_decisionFilter->currentData().toString();
    filter.tool = m_toolFilter->currentData().toString();
    filter.from = m_timeFilter->isChecked() ? m_filterFrom->dateTime() : QDateTime();
    filter.to = m_timeFilter->isChecked() ? m_filterTo->dateTime() : QDateTime();
    const QString selected = m_scene->selectedNodeId();
    m_scene->setFilter(filter);
    m_scene->selectNode(selected);
}

void LineageView::onGraphRebuilt()
{
    int denied = 0;
    int flagged = 0;
    for (const LineageNodeItem *item : m_scene->nodeItems()) {
        if (item->content().kind == QLatin1String("call")) {
            denied += item->content().decision != QLatin1String("allow");
            flagged += item->content().flagged;
        }
    }
    QString text = tr("%1 nodes, %2 edges shown of %3 nodes · %4 denied, %5 flagged · layout %6 ms")
                       .arg(m_scene->nodeItems().size())
                       .arg(m_scene->edgeItems().size())
                       .arg(m_scene->graph().nodes.size())
                       .arg(denied)
                       .arg(flagged)
                       .arg(m_scene->lastLayoutMs());
    if (m_scene->graph().truncated)
        text += tr(" · truncated: the gateway stopped at its record limit");
    m_status->setText(text);
    m_minimap->refit();
}

void LineageView::onSelectionChanged()
{
    const QString id = m_scene->selectedNodeId();
    const audit::LineageGraph::Node *node = id.isEmpty() ? nullptr : m_scene->graph().find(id);
    if (!node) {
        return;  // a click on the background keeps the details: the auditor may be reading them
    }
    QString execution;
    if (node->kind == QLatin1String("execution"))
        execution = id.section(u':', 1);
    else if (node->kind == QLatin1String("call"))
        execution = node->attributes.value(QStringLiteral("execution")).toString();
    m_details->showNode(*node, m_scene->executionState(execution));
}

void LineageView::fetchExecutionStates()
{
    int requests = 0;
    const int request = m_request;
    for (const audit::LineageGraph::Node &node : m_scene->graph().nodes) {
        if (node.kind != QLatin1String("execution"))
            continue;
        if (++requests > kMaxStateRequests)
            break;
        const QString id = node.id.section(u':', 1);
        m_session->client()->executionState(id, this, [this, request, id](client::ClientResult<QJsonObject> state) {
            if (request != m_request || !state)
                return;
            m_scene->setExecutionState(id, state.value());
            if (m_scene->selectedNodeId() == QStringLiteral("execution:") + id)
                onSelectionChanged();
        });
    }
}

Status LineageView::exportPng(const QString &path)
{
    return LineageExport::png(*m_scene, path);
}

Status LineageView::exportSvg(const QString &path)
{
    return LineageExport::svg(*m_scene, path, tr("Delegation lineage"));
}

void LineageView::fetchRecords(const QUrlQuery &filter, const QString &cursor, std::vector<client::AuditEntry> entries,
                               std::function<void(Result<std::vector<client::AuditEntry>>)> done)
{
    m_session->client()->queryAudit(
        filter, cursor, m_exportLimits.pageSize, this,
        [this, filter, entries = std::move(entries), done = std::move(done)](client::ClientResult<client::AuditPage> page) mutable {
            if (!page) {
                done(page.error().toError());
                return;
            }
            for (client::AuditEntry &entry : page.value().entries)
                entries.push_back(std::move(entry));
            // The export is held in memory: past the bound it is refused whole, never cut short.
            if (entries.size() > m_exportLimits.maxRecords)
                done(tooManyToExport());
            else if (page->atEnd())
                done(std::move(entries));
            else
                fetchRecords(filter, page->nextCursor, std::move(entries), std::move(done));
        });
}

Error LineageView::tooManyToExport() const
{
    return Error{QStringLiteral("too_large"),
                 tr("The lineage has more than %L1 audit records, too many to export from the console: "
                    "narrow it, or use `mandatectl audit export` with the same filters.").arg(m_exportLimits.maxRecords)};
}

void LineageView::fetchEach(std::vector<QUrlQuery> queries, size_t next, std::vector<client::AuditEntry> entries,
                            std::function<void(Result<std::vector<client::AuditEntry>>)> done)
{
    if (next == queries.size())
        return done(std::move(entries));
    const QUrlQuery filter = queries[next];
    fetchRecords(filter, {}, std::move(entries),
                 [this, queries = std::move(queries), next, done = std::move(done)](Result<std::vector<client::AuditEntry>> so) mutable {
                     if (!so)
                         return done(so.error());
                     fetchEach(std::move(queries), next + 1, std::move(so).value(), std::move(done));
                 });
}

void LineageView::exportJsonLines(const QString &path, std::function<void(Status)> done)
{
    // The executions whose calls the graph shows: not the ancestors placed for context only.
    QSet<QString> context;
    for (const audit::LineageGraph::Node &node : m_scene->graph().nodes) {
        if (node.kind == QLatin1String("execution") && node.attributes.value(QStringLiteral("context")).toBool())
            context.insert(node.id);
    }
    QStringList executions;
    for (const LineageNodeItem *item : m_scene->nodeItems()) {
        if (item->content().kind == QLatin1String("execution") && !context.contains(item->nodeId()))
            executions << item->nodeId().section(u':', 1);
    }
    executions.sort();
    // An execution or a human start selects with one query what the gateway built the graph
    // from. An agent, trace or time start does not (the graph also holds other agents'
    // sub-executions, and every record of the executions it found): ask per execution then.
    std::vector<QUrlQuery> queries;
    if (m_start.kind == client::LineageStart::Kind::Execution || m_start.kind == client::LineageStart::Kind::Human) {
        queries.push_back(m_start.toQuery());
    } else {
        for (const QString &execution : std::as_const(executions)) {
            QUrlQuery query;
            query.addQueryItem(QStringLiteral("execution"), execution);
            query.addQueryItem(QStringLiteral("descendants"), QStringLiteral("false"));
            queries.push_back(query);
        }
    }
    const QSet<QString> shown(executions.cbegin(), executions.cend());
    fetchEach(std::move(queries), 0, {}, [this, path, shown, done = std::move(done)](Result<std::vector<client::AuditEntry>> all) {
        if (!all) {
            done(all.error());
            return;
        }
        // What the view's filters hide of the calls stays out of the file too.
        std::vector<client::AuditEntry> kept;
        const LineageFilter &filter = m_scene->filter();
        for (client::AuditEntry &entry : all.value()) {
            const audit::AuditRecord &r = entry.record;
            if (!shown.contains(r.execution))
                continue;
            if (!r.decision.isEmpty() && !filter.decision.isEmpty() && r.decision != filter.decision)
                continue;
            if (!r.tool.isEmpty() && !filter.tool.isEmpty() && r.tool != filter.tool)
                continue;
            if (!r.tool.isEmpty() && ((filter.from.isValid() && r.time < filter.from) || (filter.to.isValid() && r.time > filter.to)))
                continue;
            kept.push_back(std::move(entry));
        }
        done(LineageExport::jsonLines(kept, path));
    });
}

void LineageView::chooseExport(const QString &format)
{
    const QString filter = format == QLatin1String("png")   ? tr("PNG images (*.png)")
                           : format == QLatin1String("svg") ? tr("SVG drawings (*.svg)")
                                                            : tr("JSON lines (*.jsonl)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export lineage"), QStringLiteral("lineage.") + format, filter);
    if (path.isEmpty())
        return;
    const auto report = [this, path](const Status &status) {
        if (status)
            m_status->setText(tr("Exported %1").arg(path));
        else
            QMessageBox::warning(this, tr("Export failed"), status.error().message);
    };
    if (format == QLatin1String("png"))
        report(exportPng(path));
    else if (format == QLatin1String("svg"))
        report(exportSvg(path));
    else
        exportJsonLines(path, report);
}

} // namespace mandate::ui
