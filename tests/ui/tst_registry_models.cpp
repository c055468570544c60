// SPDX-License-Identifier: Apache-2.0
// The registry table models and their filter proxy, checked with QAbstractItemModelTester
// through loads, creates, edits, deletes, undo and redo.
#include "SampleRegistry.h"

#include "AgentTableModel.h"
#include "RecordFilterProxyModel.h"
#include "RegistryDocument.h"
#include "ToolTableModel.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace mandate::ui;

class tst_RegistryModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void agentModelThroughEdits()
    {
        RegistryDocument document;
        AgentTableModel model(&document);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        RecordFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(AgentTableModel::TrustColumn, Qt::DescendingOrder);

        document.load(sample::agents(), sample::tools(), sample::humans());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(AgentTableModel::ColumnCount));
        QCOMPARE(model.index(0, AgentTableModel::IdColumn).data().toString(), QStringLiteral("support-agent"));
        QCOMPARE(model.index(1, AgentTableModel::ActionsColumn).data().toString(), QStringLiteral("refund:create, account:read"));
        QCOMPARE(model.index(0, AgentTableModel::ChangeColumn).data().toString(), QString());
        // Sorted by trust, numerically, descending.
        QCOMPARE(proxy.index(0, AgentTableModel::IdColumn).data().toString(), QStringLiteral("finance-agent"));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const quint64 uid = document.createAgent();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.rowCount(), 4);
        const QModelIndex created = model.indexOfUid(uid);
        QCOMPARE(created.row(), 3);
        QCOMPARE(model.index(3, AgentTableModel::ChangeColumn).data().toString(), QStringLiteral("new"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        auto edited = document.agent(uid)->record;
        edited.displayName = QStringLiteral("Brand new");
        document.editAgent(uid, edited, QStringLiteral("displayName"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(3, AgentTableModel::NameColumn).data().toString(), QStringLiteral("Brand new"));

        const quint64 support = model.index(0, 0).data(AgentTableModel::UidRole).toULongLong();
        document.deleteAgent(support);
        QCOMPARE(model.rowCount(), 4);  // marked, not removed, until pushed
        QCOMPARE(model.index(0, AgentTableModel::ChangeColumn).data().toString(), QStringLiteral("deleted"));
        QVERIFY(model.index(0, 0).data(Qt::FontRole).value<QFont>().strikeOut());

        proxy.setPendingOnly(true);
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setPendingOnly(false);
        proxy.setText(QStringLiteral("BOB"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("finance-agent"));
        proxy.setText(QString());
        QCOMPARE(proxy.rowCount(), 4);

        QUndoStack *stack = document.undoStack();
        while (stack->canUndo())
            stack->undo();
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(document.pendingCount(), 0);
        while (stack->canRedo())
            stack->redo();
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(document.pendingCount(), 2);

        document.load(sample::agents(), sample::tools(), sample::humans());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(proxy.rowCount(), 3);
        QVERIFY(!stack->canUndo());
    }

    void deletingUnpushedAgentRemovesRow()
    {
        RegistryDocument document;
        AgentTableModel model(&document);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        document.load(sample::agents(), sample::tools(), sample::humans());
        const quint64 uid = document.createAgent();
        QCOMPARE(model.rowCount(), 4);
        document.deleteAgent(uid);
        QCOMPARE(model.rowCount(), 3);
        document.undoStack()->undo();
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.indexOfUid(uid).row(), 3);
    }

    void toolModel()
    {
        RegistryDocument document;
        ToolTableModel model(&document);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        RecordFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        document.load(sample::agents(), sample::tools(), sample::humans());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, ToolTableModel::ActionsColumn).data().toString(), QStringLiteral("ticket:read, ticket:update"));
        const quint64 uid = model.index(1, 0).data(ToolTableModel::UidRole).toULongLong();
        auto tool = document.tool(uid)->record;
        tool.riskWeight = 40;
        document.editTool(uid, tool, QStringLiteral("riskWeight"));
        QCOMPARE(model.index(1, ToolTableModel::RiskColumn).data().toInt(), 40);
        QCOMPARE(model.index(1, ToolTableModel::ChangeColumn).data().toString(), QStringLiteral("modified"));
        QCOMPARE(model.index(1, ToolTableModel::ChangeColumn).data(ToolTableModel::ChangeRole).toInt(), int(PendingChange::Modified));
        QVERIFY(model.index(1, ToolTableModel::IdColumn).data(Qt::FontRole).value<QFont>().italic());
        QVERIFY(!model.index(0, ToolTableModel::IdColumn).data(Qt::FontRole).isValid());
        QCOMPARE(model.headerData(ToolTableModel::ChangeColumn, Qt::Horizontal).toString(), QStringLiteral("Pending"));
        QCOMPARE(model.headerData(ToolTableModel::RiskColumn, Qt::Horizontal).toString(), QStringLiteral("Risk"));
        QCOMPARE(model.index(0, ToolTableModel::ActionsColumn).data(ToolTableModel::SortRole).toInt(), 2);
        QCOMPARE(model.index(0, ToolTableModel::ActionsColumn).data(Qt::ToolTipRole).toString(), QStringLiteral("ticket:read\nticket:update"));
        QCOMPARE(model.index(1, ToolTableModel::RiskColumn).data(Qt::TextAlignmentRole).toInt(), int(Qt::AlignRight | Qt::AlignVCenter));
        QCOMPARE(model.index(1, ToolTableModel::VersionColumn).data().toInt(), document.tool(uid)->base->version);
        proxy.setText(QStringLiteral("refund"));
        QCOMPARE(proxy.rowCount(), 1);
        document.undoStack()->undo();
        QCOMPARE(model.index(1, ToolTableModel::RiskColumn).data().toInt(), 1);
        QCOMPARE(document.pendingCount(), 0);
    }
};

QTEST_MAIN(tst_RegistryModels)
#include "tst_registry_models.moc"
