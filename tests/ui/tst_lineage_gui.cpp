// SPDX-License-Identifier: Apache-2.0
// Drives the lineage view in the real main window against a real `mandated --demo` with real
// traffic from `mandatectl demo traffic` (denied calls, sub-delegations): search from a human,
// an execution, a trace and a time range; open a call's details and its audit record and go
// back; filter, collapse, export PNG, SVG and JSON lines. Screenshots land in the build folder.
#include "ConsoleTestSupport.h"
#include "GatewayProcess.h"

#include "ConsoleSettings.h"
#include "GatewaySession.h"
#include "KeyVault.h"
#include "LineageDetailsPanel.h"
#include "LineageEdgeItem.h"
#include "LineageGraphView.h"
#include "LineageNodeItem.h"
#include "LineageScene.h"
#include "LineageView.h"
#include "MainWindow.h"
#include "Translations.h"
#include "Theme.h"

#include "client/GatewayClient.h"

#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QImage>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QScopeGuard>
#include <QPushButton>
#include <QSignalSpy>
#include <QStringListModel>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>

using namespace mandate;
using namespace mandate::ui;

class tst_LineageGui final : public QObject
{
    Q_OBJECT

private:
    GatewayProcess m_gateway;
    QTemporaryDir m_dir;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<KeyVault> m_vault;
    std::unique_ptr<MainWindow> m_window;

    void screenshot(QWidget *widget, const QString &name)
    {
        QVERIFY2(saveScreenshot(widget, QStringLiteral(MANDATE_SCREENSHOT_DIR), name), qPrintable(name));
    }

    bool runTraffic(int calls)
    {
        return runDemoTraffic(QStringLiteral(MANDATECTL), m_gateway,
                              {QStringLiteral("--calls"), QString::number(calls), QStringLiteral("--rate"), QStringLiteral("200"),
                               QStringLiteral("--seed"), QStringLiteral("3")});
    }

    LineageView *view() const { return m_window->findChild<LineageView *>(QStringLiteral("lineageView")); }

