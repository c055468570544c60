// SPDX-License-Identifier: Apache-2.0
// The simulator's pieces without a gateway: the Cedar highlighter, the live diagnostics and their
// underlines, the rule templates, the replay summary models, and the what-if's request parsing.
#include "CedarEditor.h"
#include "CedarHighlighter.h"
#include "ChangeBreakdownChart.h"
#include "ChangeBreakdownModel.h"
#include "ChangedDecisionModel.h"
#include "PolicyDiagnostics.h"
#include "PolicyTemplates.h"
#include "ReplayRunner.h"
#include "ReplayTimelineChart.h"
#include "SimulatorSchema.h"
#include "WhatIfPanel.h"

#include <QAbstractItemModelTester>
#include <QHelpEvent>
#include <QSignalSpy>
#include <QToolTip>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace mandate;
using namespace mandate::ui;

namespace {

const QString kValid = QStringLiteral("@id(\"tickets\")\n"
                                      "permit (principal in Agent::\"support-agent\", action == Action::\"ticket:read\", resource);\n"
                                      "// no deletions\n"
                                      "forbid (principal, action, resource) when { context.risk.score > 10 };\n");

/// The format the highlighter gave the character at `position` of `block`.
QTextCharFormat formatAt(const QTextBlock &block, int position)
{
    for (const QTextLayout::FormatRange &range : block.layout()->formats()) {
        if (position >= range.start && position < range.start + range.length)
            return range.format;
    }
    return {};
}

simulate::ReplayedRequest replayed(const QString &agent, simulate::Change change, qint64 second)
{
    simulate::ReplayedRequest row;
    row.recorded.agent = agent;
    row.recorded.tool = QStringLiteral("ticket");
    row.recorded.action = QStringLiteral("ticket:read");
    row.recorded.time = QDateTime::fromSecsSinceEpoch(1'790'000'000 + second, Qt::UTC);
    row.change = change;
    row.before.allowed = change == simulate::Change::NewlyDenied;
    row.before.explanation = row.before.allowed ? QStringLiteral("allowed by tickets") : QStringLiteral("no permit policy matched");
    row.after.allowed = !row.before.allowed;
    row.after.explanation = row.after.allowed ? QStringLiteral("allowed by tickets") : QStringLiteral("no permit policy matched");
    return row;
}

simulate::ReplaySummary sampleSummary()
{
    simulate::ReplaySummary summary;
    summary.replayed = 10;
    summary.overall = {6, 3, 1};
    summary.byAgent[QStringLiteral("support-agent")] = {2, 3, 0};
    summary.byAgent[QStringLiteral("finance-agent")] = {4, 0, 1};
    summary.byAgent[QStringLiteral("refund-subagent")] = {0, 0, 0};
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1'790'000'000, Qt::UTC);
    summary.timeline[start] = {3, 2, 0};
    summary.timeline[start.addSecs(10)] = {3, 1, 1};  // a gap of one bucket in between
    for (int i = 0; i < 3; ++i)
        summary.changes.push_back(replayed(QStringLiteral("support-agent"), simulate::Change::NewlyDenied, i));
    summary.changes.push_back(replayed(QStringLiteral("finance-agent"), simulate::Change::NewlyAllowed, 10));
    return summary;
}

} // namespace

class tst_SimulatorModels final : public QObject
{
    Q_OBJECT

private slots:
    void highlightsCedarTokens()
    {
        QTextDocument document;
        auto *highlighter = new CedarHighlighter(&document);
        document.setPlainText(kValid);
        highlighter->rehighlight();
        const QTextBlock annotation = document.findBlockByNumber(0);
        const QTextBlock permit = document.findBlockByNumber(1);
        const QTextBlock comment = document.findBlockByNumber(2);
        using Token = CedarHighlighter::Token;
        QCOMPARE(formatAt(annotation, 0).foreground(), highlighter->format(Token::Annotation).foreground());
        QCOMPARE(formatAt(annotation, 5).foreground(), highlighter->format(Token::String).foreground());
        QCOMPARE(formatAt(permit, 0).foreground(), highlighter->format(Token::Effect).foreground());
        QVERIFY(formatAt(permit, 0).fontWeight() == QFont::Bold);
        QCOMPARE(formatAt(permit, 8).foreground(), highlighter->format(Token::Variable).foreground());
        const int agentType = int(permit.text().indexOf(QStringLiteral("Agent::")));
        QCOMPARE(formatAt(permit, agentType).foreground(), highlighter->format(Token::EntityType).foreground());
        const int inKeyword = int(permit.text().indexOf(QStringLiteral(" in ")) + 1);
        QCOMPARE(formatAt(permit, inKeyword).foreground(), highlighter->format(Token::Operator).foreground());
        QCOMPARE(formatAt(comment, 3).foreground(), highlighter->format(Token::Comment).foreground());
        QVERIFY(formatAt(comment, 3).fontItalic());
        // Keywords inside a string stay string-coloured.
        const int insideString = int(permit.text().indexOf(QStringLiteral("support-agent")));
        QCOMPARE(formatAt(permit, insideString).foreground(), highlighter->format(Token::String).foreground());
    }

