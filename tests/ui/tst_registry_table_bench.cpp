// SPDX-License-Identifier: Apache-2.0
// Benchmark-style (prints figures, asserts no timings): the agent table with 10,000 agents —
// load into the document, show the view, sort, filter, and scroll through all of it.
#include "SampleRegistry.h"

#include "AgentTableModel.h"
#include "RecordFilterProxyModel.h"
#include "RegistryDocument.h"
#include "client/RecordCodec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScrollBar>
#include <QTableView>
#include <QTest>

#include <algorithm>

using namespace mandate::ui;

class tst_RegistryTableBench final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tenThousandAgents()
    {
        constexpr int count = 10'000;
        std::vector<mandate::identity::Agent> agents = sample::manyAgents(count);

        // What the client does with GET /v1/agents for 10,000 agents: parse strictly, decode.
        QJsonArray items;
        for (const mandate::identity::Agent &agent : agents)
            items.append(agent.toJson());
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("items"), items}}).toJson(QJsonDocument::Compact);
        QElapsedTimer decodeTimer;
        decodeTimer.start();
        auto parsed = mandate::client::RecordCodec::object(body);
        QVERIFY(parsed.ok());
        auto decoded = mandate::client::RecordCodec::list<mandate::identity::Agent>(parsed.value());
        QVERIFY(decoded.ok());
        const qint64 decodeMs = decodeTimer.elapsed();
        QCOMPARE(decoded.value().size(), size_t(count));

        RegistryDocument document;
        AgentTableModel model(&document);
        RecordFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QTableView view;
        view.setModel(&proxy);
        view.setSortingEnabled(true);
        view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + 8);
        view.verticalHeader()->hide();
        view.resize(1100, 700);

        QElapsedTimer timer;
        timer.start();
        document.load(std::move(agents), sample::tools(), sample::humans());
        const qint64 loadMs = timer.elapsed();

        timer.restart();
        view.sortByColumn(AgentTableModel::IdColumn, Qt::AscendingOrder);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCoreApplication::processEvents();
        view.repaint();
        const qint64 showMs = timer.elapsed();
        QCOMPARE(proxy.rowCount(), count);

        // Scroll through everything a page at a time, painting each page, like a user dragging.
        QScrollBar *bar = view.verticalScrollBar();
        const int pages = std::max(1, bar->maximum() / std::max(1, bar->pageStep()) + 1);
        QList<qint64> frameUs;
        frameUs.reserve(pages);
        QElapsedTimer total;
        total.start();
        for (int value = 0; value <= bar->maximum(); value += bar->pageStep()) {
            QElapsedTimer frame;
            frame.start();
            bar->setValue(value);
            view.viewport()->repaint();
            frameUs.append(frame.nsecsElapsed() / 1000);
        }
        const qint64 scrollMs = total.elapsed();
        std::sort(frameUs.begin(), frameUs.end());
        const qint64 p50 = frameUs.isEmpty() ? 0 : frameUs[frameUs.size() / 2];
        const qint64 p99 = frameUs.isEmpty() ? 0 : frameUs[std::min<qsizetype>(frameUs.size() - 1, frameUs.size() * 99 / 100)];
        const qint64 maxUs = frameUs.isEmpty() ? 0 : frameUs.last();

        timer.restart();
        view.sortByColumn(AgentTableModel::TrustColumn, Qt::DescendingOrder);
        QCoreApplication::processEvents();
        const qint64 sortMs = timer.elapsed();

        timer.restart();
        proxy.setText(QStringLiteral("agent-0999"));
        const qint64 filterMs = timer.elapsed();
        QCOMPARE(proxy.rowCount(), 10);  // agent-09990 … agent-09999
        proxy.setText(QString());

        timer.restart();
        const quint64 uid = document.createAgent();
        const qint64 createMs = timer.elapsed();
        QVERIFY(document.agent(uid));
        timer.restart();
        auto edited = document.agent(uid)->record;
        edited.displayName = QStringLiteral("x");
        document.editAgent(uid, edited, QStringLiteral("displayName"));
        const qint64 editMs = timer.elapsed();

        QDir().mkpath(QStringLiteral(MANDATE_SCREENSHOT_DIR));
        view.grab().save(QStringLiteral(MANDATE_SCREENSHOT_DIR "/bench-10000-agents.png"));

        qInfo().noquote() << QStringLiteral("\n=== registry table, %1 agents ===").arg(count)
                          << QStringLiteral("\nclient decode of the list (%1 KiB): %2 ms").arg(body.size() / 1024).arg(decodeMs)
                          << QStringLiteral("\nload into document + model reset: %1 ms").arg(loadMs)
                          << QStringLiteral("\nsort + first show/paint:          %1 ms").arg(showMs)
                          << QStringLiteral("\nopen total (load + show):         %1 ms").arg(loadMs + showMs)
                          << QStringLiteral("\nscroll all %1 pages:               %2 ms (per page p50 %3 us, p99 %4 us, max %5 us)")
                                 .arg(frameUs.size()).arg(scrollMs).arg(p50).arg(p99).arg(maxUs)
                          << QStringLiteral("\nre-sort by trust:                 %1 ms").arg(sortMs)
                          << QStringLiteral("\nfilter by text:                   %1 ms").arg(filterMs)
                          << QStringLiteral("\ncreate agent (insert row):        %1 ms").arg(createMs)
                          << QStringLiteral("\nedit one field (command):         %1 ms").arg(editMs);
    }
};

QTEST_MAIN(tst_RegistryTableBench)
#include "tst_registry_table_bench.moc"