    /// Opens `start` and waits for the graph.
    bool openAndWait(const client::LineageStart &start)
    {
        QSignalSpy loaded(view(), &LineageView::graphLoaded);
        view()->open(start);
        if (!loaded.wait(15'000))
            return false;
        if (!loaded.first().first().toString().isEmpty())
            qWarning() << "lineage:" << loaded.first().first().toString();
        return loaded.first().first().toString().isEmpty();
    }

    void clickNode(const QString &id)
    {
        LineageGraphView *graph = view()->graphView();
        LineageNodeItem *item = view()->scene()->nodeItem(id);
        QVERIFY2(item, qPrintable(id));
        graph->centerOn(item);
        QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->mapFromScene(item->pos()));
    }

    int callNodes() const
    {
        int calls = 0;
        for (const LineageNodeItem *item : view()->scene()->nodeItems())
            calls += item->content().kind == QLatin1String("call");
        return calls;
    }

    /// The decision records of the view's JSON-lines export, or -1 when it failed.
    int exportedDecisions(const QString &name)
    {
        const QString path = m_dir.filePath(name);
        std::optional<Status> written;
        view()->exportJsonLines(path, [&](Status status) { written = status; });
        if (!QTest::qWaitFor([&] { return written.has_value(); }, 30'000) || !written->ok())
            return -1;
        QFile lines(path);
        if (!lines.open(QIODevice::ReadOnly))
            return -1;
        int decisions = 0;
        for (const QByteArray &line : lines.readAll().split('\n'))
            decisions += !line.isEmpty()
                && QJsonDocument::fromJson(line).object().value(QStringLiteral("mandate.event.type")).toString() == QLatin1String("decision");
        return decisions;
    }

    /// An execution that delegated to a sub-execution, and that sub-execution.
    std::pair<QString, QString> subDelegation() const
    {
        for (const auto &edge : view()->scene()->graph().edges) {
            if (edge.kind == QLatin1String("delegated") && edge.from.startsWith(QLatin1String("execution:")))
                return {edge.from, edge.to};
        }
        return {};
    }

    /// The sequence numbers of every record `filter` selects, as the gateway pages them.
    std::vector<qint64> recordSequences(const QUrlQuery &filter)
    {
        std::vector<qint64> sequences;
        QString cursor;
        for (;;) {
            std::optional<client::ClientResult<client::AuditPage>> page;
            m_window->session()->client()->queryAudit(filter, cursor, 1000, this,
                                                      [&](client::ClientResult<client::AuditPage> p) { page = std::move(p); });
            if (!QTest::qWaitFor([&] { return page.has_value(); }, 15'000) || !page->ok())
                return {};
            for (const client::AuditEntry &entry : page->value().entries)
                sequences.push_back(entry.sequence);
            if (page->value().atEnd())
                return sequences;
            cursor = page->value().nextCursor;
        }
    }

    /// The sequence numbers the details panel lists, and whether it says that more follow.
    std::pair<std::vector<qint64>, bool> listedRecords() const
    {
        const auto *records = view()->details()->findChild<QListWidget *>(QStringLiteral("lineageRecords"));
        std::vector<qint64> sequences;
        bool more = false;
        for (int row = 0; row < records->count(); ++row) {
            const QString text = records->item(row)->text();
            if (text.startsWith(u'#'))
                sequences.push_back(text.mid(1).section(u' ', 0, 0).toLongLong());
            more = more || text.contains(QStringLiteral("more records follow"));
        }
        return {sequences, more};
    }

    /// Exports the view's records as JSON lines; the file's bytes, or the error.
    Result<QByteArray> exportBytes(const QString &name)
    {
        const QString path = m_dir.filePath(name);
        std::optional<Status> written;
        view()->exportJsonLines(path, [&](Status status) { written = status; });
        if (!QTest::qWaitFor([&] { return written.has_value(); }, 30'000))
            return Error{QStringLiteral("timeout"), QStringLiteral("the export did not finish")};
        if (!*written)
            return written->error();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Error{QStringLiteral("io"), file.errorString()};
        return file.readAll();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir().mkpath(QStringLiteral(MANDATE_SCREENSHOT_DIR)));
        installTranslators(*QCoreApplication::instance());  // as the console does: "1 call", "2 calls"
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.errorString()));
        QVERIFY(runTraffic(150));
        Theme::initialize(*qApp);
        m_settings = std::make_unique<ConsoleSettings>(m_dir.filePath(QStringLiteral("console.ini")));
        m_vault = std::make_unique<KeyVault>(KeyVault::Mode::SessionOnly);
        m_window = std::make_unique<MainWindow>(*m_settings, *m_vault);
        m_window->resize(1500, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->connectTo(GatewayProfile{QStringLiteral("demo"), m_gateway.baseUrl(), QString()}, m_gateway.key(QStringLiteral("auditor")));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->state() == GatewaySession::State::Connected, 20'000);
        m_window->showView(MainWindow::Lineage);
        QVERIFY(view() && view()->isVisible());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_gateway.stop();
    }

    void clientPagesTheAuditLog()
    {
        client::GatewayClient *client = m_window->session()->client();
        std::optional<client::ClientResult<client::AuditPage>> first, second;
        QUrlQuery filter;
        filter.addQueryItem(QStringLiteral("decision"), QStringLiteral("deny"));
        client->queryAudit(filter, {}, 5, this, [&](client::ClientResult<client::AuditPage> page) { first = std::move(page); });
        QTRY_VERIFY(first.has_value());
        QVERIFY2(first->ok(), first->ok() ? "" : qPrintable(first->error().message()));
        QCOMPARE(int(first->value().entries.size()), 5);
        QVERIFY(!first->value().atEnd());
        for (const client::AuditEntry &entry : first->value().entries)
            QCOMPARE(entry.record.decision, QStringLiteral("deny"));
        client->queryAudit(filter, first->value().nextCursor, 5, this,
                           [&](client::ClientResult<client::AuditPage> page) { second = std::move(page); });
        QTRY_VERIFY(second.has_value());
        QVERIFY(second->ok());
        QVERIFY(second->value().entries.front().sequence > first->value().entries.back().sequence);
    }

    void searchesFromAHuman()
    {
        auto *kind = view()->findChild<QComboBox *>(QStringLiteral("lineageStartKind"));
        auto *search = view()->findChild<QLineEdit *>(QStringLiteral("lineageSearch"));
        kind->setCurrentIndex(kind->findData(int(client::LineageStart::Kind::Human)));
        // The completer offers the registry's humans.
        auto *completions = qobject_cast<QStringListModel *>(search->completer()->model());
        QTRY_VERIFY(completions && completions->stringList().contains(QStringLiteral("alice")));
        QSignalSpy loaded(view(), &LineageView::graphLoaded);
        search->setFocus();
        QTest::keyClicks(search, QStringLiteral("alice"));
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(loaded.wait(15'000));
        QCOMPARE(loaded.first().first().toString(), QString());

        LineageScene *scene = view()->scene();
        const audit::LineageGraph &graph = scene->graph();
        QCOMPARE(size_t(scene->nodeItems().size()), graph.nodes.size());
        QCOMPARE(size_t(scene->edgeItems().size()), graph.edges.size());
        QVERIFY(scene->nodeItem(QStringLiteral("human:alice")));
        QVERIFY(!scene->nodeItem(QStringLiteral("human:bob")));
        int denied = 0;
        for (const LineageNodeItem *item : scene->nodeItems())
            denied += item->content().kind == QLatin1String("call") && item->content().decision == QLatin1String("deny");
        QVERIFY2(denied > 0, "the traffic has denied calls");
        QVERIFY2(!subDelegation().first.isEmpty(), "the traffic has a sub-delegation");
        // Every edge ends where its target node starts.
        for (const LineageEdgeItem *edge : scene->edgeItems())
            QVERIFY(edge->end().x() > edge->start().x());

        // The delegation hops are labelled with what they handed down, once the states arrive.
        const auto [parent, child] = subDelegation();
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(scene->edgeItems().begin(), scene->edgeItems().end(), [](const LineageEdgeItem *e) {
            return e->kind() == QLatin1String("delegated") && e->label().contains(QStringLiteral("dropped ticket:read"));
        }), 10'000);
        // Opened at a readable scale on the human it started from.
        QVERIFY(view()->graphView()->zoom() >= 0.5);
        const QRectF visible = view()->graphView()->mapToScene(view()->graphView()->viewport()->rect()).boundingRect();
        QVERIFY(visible.contains(scene->nodeItem(QStringLiteral("human:alice"))->pos()));
        screenshot(m_window.get(), QStringLiteral("lineage-opened"));
        view()->graphView()->fitGraph();
        screenshot(m_window.get(), QStringLiteral("lineage-overview"));

        view()->graphView()->setTransform(QTransform());
        view()->graphView()->centerOn(scene->nodeItem(child));
        scene->selectNode(child);
        QTRY_VERIFY(view()->details()->findChild<QLabel *>(QStringLiteral("lineageDetailsTitle"))->text().contains(child.section(u':', 1)));
        // The execution's records arrive after its claims; among them the delegation that made it.
        const QListWidget *records = view()->details()->findChild<QListWidget *>(QStringLiteral("lineageRecords"));
        QTRY_VERIFY_WITH_TIMEOUT(!records->findItems(QStringLiteral(" delegation"), Qt::MatchContains).isEmpty(), 10'000);
        screenshot(m_window.get(), QStringLiteral("lineage-subdelegation"));
    }

    void opensACallAndItsRecord()
    {
        LineageScene *scene = view()->scene();
        QString deniedCall;
        for (const LineageNodeItem *item : scene->nodeItems()) {
            if (item->content().kind == QLatin1String("call") && item->content().decision == QLatin1String("deny")) {
                deniedCall = item->nodeId();
                break;
            }
        }
        view()->graphView()->setTransform(QTransform());
        clickNode(deniedCall);
        QCOMPARE(scene->selectedNodeId(), deniedCall);
        LineageDetailsPanel *details = view()->details();
        QVERIFY(details->findChild<QLabel *>(QStringLiteral("lineageDetailsTitle"))->text().contains(QStringLiteral("deny")));
        // Jump from the call to its record.
        const qint64 sequence = deniedCall.section(u':', -1).toLongLong();
        QTRY_COMPARE_WITH_TIMEOUT(details->shownRecord(), sequence, 10'000);
        const QString json = details->findChild<QPlainTextEdit *>(QStringLiteral("lineageRecordJson"))->toPlainText();
        QVERIFY(json.contains(QStringLiteral("\"mandate.decision\": \"deny\"")));
        QVERIFY(json.contains(QStringLiteral("\"mandate.audit.sequence\": %1").arg(sequence)));
        screenshot(m_window.get(), QStringLiteral("lineage-call-details"));

        // And back: from elsewhere, "Show in graph" selects the call again.
        scene->selectNode(QStringLiteral("human:alice"));
        QTRY_COMPARE(details->shownRecord(), qint64(0));
        clickNode(deniedCall);
        QTRY_COMPARE_WITH_TIMEOUT(details->shownRecord(), sequence, 10'000);
        scene->clearSelection();
        details->findChild<QPushButton *>(QStringLiteral("lineageShowInGraph"))->click();
        QCOMPARE(scene->selectedNodeId(), deniedCall);
    }

    void filtersAndCollapses()
    {
        LineageScene *scene = view()->scene();
        const int all = int(scene->nodeItems().size());
        auto *decision = view()->findChild<QComboBox *>(QStringLiteral("lineageDecisionFilter"));
        decision->setCurrentIndex(decision->findData(QStringLiteral("deny")));
        QVERIFY(int(scene->nodeItems().size()) < all);
        for (const LineageNodeItem *item : scene->nodeItems())
            QVERIFY(item->content().kind != QLatin1String("call") || item->content().decision == QLatin1String("deny"));
        view()->graphView()->fitGraph();
        screenshot(m_window.get(), QStringLiteral("lineage-denied-only"));
        decision->setCurrentIndex(0);
        QCOMPARE(int(scene->nodeItems().size()), all);

        auto *tool = view()->findChild<QComboBox *>(QStringLiteral("lineageToolFilter"));
        QVERIFY(tool->findData(QStringLiteral("refund")) > 0);
        tool->setCurrentIndex(tool->findData(QStringLiteral("refund")));
        for (const LineageNodeItem *item : scene->nodeItems())
            QVERIFY(item->content().kind != QLatin1String("call") || item->content().title == QLatin1String("refund:create"));
        tool->setCurrentIndex(0);

        // Double click collapses an execution with a sub-execution; Expand all brings it back.
        const QString parent = subDelegation().first;
        view()->graphView()->setTransform(QTransform());
        LineageGraphView *graph = view()->graphView();
        graph->centerOn(scene->nodeItem(parent));
        QTest::mouseDClick(graph->viewport(), Qt::LeftButton, {}, graph->mapFromScene(scene->nodeItem(parent)->pos()));
        QVERIFY(int(scene->nodeItems().size()) < all);
        QVERIFY(scene->nodeItem(parent)->content().hiddenBelow >= 2);
        graph->centerOn(scene->nodeItem(parent));
        screenshot(m_window.get(), QStringLiteral("lineage-collapsed"));
        view()->findChild<QWidget *>(QStringLiteral("lineageExpandAll"))->setFocus();
        QTest::mouseClick(view()->findChild<QWidget *>(QStringLiteral("lineageExpandAll")), Qt::LeftButton);
        QCOMPARE(int(scene->nodeItems().size()), all);
    }

    void zoomsWithKeysAndWheel()
    {
        // The search's completion popup had the focus; wheel events go to the active window only.
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        LineageGraphView *graph = view()->graphView();
        graph->setTransform(QTransform());
        graph->setFocus();
        QTest::keyClick(graph, Qt::Key_Plus);
        QVERIFY(graph->zoom() > 1.2);
        QTest::keyClick(graph, Qt::Key_Minus);
        QTest::keyClick(graph, Qt::Key_Minus);
        QVERIFY(graph->zoom() < 1.0);
        const qreal before = graph->zoom();
        const QPointF at(graph->viewport()->rect().center());
        QWheelEvent wheel(at, graph->viewport()->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(graph->viewport(), &wheel);
        QVERIFY2(graph->zoom() > before, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(graph->zoom())));
        QTest::keyClick(graph, Qt::Key_0);  // fit: the whole graph is in view
        const QRectF visible = graph->mapToScene(graph->viewport()->rect()).boundingRect();
        QVERIFY(visible.adjusted(-2, -2, 2, 2).contains(view()->scene()->itemsBoundingRect()));
    }

    void exportsGraphAndRecords()
    {
        const QString png = m_dir.filePath(QStringLiteral("lineage.png"));
        const QString svg = m_dir.filePath(QStringLiteral("lineage.svg"));
        const QString jsonl = m_dir.filePath(QStringLiteral("lineage.jsonl"));
        QVERIFY(view()->exportPng(png).ok());
        QImage image(png);
        QVERIFY(!image.isNull() && image.width() > 200);
        image.save(QStringLiteral(MANDATE_SCREENSHOT_DIR "/lineage-export.png"));
        QVERIFY(view()->exportSvg(svg).ok());
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray svgText = svgFile.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("alice"));

        std::optional<Status> written;
        view()->exportJsonLines(jsonl, [&](Status status) { written = status; });
        QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 15'000);
        QVERIFY2(written->ok(), written->ok() ? "" : qPrintable(written->error().message));
        QFile lines(jsonl);
        QVERIFY(lines.open(QIODevice::ReadOnly));
        int count = 0;
        int calls = 0;
        for (const QByteArray &line : lines.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject record = QJsonDocument::fromJson(line).object();
            QVERIFY(record.contains(QStringLiteral("mandate.audit.sequence")));
            QCOMPARE(record.value(QStringLiteral("mandate.delegation.root")).toString(), QStringLiteral("alice"));
            ++count;
            calls += record.value(QStringLiteral("mandate.event.type")).toString() == QLatin1String("decision");
        }
        int callNodes = 0;
        for (const LineageNodeItem *item : view()->scene()->nodeItems())
            callNodes += item->content().kind == QLatin1String("call");
        QCOMPARE(calls, callNodes);
        QVERIFY(count >= calls);
    }

    void detailsPageThroughAnExecutionsRecords()
    {
        // Small pages, so that one execution of the demo traffic spans several.
        LineageDetailsPanel *details = view()->details();
        details->setListLimits({3, 7});
        const auto restore = qScopeGuard([details] { details->setListLimits({}); });
        LineageScene *scene = view()->scene();
        view()->graphView()->setTransform(QTransform());
        // The execution with the most calls, and its own records in the gateway's order.
        QHash<QString, int> calls;
        for (const auto &edge : scene->graph().edges)
            calls[edge.from] += edge.kind == QLatin1String("called");
        QString busiest;
        for (auto it = calls.cbegin(); it != calls.cend(); ++it) {
            if (busiest.isEmpty() || it.value() > calls.value(busiest))
                busiest = it.key();
        }
        QUrlQuery own;
        own.addQueryItem(QStringLiteral("execution"), busiest.section(u':', 1));
        own.addQueryItem(QStringLiteral("descendants"), QStringLiteral("false"));
        const std::vector<qint64> expected = recordSequences(own);
        QVERIFY2(expected.size() >= 10, qPrintable(QStringLiteral("%1 has %2 records").arg(busiest).arg(expected.size())));

        // The execution itself: pages until 7 records are in (three pages of 3), then says more follow.
        scene->selectNode(busiest);
        QTRY_VERIFY_WITH_TIMEOUT(listedRecords().second, 10'000);
        QCOMPARE(listedRecords().first, std::vector<qint64>(expected.begin(), expected.begin() + 9));

        // A call whose record is on the second or third page: paging stops once it is in, and it is selected.
        QString call;
        size_t at = 0;
        for (size_t i = 3; i < 7 && call.isEmpty(); ++i) {
            for (const LineageNodeItem *item : scene->nodeItems()) {
                if (item->content().kind == QLatin1String("call") && item->nodeId().section(u':', -1).toLongLong() == expected[i]) {
                    call = item->nodeId();
                    at = i;
                }
            }
        }
        QVERIFY2(!call.isEmpty(), "a call among the execution's 4th to 7th records");
        scene->selectNode(call);
        QTRY_COMPARE_WITH_TIMEOUT(details->shownRecord(), expected[at], 10'000);
        const size_t pages = at / 3 + 1;
        QCOMPARE(listedRecords().first, std::vector<qint64>(expected.begin(), expected.begin() + qsizetype(pages * 3)));
        QVERIFY(listedRecords().second);
    }

    void exportIsRefusedWholePastItsBound()
    {
        // The records behind alice's graph (one query from a human start), and their export at
        // the console's own page size.
        QVERIFY(openAndWait(client::LineageStart::human(QStringLiteral("alice"))));
        const size_t fetched = recordSequences(client::LineageStart::human(QStringLiteral("alice")).toQuery()).size();
        QVERIFY(fetched > 20);
        const Result<QByteArray> whole = exportBytes(QStringLiteral("whole.jsonl"));
        QVERIFY2(whole, whole ? "" : qPrintable(whole.error().message));

        // In pages of 7: every record once, in order, up to a bound of exactly that many...
        const auto restore = qScopeGuard([this] { view()->setExportLimits({}); });
        view()->setExportLimits({7, fetched});
        const Result<QByteArray> paged = exportBytes(QStringLiteral("paged.jsonl"));
        QVERIFY2(paged, paged ? "" : qPrintable(paged.error().message));
        QCOMPARE(paged.value(), whole.value());
        // ...and one record more than the bound refuses the export whole: no file, a reason.
        view()->setExportLimits({7, fetched - 1});
        const Result<QByteArray> refused = exportBytes(QStringLiteral("refused.jsonl"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QStringLiteral("too_large"));
        QVERIFY2(refused.error().message.contains(QStringLiteral("mandatectl audit export")), qPrintable(refused.error().message));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("refused.jsonl"))));
        // An agent start asks per execution: the queries add up to one bound. Each alone fits
        // in the largest one's count; together they do not.
        QVERIFY(openAndWait(client::LineageStart::agent(QStringLiteral("support-agent"))));
        size_t largest = 0, sum = 0, executions = 0;
        for (const audit::LineageGraph::Node &node : view()->scene()->graph().nodes) {
            if (node.kind != QLatin1String("execution") || node.attributes.value(QStringLiteral("context")).toBool())
                continue;
            QUrlQuery own;
            own.addQueryItem(QStringLiteral("execution"), node.id.section(u':', 1));
            own.addQueryItem(QStringLiteral("descendants"), QStringLiteral("false"));
            const size_t count = recordSequences(own).size();
            largest = std::max(largest, count);
            sum += count;
            ++executions;
        }
        QVERIFY2(executions >= 2 && sum > largest, qPrintable(QStringLiteral("%1 executions").arg(executions)));
        view()->setExportLimits({1000, largest});
        const Result<QByteArray> agent = exportBytes(QStringLiteral("agent-refused.jsonl"));
        QVERIFY(!agent);
        QCOMPARE(agent.error().code, QStringLiteral("too_large"));
        view()->setExportLimits({1000, sum});
        QVERIFY(exportBytes(QStringLiteral("agent.jsonl")));
    }

    void startsFromExecutionTraceAndTimeRange()
    {
        const auto [parent, child] = subDelegation();
        QVERIFY(openAndWait(client::LineageStart::execution(child.section(u':', 1))));
        LineageScene *scene = view()->scene();
        QVERIFY(scene->nodeItem(QStringLiteral("human:alice")));
        QVERIFY(scene->nodeItem(parent));  // the path from the human
        QVERIFY(scene->nodeItem(child));

        QString trace;
        for (const auto &node : scene->graph().nodes) {
            if (node.kind == QLatin1String("call"))
                trace = node.id;
        }
        // The trace id of that call's record, from the audit log.
        std::optional<client::ClientResult<client::AuditPage>> page;
        QUrlQuery filter;
        filter.addQueryItem(QStringLiteral("execution"), child.section(u':', 1));
        m_window->session()->client()->queryAudit(filter, {}, 10, this, [&](client::ClientResult<client::AuditPage> p) { page = std::move(p); });
        QTRY_VERIFY(page.has_value() && page->ok() && !page->value().entries.empty());
        const QString traceId = page->value().entries.front().record.traceId;
        QVERIFY(openAndWait(client::LineageStart::trace(traceId)));
        QVERIFY(view()->scene()->nodeItem(child));
        // The records exported are those the graph shows: every call of the executions the trace
        // led to, not only the trace's own records.
        QCOMPARE(exportedDecisions(QStringLiteral("trace.jsonl")), callNodes());
        QVERIFY(openAndWait(client::LineageStart::agent(QStringLiteral("support-agent"))));
        QCOMPARE(exportedDecisions(QStringLiteral("agent.jsonl")), callNodes());

        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(openAndWait(client::LineageStart::timeRange(now.addSecs(-600), now.addSecs(60))));
        QVERIFY(view()->scene()->nodeItem(QStringLiteral("human:bob")));  // everyone active in the range

        QSignalSpy loaded(view(), &LineageView::graphLoaded);
        view()->open(client::LineageStart::execution(QStringLiteral("exe_does_not_exist")));
        QVERIFY(loaded.wait(15'000));
        QVERIFY(!loaded.first().first().toString().isEmpty());
        QVERIFY(view()->findChild<QLabel *>(QStringLiteral("lineageStatus"))->text().contains(QStringLiteral("No lineage")));
    }

    void trafficThatReachesNoGatewayFails()
    {
        // The demo's traffic generator, pointed at a port nobody listens on, says so and exits 1.
        QProcess ctl;
        ctl.start(QStringLiteral(MANDATECTL), {QStringLiteral("demo"), QStringLiteral("traffic"), QStringLiteral("--gateway"),
                                               QStringLiteral("http://127.0.0.1:1"), QStringLiteral("--data-dir"), m_gateway.dataDir(),
                                               QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--rate"), QStringLiteral("20")});
        QVERIFY(QTest::qWaitFor([&ctl] { return ctl.state() == QProcess::NotRunning; }, 30'000));
        const QByteArray err = ctl.readAllStandardError();
        QCOMPARE(ctl.exitCode(), 1);
        QVERIFY2(err.contains("no answer from the gateway") && err.contains("made no call through the gateway"), err.constData());
    }
};

QTEST_MAIN(tst_LineageGui)
#include "tst_lineage_gui.moc"