    void diagnosesWithPositions_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("messagePart");
        QTest::addRow("missing semicolon") << QStringLiteral("permit (principal, action, resource)\nforbid (principal, action, resource);")
                                          << 2 << 1 << QStringLiteral("expected");
        QTest::addRow("bad effect") << QStringLiteral("\n  allow (principal, action, resource);") << 2 << 3 << QStringLiteral("permit");
        QTest::addRow("empty condition") << QStringLiteral("permit (principal, action, resource) when { };") << 1 << 45
                                         << QStringLiteral("empty");
    }

    void diagnosesWithPositions()
    {
        QFETCH(QString, source);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, messagePart);
        const ParseReport report = ParseReport::of(source);
        QVERIFY(!report.ok());
        QCOMPARE(report.diagnostics.front().line, line);
        QCOMPARE(report.diagnostics.front().column, column);
        QVERIFY2(report.diagnostics.front().message.contains(messagePart), qPrintable(report.diagnostics.front().message));
    }

    void countsPoliciesWhenValid()
    {
        const ParseReport report = ParseReport::of(kValid);
        QVERIFY(report.ok());
        QCOMPARE(report.policies, 2);
    }

    void editorUnderlinesDiagnosticsWithTooltips()
    {
        CedarEditor editor;
        editor.setPlainText(QStringLiteral("permit (principal, action, resource);\nallow (principal, action, resource);"));
        editor.diagnoseNow();
        QVERIFY(!editor.report().ok());
        const QList<QTextEdit::ExtraSelection> selections = editor.extraSelections();
        QCOMPARE(selections.size(), 1);
        const QTextEdit::ExtraSelection &underline = selections.first();
        QCOMPARE(underline.format.underlineStyle(), QTextCharFormat::WaveUnderline);
        QCOMPARE(underline.cursor.selectedText(), QStringLiteral("allow"));
        QCOMPARE(underline.format.toolTip(), editor.report().diagnostics.front().message);
        const int second = editor.document()->findBlockByNumber(1).position();
        QVERIFY(editor.diagnosticAt(second + 2));
        QVERIFY(!editor.diagnosticAt(0));

        // Hovering the underline shows the message.
        editor.resize(600, 300);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QTextCursor onError(editor.document());
        onError.setPosition(second + 2);
        const QPoint point = editor.cursorRect(onError).center();
        QHelpEvent help(QEvent::ToolTip, point, editor.viewport()->mapToGlobal(point));
        QCoreApplication::sendEvent(editor.viewport(), &help);
        QTRY_COMPARE(QToolTip::text(), editor.report().diagnostics.front().message);

        // Fixing it clears the underline after the typing pause.
        QSignalSpy diagnosed(&editor, &CedarEditor::diagnosed);
        QTextCursor cursor(editor.document()->findBlockByNumber(1));
        cursor.movePosition(QTextCursor::EndOfWord, QTextCursor::KeepAnchor);
        cursor.insertText(QStringLiteral("forbid"));
        QTRY_VERIFY(!diagnosed.isEmpty());
        QVERIFY(editor.report().ok());
        QVERIFY(editor.extraSelections().isEmpty());
    }

    void templatesParse()
    {
        const std::vector<PolicyTemplate> templates = PolicyTemplate::all();
        QVERIFY(templates.size() >= 5);
        for (const PolicyTemplate &rule : templates) {
            const ParseReport report = ParseReport::of(rule.source);
            const QString problem = report.ok() ? QString() : rule.title + QStringLiteral(": ") + report.diagnostics.front().message;
            QVERIFY2(report.ok(), qPrintable(problem));
            QCOMPARE(report.policies, 1);
        }
    }

    void schemaLoads()
    {
        QVERIFY(SimulatorSchema::load());
    }

    void breakdownSortsChangesFirst()
    {
        ChangeBreakdownModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSummary(sampleSummary());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.key(0), QStringLiteral("support-agent"));
        QCOMPARE(model.index(0, ChangeBreakdownModel::NewlyDenied).data().toLongLong(), 3);
        QCOMPARE(model.key(1), QStringLiteral("finance-agent"));
        QCOMPARE(model.index(1, ChangeBreakdownModel::Total).data().toLongLong(), 5);
        QCOMPARE(model.key(2), QStringLiteral("refund-subagent"));
        model.setDimension(ChangeBreakdownModel::Dimension::Tool);
        model.setSummary(sampleSummary());
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.headerData(ChangeBreakdownModel::Key, Qt::Horizontal).toString(), QStringLiteral("Tool"));

        ChangeBreakdownModel agents;
        ChangeBreakdownChart chart(&agents);
        agents.setSummary(sampleSummary());
        QCOMPARE(chart.barCount(), 3);
    }

    void changedTableGrowsWithTheReplay()
    {
        ChangedDecisionModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        simulate::ReplaySummary summary = sampleSummary();
        const auto all = summary.changes;
        summary.changes.resize(2);
        model.update(summary);
        QCOMPARE(model.rowCount(), 2);
        summary.changes = all;
        model.update(summary);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(0, ChangedDecisionModel::Change).data().toString(), QStringLiteral("newly denied"));
        QCOMPARE(model.index(0, ChangedDecisionModel::Before).data().toString(), QStringLiteral("allowed by tickets"));
        QCOMPARE(model.index(0, ChangedDecisionModel::After).data().toString(), QStringLiteral("no permit policy matched"));
        QCOMPARE(model.index(3, ChangedDecisionModel::Change).data().toString(), QStringLiteral("newly allowed"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void timelineStacksBuckets()
    {
        ReplayTimelineChart chart;
        const simulate::ReplaySummary summary = sampleSummary();
        chart.setTimeline(summary.timeline, 5);
        QCOMPARE(chart.newlyDeniedShown(), 3);
        chart.clear();
        QCOMPARE(chart.newlyDeniedShown(), 0);
    }

    void bucketsFitTheRange_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<qint64>("bucket");
        QTest::addRow("a few seconds") << qint64(5) << qint64(1);
        QTest::addRow("five minutes") << qint64(300) << qint64(5);
        QTest::addRow("a day") << qint64(86400) << qint64(1800);
        QTest::addRow("a year") << qint64(365) * 86400 << qint64(86400);
    }

    void bucketsFitTheRange()
    {
        QFETCH(qint64, seconds);
        QFETCH(qint64, bucket);
        QCOMPARE(ReplayRunner::bucketFor(seconds), bucket);
    }

    void whatIfReadsEntities_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("id");
        QTest::addRow("cedar") << QStringLiteral("Tool::\"refund\"") << QStringLiteral("Tool") << QStringLiteral("refund");
        QTest::addRow("namespaced, escaped") << QStringLiteral(" Acme::User::\"a\\\"b\" ") << QStringLiteral("Acme::User")
                                             << QStringLiteral("a\"b");
        QTest::addRow("json") << QStringLiteral(R"({"type":"Action","id":"refund:create"})") << QStringLiteral("Action")
                              << QStringLiteral("refund:create");
        QTest::addRow("not an entity") << QStringLiteral("refund") << QString() << QString();
    }

    void whatIfReadsEntities()
    {
        QFETCH(QString, text);
        QFETCH(QString, type);
        QFETCH(QString, id);
        Result<QJsonObject> uid = WhatIfPanel::entityFromText(text);
        QCOMPARE(uid.ok(), !type.isEmpty());
        if (!uid)
            return;
        QCOMPARE(uid->value(QStringLiteral("type")).toString(), type);
        QCOMPARE(uid->value(QStringLiteral("id")).toString(), id);
        QCOMPARE(WhatIfPanel::entityFromText(WhatIfPanel::entityToText(uid.value())).value(), uid.value());
    }

    void whatIfExplainsDenials()
    {
        simulate::Outcome forbidden;
        forbidden.policies = {QStringLiteral("no-account-deletion")};
        QVERIFY(WhatIfPanel::verdictText(forbidden).startsWith(QStringLiteral("Forbidden by no-account-deletion")));
        simulate::Outcome noPermit;
        QVERIFY(WhatIfPanel::verdictText(noPermit).contains(QStringLiteral("no permit policy matched")));
        simulate::Outcome allowed;
        allowed.allowed = true;
        allowed.policies = {QStringLiteral("tickets")};
        QCOMPARE(WhatIfPanel::verdictText(allowed), QStringLiteral("Allowed by tickets."));
    }
};

QTEST_MAIN(tst_SimulatorModels)
#include "tst_simulator_models.moc"
