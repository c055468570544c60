// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "client/AuditPage.h"
#include "client/LineageStart.h"
#include "common/Result.h"

#include <QHash>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QStringListModel;

namespace mandate::ui {

class GatewaySession;
class LineageDetailsPanel;
class LineageGraphView;
class LineageMinimap;
class LineageScene;

/// The delegation-chain visualizer: start from an execution, a human, an agent, a trace or a
/// time range; the gateway's lineage graph is drawn left to right (human → agent → execution →
/// sub-executions → tool calls), with filters, collapse, details of a node with its audit
/// records, and export as PNG, SVG and JSON lines.
class LineageView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LineageView)

public:
    explicit LineageView(GatewaySession *session, QWidget *parent = nullptr);

    /// Fetches and shows the graph from `start` (what the search box does).
    void open(const client::LineageStart &start);
    LineageScene *scene() const { return m_scene; }
    LineageGraphView *graphView() const { return m_view; }
    LineageDetailsPanel *details() const { return m_details; }

    Status exportPng(const QString &path);
    Status exportSvg(const QString &path);
    /// Fetches every record behind the graph, then writes them; `done` gets the outcome.
    void exportJsonLines(const QString &path, std::function<void(Status)> done);

    /// How the JSON-lines export pages through the audit log. The export is held in memory, so
    /// a lineage of more than `maxRecords` records is refused whole, never cut short.
    struct ExportLimits
    {
        int pageSize = 1000;
        size_t maxRecords = 200'000;
    };
    void setExportLimits(ExportLimits limits) { m_exportLimits = limits; }

Q_SIGNALS:
    /// A graph was fetched and drawn, or fetching it failed (`error` set).
    void graphLoaded(const QString &error);

private:
    void buildSearchBar(QWidget *bar);
    void buildFilterBar(QWidget *bar);
    void onSessionChanged();
    void search();
    void applyFilter();
    void onGraphRebuilt();
    void onSelectionChanged();
    void fetchExecutionStates();
    void updateCompletions();
    void chooseExport(const QString &format);
    void fetchRecords(const QUrlQuery &filter, const QString &cursor, std::vector<client::AuditEntry> entries,
                      std::function<void(Result<std::vector<client::AuditEntry>>)> done);
    Error tooManyToExport() const;
    /// fetchRecords() for each query in turn, into one list.
    void fetchEach(std::vector<QUrlQuery> queries, size_t next, std::vector<client::AuditEntry> entries,
                   std::function<void(Result<std::vector<client::AuditEntry>>)> done);

    GatewaySession *m_session;
    LineageScene *m_scene;
    LineageGraphView *m_view;
    LineageMinimap *m_minimap;
    LineageDetailsPanel *m_details;
    QComboBox *m_startKind = nullptr;
    QLineEdit *m_search = nullptr;
    QStringListModel *m_completions = nullptr;
    QDateTimeEdit *m_rangeFrom = nullptr;
    QDateTimeEdit *m_rangeTo = nullptr;
    QComboBox *m_decisionFilter = nullptr;
    QComboBox *m_toolFilter = nullptr;
    QCheckBox *m_timeFilter = nullptr;
    QDateTimeEdit *m_filterFrom = nullptr;
    QDateTimeEdit *m_filterTo = nullptr;
    QLabel *m_status = nullptr;
    client::LineageStart m_start;
    ExportLimits m_exportLimits;
    QHash<int, QStringList> m_known;     // completion candidates per kind
    int m_request = 0;
};

} // namespace mandate::ui
