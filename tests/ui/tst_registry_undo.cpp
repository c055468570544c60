// SPDX-License-Identifier: Apache-2.0
// Undo/redo of registry edits, merging of typing, push bookkeeping and the form's inline
// validation — all without a gateway.
#include "SampleRegistry.h"

#include "AgentForm.h"
#include "FieldErrorLabel.h"
#include "PushController.h"
#include "RecordDiff.h"
#include "RegistryDocument.h"

#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace mandate::ui;
using mandate::identity::Agent;

class tst_RegistryUndo final : public QObject
{
    Q_OBJECT

private:
    static quint64 uidOf(const RegistryDocument &document, const QString &id)
    {
        for (const AgentEntry &entry : document.agents()) {
            if (entry.record.id == id)
                return entry.uid;
        }
        return 0;
    }

private Q_SLOTS:
    void createUndoRedo()
    {
        RegistryDocument document;
        document.load(sample::agents(), sample::tools(), sample::humans());
        QSignalSpy pending(&document, &RegistryDocument::pendingCountChanged);
        const quint64 uid = document.createAgent();
        QCOMPARE(document.agents().size(), size_t(4));
        QCOMPARE(document.agent(uid)->record.id, QStringLiteral("new-agent"));
        QCOMPARE(document.agent(uid)->change, PendingChange::Created);
        QCOMPARE(document.undoStack()->undoText(), QStringLiteral("Create agent new-agent"));
        QCOMPARE(pending.count(), 1);

        document.undoStack()->undo();
        QVERIFY(!document.agent(uid));
        QCOMPARE(document.pendingCount(), 0);
        document.undoStack()->redo();
        QVERIFY(document.agent(uid));
        QCOMPARE(document.pendingCount(), 1);

        // A second new agent gets a free id.
        const quint64 second = document.createAgent();
        QCOMPARE(document.agent(second)->record.id, QStringLiteral("new-agent-2"));
    }

    void typingMergesPerField()
    {
        RegistryDocument document;
        document.load(sample::agents(), sample::tools(), sample::humans());
        const quint64 uid = uidOf(document, QStringLiteral("finance-agent"));
        Agent agent = document.agent(uid)->record;
        for (const QString &prefix : {QStringLiteral("F"), QStringLiteral("Fi"), QStringLiteral("Fin")}) {
            agent.displayName = prefix;
            document.editAgent(uid, agent, QStringLiteral("displayName"));
        }
        QCOMPARE(document.undoStack()->count(), 1);
        agent.trustLevel = 4;
        document.editAgent(uid, agent, QStringLiteral("trustLevel"));
        QCOMPARE(document.undoStack()->count(), 2);
        QCOMPARE(document.agent(uid)->change, PendingChange::Modified);

        document.undoStack()->undo();
        QCOMPARE(document.agent(uid)->record.trustLevel, 3);
        QCOMPARE(document.agent(uid)->record.displayName, QStringLiteral("Fin"));
        document.undoStack()->undo();
        QCOMPARE(document.agent(uid)->record.displayName, QStringLiteral("finance-agent"));
        QCOMPARE(document.agent(uid)->change, PendingChange::None);
        QVERIFY(document.undoStack()->isClean());
    }

    void deleteAndRestore()
    {
        RegistryDocument document;
        document.load(sample::agents(), sample::tools(), sample::humans());
        const quint64 uid = uidOf(document, QStringLiteral("refund-subagent"));
        document.deleteAgent(uid);
        QVERIFY(document.agent(uid)->deleted);
        QCOMPARE(document.agent(uid)->change, PendingChange::Deleted);
        document.deleteAgent(uid);  // twice is once
        QCOMPARE(document.undoStack()->count(), 1);
        document.undoStack()->undo();
        QVERIFY(!document.agent(uid)->deleted);
        QCOMPARE(document.pendingCount(), 0);
    }

    void pushOutcomesClearHistory()
    {
        RegistryDocument document;
        document.load(sample::agents(), sample::tools(), sample::humans());
        const quint64 uid = uidOf(document, QStringLiteral("support-agent"));
        Agent agent = document.agent(uid)->record;
        agent.description = QStringLiteral("mine");
        document.editAgent(uid, agent, QStringLiteral("description"));
        QVERIFY(document.undoStack()->canUndo());

        Agent theirs = agent;
        theirs.description = QStringLiteral("theirs");
        theirs.version = 7;
        document.rebaseAgent(uid, theirs);  // keep mine on top of version 7
        QVERIFY(!document.undoStack()->canUndo());
        QCOMPARE(document.agent(uid)->base->version, 7);
        QCOMPARE(document.agent(uid)->record.description, QStringLiteral("mine"));
        QCOMPARE(document.agent(uid)->change, PendingChange::Modified);

        document.takeAgent(uid, theirs);
        QCOMPARE(document.agent(uid)->record.description, QStringLiteral("theirs"));
        QCOMPARE(document.agent(uid)->change, PendingChange::None);

        document.deleteAgent(uid);
        document.acceptPushedAgent(uid, std::nullopt);
        QVERIFY(!document.agent(uid));
        QCOMPARE(document.pendingCount(), 0);
    }

