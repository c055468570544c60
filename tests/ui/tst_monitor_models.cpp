// SPDX-License-Identifier: Apache-2.0
// The live monitor's models: the active-execution table (checked by QAbstractItemModelTester),
// its filter proxy, and the decision ring buffer the charts are drawn from.
#include "DecisionHistory.h"
#include "ExecutionFilterProxyModel.h"
#include "ExecutionTableModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace mandate;
using namespace mandate::ui;
using mandate::client::ActiveExecution;

namespace {

const QDateTime Now = QDateTime(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC);

ActiveExecution execution(const QString &id, const QString &agent, int depth, int secondsLeft, int risk = 5,
                          const QString &parent = {})
{
    ActiveExecution row;
    row.id = id;
    row.agent = agent;
    row.rootHuman = QStringLiteral("alice");
    row.parent = parent;
    row.purpose = QStringLiteral("purpose of ") + id;
    row.actions = {QStringLiteral("ticket:read")};
    row.amountLeft = QStringLiteral("10.00");
    row.callsLeft = 3;
    row.risk = risk;
    row.riskCeiling = 90;
    row.expiresAt = Now.addSecs(secondsLeft);
    row.depth = depth;
    return row;
}

QStringList idsOf(const QAbstractItemModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, 0).data(ExecutionTableModel::IdRole).toString());
    return ids;
}

} // namespace