    void pushPlanOrder()
    {
        RegistryDocument document;
        document.load(sample::agents(), sample::tools(), sample::humans());
        document.deleteAgent(uidOf(document, QStringLiteral("refund-subagent")));
        const quint64 created = document.createAgent();
        const quint64 toolUid = document.tools().front().uid;
        auto tool = document.tool(toolUid)->record;
        tool.riskWeight = 9;
        document.editTool(toolUid, tool, QStringLiteral("riskWeight"));
        const auto plan = PushController::plan(document);
        QCOMPARE(plan.size(), 3);
        QCOMPARE(plan[0].kind, RecordKind::Tool);
        QCOMPARE(plan[1].uid, created);
        QCOMPARE(plan[1].change, PendingChange::Created);
        QCOMPARE(plan[2].change, PendingChange::Deleted);
    }

    void recordDiff()
    {
        Agent before = sample::agent(QStringLiteral("a-b"), QStringLiteral("alice"), {QStringLiteral("ticket:read")});
        Agent after = before;
        after.allowedActions.append(QStringLiteral("refund:create"));
        after.version = 9;  // bookkeeping, not a change
        const auto changes = RecordDiff::changes(before.toJson(), after.toJson());
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes[0].name, QStringLiteral("allowedActions"));
        QCOMPARE(changes[0].after, QStringLiteral("ticket:read, refund:create"));
    }

    void formEditsAreUndoableAndValidated()
    {
        RegistryDocument document;
        document.load(sample::agents(), sample::tools(), sample::humans());
        AgentForm form(&document);
        form.setReadOnly(false);
        const quint64 uid = document.createAgent();
        form.showAgent(uid);
        form.show();
        QVERIFY(QTest::qWaitForWindowExposed(&form));

        // A new agent has no actions yet: the Validator's message shows under the list.
        auto *actionsError = form.findChild<FieldErrorLabel *>(QStringLiteral("error_allowedActions"));
        QVERIFY(actionsError);
        QVERIFY(actionsError->isVisible());
        QVERIFY(form.fieldErrors().contains(QStringLiteral("allowedActions")));

        auto *id = form.findChild<QLineEdit *>(QStringLiteral("agentId"));
        QVERIFY(id && !id->isReadOnly());
        id->selectAll();
        QTest::keyClicks(id, QStringLiteral("Bad_Id"));
        QCOMPARE(document.agent(uid)->record.id, QStringLiteral("Bad_Id"));
        QVERIFY(form.findChild<FieldErrorLabel *>(QStringLiteral("error_id"))->isVisible());
        id->selectAll();
        QTest::keyClicks(id, QStringLiteral("good-id"));
        QVERIFY(!form.findChild<FieldErrorLabel *>(QStringLiteral("error_id"))->isVisible());

        auto *list = form.findChild<QListWidget *>(QStringLiteral("agentActions"));
        QVERIFY(list && list->count() == 5);
        list->item(0)->setCheckState(Qt::Checked);
        QCOMPARE(document.agent(uid)->record.allowedActions.size(), 1);
        QVERIFY(!actionsError->isVisible());

        auto *amount = form.findChild<QLineEdit *>(QStringLiteral("agentAmount"));
        amount->selectAll();
        QTest::keyClicks(amount, QStringLiteral("12.3456789"));
        QVERIFY(form.findChild<FieldErrorLabel *>(QStringLiteral("error_maxBudget.amount"))->isVisible());
        amount->selectAll();
        QTest::keyClicks(amount, QStringLiteral("12.50"));
        QVERIFY(!form.findChild<FieldErrorLabel *>(QStringLiteral("error_maxBudget.amount"))->isVisible());
        QCOMPARE(document.agent(uid)->record.maxBudget.amount.toString(), QStringLiteral("12.50"));

        // create + id typing (merged) + action + amount typing (merged).
        QCOMPARE(document.undoStack()->count(), 4);
        document.undoStack()->undo();
        document.undoStack()->undo();
        QCOMPARE(id->text(), QStringLiteral("good-id"));
        QVERIFY(actionsError->isVisible());
        document.undoStack()->undo();
        QCOMPARE(id->text(), QStringLiteral("new-agent"));
    }

    void readOnlyFormDoesNotEdit()
    {
        RegistryDocument document;
        document.load(sample::agents(), sample::tools(), sample::humans());
        AgentForm form(&document);
        form.setReadOnly(true);
        form.showAgent(uidOf(document, QStringLiteral("support-agent")));
        auto *name = form.findChild<QLineEdit *>(QStringLiteral("agentDisplayName"));
        QVERIFY(name->isReadOnly());
        QTest::keyClicks(name, QStringLiteral("x"));
        QCOMPARE(document.undoStack()->count(), 0);
    }
};

QTEST_MAIN(tst_RegistryUndo)
#include "tst_registry_undo.moc"