class tst_MonitorModels final : public QObject
{
    Q_OBJECT

private slots:
    void mergesRefreshesInPlace()
    {
        ExecutionTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setNow(Now);
        model.setExecutions({execution(QStringLiteral("e1"), QStringLiteral("support"), 1, 300),
                             execution(QStringLiteral("e2"), QStringLiteral("refund"), 2, 60, 5, QStringLiteral("e1"))});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(ExecutionTableModel::ColumnCount));

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        ActiveExecution changed = execution(QStringLiteral("e1"), QStringLiteral("support"), 1, 300, 42);
        model.setExecutions({changed, execution(QStringLiteral("e3"), QStringLiteral("finance"), 1, 600)});
        QCOMPARE(removed.size(), 1);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(reset.size(), 0);  // a refresh keeps selection and sort: no reset
        QCOMPARE(idsOf(model), (QStringList{QStringLiteral("e1"), QStringLiteral("e3")}));
        QCOMPARE(model.index(0, ExecutionTableModel::Risk).data().toString(), QStringLiteral("42 / 90"));
    }

    void showsColumns()
    {
        ExecutionTableModel model;
        model.setNow(Now);
        model.setExecutions({execution(QStringLiteral("e1"), QStringLiteral("support"), 2, 125)});
        QCOMPARE(model.index(0, ExecutionTableModel::Agent).data().toString(), QStringLiteral("support"));
        QCOMPARE(model.index(0, ExecutionTableModel::RootHuman).data().toString(), QStringLiteral("alice"));
        QCOMPARE(model.index(0, ExecutionTableModel::Actions).data().toString(), QStringLiteral("ticket:read"));
        QVERIFY(model.index(0, ExecutionTableModel::BudgetLeft).data().toString().contains(QStringLiteral("10.00")));
        QCOMPARE(model.index(0, ExecutionTableModel::Depth).data().toInt(), 2);
        QCOMPARE(model.headerData(ExecutionTableModel::TimeLeft, Qt::Horizontal).toString(), QStringLiteral("Time left"));
    }

    void timeLeftCountsDown()
    {
        ExecutionTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setNow(Now);
        model.setExecutions({execution(QStringLiteral("e1"), QStringLiteral("a"), 1, 125)});
        QCOMPARE(model.index(0, ExecutionTableModel::TimeLeft).data().toString(), QStringLiteral("2:05"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setNow(Now.addSecs(66));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).value<QModelIndex>().column(), int(ExecutionTableModel::TimeLeft));
        QCOMPARE(model.index(0, ExecutionTableModel::TimeLeft).data().toString(), QStringLiteral("0:59"));
        QCOMPARE(model.index(0, ExecutionTableModel::TimeLeft).data(ExecutionTableModel::SortRole).toLongLong(), 59);
        model.setNow(Now.addSecs(500));
        QCOMPARE(model.index(0, ExecutionTableModel::TimeLeft).data().toString(), QStringLiteral("expired"));
    }

    void revokedRowsAreMarkedThenLeave()
    {
        ExecutionTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setNow(Now);
        model.setExecutions({execution(QStringLiteral("e1"), QStringLiteral("a"), 1, 100),
                             execution(QStringLiteral("e2"), QStringLiteral("b"), 2, 100, 5, QStringLiteral("e1")),
                             execution(QStringLiteral("e3"), QStringLiteral("c"), 1, 100)});
        model.markRevoked({QStringLiteral("e1"), QStringLiteral("e2")});
        QVERIFY(model.index(0, 0).data(Qt::FontRole).value<QFont>().strikeOut());
        QVERIFY(!model.index(2, 0).data(Qt::FontRole).isValid());
        model.removeExecutions({QStringLiteral("e1"), QStringLiteral("e2"), QStringLiteral("unknown")});
        QCOMPARE(idsOf(model), QStringList{QStringLiteral("e3")});
    }

    void filtersAndSorts_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("no filter") << QString() << QStringList{QStringLiteral("e2"), QStringLiteral("e1"), QStringLiteral("e3")};
        QTest::addRow("agent, any case") << QStringLiteral("REFUND") << QStringList{QStringLiteral("e2")};
        QTest::addRow("purpose") << QStringLiteral("purpose of e3") << QStringList{QStringLiteral("e3")};
        QTest::addRow("id") << QStringLiteral("e1") << QStringList{QStringLiteral("e1")};
        QTest::addRow("nothing") << QStringLiteral("zzz") << QStringList{};
    }

    void filtersAndSorts()
    {
        QFETCH(QString, filter);
        QFETCH(QStringList, expected);
        ExecutionTableModel model;
        model.setNow(Now);
        model.setExecutions({execution(QStringLiteral("e1"), QStringLiteral("support"), 1, 300),
                             execution(QStringLiteral("e2"), QStringLiteral("refund"), 2, 60, 5, QStringLiteral("e1")),
                             execution(QStringLiteral("e3"), QStringLiteral("finance"), 1, 900)});
        ExecutionFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(ExecutionTableModel::TimeLeft, Qt::AscendingOrder);  // numbers, not text
        proxy.setFilterFixedString(filter);
        QCOMPARE(idsOf(proxy), expected);
    }

    void historyBinsPerSecond()
    {
        DecisionHistory history(60);
        for (int i = 0; i < 100; ++i)
            history.record(1000, i % 4 != 0, (i + 1) * 1000, i);  // 75 allowed, 25 denied, latency 1..100 ms
        history.record(1002, false, 5000, 10);
        history.advanceTo(1003);
        DecisionHistory::Points points;
        history.fill(1003, 5, points);
        QCOMPARE(points.allowed.size(), 6);
        QCOMPARE(points.allowed.first().x(), -5.0);
        QCOMPARE(points.allowed.last().x(), 0.0);
        QCOMPARE(points.allowed.at(2).y(), 75.0);   // second 1000
        QCOMPARE(points.denied.at(2).y(), 25.0);
        QCOMPARE(points.denied.at(3).y(), 0.0);     // quiet second 1001
        QCOMPARE(points.denied.at(4).y(), 1.0);     // second 1002
        QVERIFY(qAbs(points.p50.at(2).y() - 50.0) <= 1.0);
        QVERIFY(points.p99.at(2).y() >= 98.0);
        QCOMPARE(points.risk.at(2).y(), 99.0);
        QCOMPARE(points.maxRate, 75.0);
        QCOMPARE(history.total(), 101);
    }

    void historyRingForgetsOldSeconds()
    {
        DecisionHistory history(10);
        history.record(100, true, 1000, 1);
        history.record(115, true, 1000, 1);  // wraps past second 100's slot's lifetime
        DecisionHistory::Points points;
        history.fill(115, 9, points);
        double sum = 0;
        for (const QPointF &point : std::as_const(points.allowed))
            sum += point.y();
        QCOMPARE(sum, 1.0);
        // Storage is reused between fills.
        const QPointF *data = points.allowed.constData();
        history.fill(116, 9, points);
        QCOMPARE(points.allowed.constData(), data);
    }
};

QTEST_MAIN(tst_MonitorModels)
#include "tst_monitor_models.moc"
