// SPDX-License-Identifier: Apache-2.0
// Audit queries with cursors, and lineage graphs of a three-level delegation.
#include "AuditTestUtil.h"

#include "audit/AuditColumns.h"
#include "audit/AuditLog.h"
#include "audit/AuditQuery.h"
#include "audit/Lineage.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <future>
#include <vector>

#include <set>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

class TestAuditQuery : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<AuditLog> m_log;
    QHash<QString, qint64> m_seq; ///< name of a record in the scenario → its sequence

    void add(const QString &name, const AuditRecord &record)
    {
        auto receipt = m_log->append(record);
        QVERIFY2(receipt.ok(), receipt.ok() ? "" : qPrintable(receipt.error().message));
        m_seq.insert(name, receipt->sequence);
    }
    QString call(const QString &name) const { return QStringLiteral("call:%1:%2").arg(kGateway).arg(m_seq.value(name)); }

    static QStringList nodeIds(const LineageGraph &g)
    {
        QStringList ids;
        for (const auto &n : g.nodes)
            ids << n.kind + u' ' + n.id;
        return ids;
    }
    static QStringList edgeIds(const LineageGraph &g)
    {
        QStringList ids;
        for (const auto &e : g.edges)
            ids << e.from + QStringLiteral(" -") + e.kind + QStringLiteral("-> ") + e.to;
        return ids;
    }

private slots:
    void initTestCase()
    {
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("audit.sqlite")));
        QVERIFY(db.ok());
        m_db = std::move(db).value();
        AuditLog::Options options;
        options.gatewayId = kGateway;
        auto log = AuditLog::open(*m_db, options);
        QVERIFY(log.ok());
        m_log = std::move(log).value();

        // alice → support-agent (e1) → refund-subagent (e2); bob → finance-agent (f1), unrelated.
        const QString alice = QStringLiteral("alice"), support = QStringLiteral("support-agent"),
                      sub = QStringLiteral("refund-subagent");
        add(QStringLiteral("d-e1"), delegation(alice, support, QStringLiteral("e1"), {}, 0));
        add(QStringLiteral("c1"), decision(alice, support, QStringLiteral("e1"), QStringLiteral("ticket:read"), true, {}, 1));
        add(QStringLiteral("c2"), decision(alice, support, QStringLiteral("e1"), QStringLiteral("account:delete"), false, {}, 2));
        add(QStringLiteral("d-e2"), delegation(alice, sub, QStringLiteral("e2"), QStringLiteral("e1"), 3));
        add(QStringLiteral("c3"), decision(alice, sub, QStringLiteral("e2"), QStringLiteral("refund:create"), true, QStringLiteral("e1"), 4));
        AuditRecord forward = decision(alice, sub, QStringLiteral("e2"), QStringLiteral("refund:create"), true, QStringLiteral("e1"), 4);
        forward.event = EventType::Forward;
        forward.upstreamStatus = 201;
        add(QStringLiteral("f3"), forward);
        add(QStringLiteral("c4"), decision(alice, sub, QStringLiteral("e2"), QStringLiteral("refund:create"), false, QStringLiteral("e1"), 5));
        AuditRecord revoke = delegation(alice, sub, QStringLiteral("e2"), QStringLiteral("e1"), 6);
        revoke.event = EventType::Revocation;
        add(QStringLiteral("r2"), revoke);
        add(QStringLiteral("d-f1"), delegation(QStringLiteral("bob"), QStringLiteral("finance-agent"), QStringLiteral("f1"), {}, 7));
        for (int i = 0; i < 240; ++i) {
            add(QStringLiteral("b%1").arg(i), decision(QStringLiteral("bob"), QStringLiteral("finance-agent"), QStringLiteral("f1"),
                                                       QStringLiteral("account:read"), i % 4 != 0, {}, 100 + i));
        }
    }

    void paging()
    {
        const AuditQuery query(*m_db);
        AuditFilter filter;
        filter.agent = QStringLiteral("finance-agent");
        QString cursor;
        std::set<qint64> seen;
        int pages = 0;
        do {
            auto page = query.find(filter, cursor, 100);
            QVERIFY(page.ok());
            ++pages;
            for (const auto &r : page->records)
                QVERIFY2(seen.insert(r.sequence).second, "a record came twice");
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        QCOMPARE(pages, 3);
        QCOMPARE(int(seen.size()), 241);
        QVERIFY(!query.find(filter, QStringLiteral("not-a-cursor")).ok());
    }

    void filters_data()
    {
        QTest::addColumn<QString>("queryString");
        QTest::addColumn<int>("expected");
        QTest::addRow("human") << "human=alice" << 8;
        QTest::addRow("execution with descendants") << "execution=e1" << 8;
        QTest::addRow("execution alone") << "execution=e1&descendants=false" << 3;
        QTest::addRow("sub-execution") << "execution=e2" << 5;
        QTest::addRow("decision deny") << "decision=deny" << 2 + 60;
        QTest::addRow("tool and action") << "tool=refund&action=refund:create" << 3;
        QTest::addRow("event") << "event=revocation" << 1;
        QTest::addRow("time range") << "from=2027-01-15T08:00:01Z&to=2027-01-15T08:00:03Z" << 2;
        QTest::addRow("time range with offsets") << "from=2027-01-15T09:00:01%2B01:00&to=2027-01-15T03:00:03-05:00" << 2;
        QTest::addRow("trace id") << "trace_id=4bf92f3577b34da6a3ce929d0e0e0004" << 2;
        QTest::addRow("agent and decision") << "agent=finance-agent&decision=allow" << 180;
    }

    void filters()
    {
        QFETCH(QString, queryString);
        QFETCH(int, expected);
        auto filter = AuditFilter::fromQuery(QUrlQuery(queryString));
        QVERIFY2(filter.ok(), filter.ok() ? "" : qPrintable(filter.error().message));
        auto page = AuditQuery(*m_db).find(filter.value(), {}, AuditQuery::kMaxLimit);
        QVERIFY(page.ok());
        QCOMPARE(int(page->records.size()), expected);
    }

    void badFilters()
    {
        QVERIFY(!AuditFilter::fromQuery(QUrlQuery(QStringLiteral("colour=red"))).ok());
        QVERIFY(!AuditFilter::fromQuery(QUrlQuery(QStringLiteral("from=yesterday"))).ok());
        // Without an offset a time would be read in the parsing process's own time zone.
        const auto localTime = AuditFilter::fromQuery(QUrlQuery(QStringLiteral("from=2027-01-15T08:00:01")));
        QVERIFY(!localTime.ok());
        QCOMPARE(localTime.error().path, QStringLiteral("from"));
        QVERIFY(!AuditFilter::fromQuery(QUrlQuery(QStringLiteral("to=2027-01-15"))).ok());
        QVERIFY(!AuditFilter::fromQuery(QUrlQuery(QStringLiteral("decision=maybe"))).ok());
        const auto twice = AuditFilter::fromQuery(QUrlQuery(QStringLiteral("agent=a&agent=b")));
        QVERIFY(!twice.ok());
        QCOMPARE(twice.error().path, QStringLiteral("agent"));
        QVERIFY(!AuditFilter::fromQuery(QUrlQuery(QStringLiteral("limit=5&limit=6"))).ok());
        QVERIFY(!AuditFilter::fromQuery(QUrlQuery(QStringLiteral("execution=e1&descendants=no"))).ok());
        QVERIFY(AuditFilter::fromQuery(QUrlQuery(QStringLiteral("execution=e1&descendants=false"))).ok());
        QVERIFY(!AuditFilter::fromQuery(QUrlQuery(QStringLiteral("execution=e1&descendants=false"))).value().withDescendants);
        QVERIFY(AuditFilter::fromQuery(QUrlQuery(QStringLiteral("execution=e1&descendants=true"))).value().withDescendants);
    }

    void lineageOfThreeLevelDelegation()
    {
        auto graph = Lineage(*m_db).forHuman(QStringLiteral("alice"));
        QVERIFY2(graph.ok(), graph.ok() ? "" : qPrintable(graph.error().message));
        QStringList expectedNodes{
            QStringLiteral("agent agent:refund-subagent"), QStringLiteral("agent agent:support-agent"),
            QStringLiteral("call ") + call(QStringLiteral("c1")), QStringLiteral("call ") + call(QStringLiteral("c2")),
            QStringLiteral("call ") + call(QStringLiteral("c3")), QStringLiteral("call ") + call(QStringLiteral("c4")),
            QStringLiteral("execution execution:e1"), QStringLiteral("execution execution:e2"), QStringLiteral("human human:alice")};
        QStringList actualNodes = nodeIds(graph.value());
        expectedNodes.sort();
        actualNodes.sort();
        QCOMPARE(actualNodes, expectedNodes);
        QStringList expectedEdges{
            QStringLiteral("human:alice -delegated-> agent:support-agent"),
            QStringLiteral("agent:support-agent -runs-> execution:e1"),
            QStringLiteral("agent:refund-subagent -runs-> execution:e2"),
            QStringLiteral("execution:e1 -delegated-> execution:e2"),
            QStringLiteral("execution:e1 -called-> ") + call(QStringLiteral("c1")),
            QStringLiteral("execution:e1 -called-> ") + call(QStringLiteral("c2")),
            QStringLiteral("execution:e2 -called-> ") + call(QStringLiteral("c3")),
            QStringLiteral("execution:e2 -called-> ") + call(QStringLiteral("c4"))};
        QStringList actualEdges = edgeIds(graph.value());
        expectedEdges.sort();
        actualEdges.sort();
        QCOMPARE(actualEdges, expectedEdges);

        const auto attr = [&](const QString &node, const char *key) {
            const auto *n = graph->find(node);
            return n ? n->attributes.value(QLatin1String(key)).toVariant() : QVariant();
        };
        QCOMPARE(attr(call(QStringLiteral("c1")), "decision").toString(), QStringLiteral("allow"));
        QCOMPARE(attr(call(QStringLiteral("c2")), "decision").toString(), QStringLiteral("deny"));
        QCOMPARE(attr(call(QStringLiteral("c3")), "upstream_status").toInt(), 201);
        QCOMPARE(attr(call(QStringLiteral("c4")), "decision").toString(), QStringLiteral("deny"));
        QCOMPARE(attr(QStringLiteral("execution:e2"), "status").toString(), QStringLiteral("revoked"));
        QCOMPARE(attr(QStringLiteral("execution:e2"), "parent").toString(), QStringLiteral("e1"));
        QCOMPARE(attr(QStringLiteral("execution:e1"), "status").toString(), QStringLiteral("active"));
    }

    void lineageOfSubExecutionShowsItsAncestors()
    {
        auto graph = Lineage(*m_db).forExecution(QStringLiteral("e2"));
        QVERIFY(graph.ok());
        const QStringList nodes = nodeIds(graph.value());
        QVERIFY(nodes.contains(QStringLiteral("human human:alice")));
        QVERIFY(nodes.contains(QStringLiteral("execution execution:e1")));
        QVERIFY(nodes.contains(QStringLiteral("call ") + call(QStringLiteral("c3"))));
        QVERIFY2(!nodes.contains(QStringLiteral("call ") + call(QStringLiteral("c1"))), "an ancestor's calls are not part of it");
        const QByteArray dot = graph->toDot();
        QVERIFY(dot.startsWith("digraph lineage {"));
        QVERIFY(dot.contains("\"execution:e1\" -> \"execution:e2\" [label=\"delegated\"]"));
        QVERIFY(!dot.contains("Truncated"));
        LineageGraph cut = graph.value();
        cut.truncated = true;  // a drawing cut short says so on itself
        QVERIFY(cut.toDot().contains("label=\"Truncated: this lineage has more audit records than one graph shows\""));
        QVERIFY(!Lineage(*m_db).forExecution(QStringLiteral("nope")).ok());
    }

    void lineageOfAgent()
    {
        auto graph = Lineage(*m_db).forAgent(QStringLiteral("refund-subagent"));
        QVERIFY(graph.ok());
        const QStringList nodes = nodeIds(graph.value());
        QVERIFY(nodes.contains(QStringLiteral("execution execution:e2")));
        QVERIFY(nodes.contains(QStringLiteral("execution execution:e1"))); // the path from the human
        QVERIFY(nodes.contains(QStringLiteral("call ") + call(QStringLiteral("c4"))));
        QVERIFY(!nodes.contains(QStringLiteral("execution execution:f1")));
    }

    void lineageOfTraceAndTimeRange()
    {
        auto traced = Lineage(*m_db).forTrace(QStringLiteral("4bf92f3577b34da6a3ce929d0e0e0004"));
        QVERIFY(traced.ok());
        QStringList nodes = nodeIds(traced.value());
        QVERIFY(nodes.contains(QStringLiteral("call ") + call(QStringLiteral("c3"))));
        QVERIFY(nodes.contains(QStringLiteral("execution execution:e1"))); // the path from the human
        QVERIFY(!nodes.contains(QStringLiteral("execution execution:f1")));
        QVERIFY(!Lineage(*m_db).forTrace(QStringLiteral("00000000000000000000000000000000")).ok());

        const QDateTime from = QDateTime::fromString(QStringLiteral("2027-01-15T08:00:01Z"), Qt::ISODate);
        auto ranged = Lineage(*m_db).forTimeRange(from, from.addSecs(2));
        QVERIFY(ranged.ok());
        nodes = nodeIds(ranged.value());
        QVERIFY(nodes.contains(QStringLiteral("call ") + call(QStringLiteral("c2"))));
        QVERIFY(nodes.contains(QStringLiteral("execution execution:e2"))); // a sub-execution of e1
        QVERIFY(!nodes.contains(QStringLiteral("execution execution:f1")));
    }

    void traceIdIsSearchedThroughItsIndex()
    {
        // SQLite folds "trace_id = ?" into the bucket term when it can, and then scans the log.
        QSqlQuery plan(m_db->connection());
        QVERIFY(plan.prepare(QStringLiteral("EXPLAIN QUERY PLAN SELECT id FROM audit_records WHERE ")
                             + QLatin1String(AuditColumns::kTraceIdMatch)));
        plan.addBindValue(QStringLiteral("4bf92f3577b34da6a3ce929d0e0e0004"));
        plan.addBindValue(QStringLiteral("4bf92f3577b34da6a3ce929d0e0e0004"));
        QVERIFY(plan.exec());
        QStringList steps;
        while (plan.next())
            steps << plan.value(3).toString();
        QCOMPARE(steps.size(), 1);
        QVERIFY2(steps.constFirst().startsWith(QLatin1String("SEARCH audit_records USING "))
                     && steps.constFirst().endsWith(QLatin1String("INDEX audit_trace (<expr>=?)")),
                 qPrintable(steps.constFirst()));
    }

    void humanIsSearchedThroughItsBucket()
    {
        QSqlQuery plan(m_db->connection());
        QVERIFY(plan.prepare(QStringLiteral("EXPLAIN QUERY PLAN SELECT id FROM audit_records WHERE ") + AuditColumns::humanMatch()));
        plan.addBindValue(QStringLiteral("alice"));
        plan.addBindValue(QStringLiteral("alice"));
        QVERIFY(plan.exec());
        QStringList steps;
        while (plan.next())
            steps << plan.value(3).toString();
        QVERIFY2(!steps.isEmpty() && steps.constFirst().startsWith(QLatin1String("SEARCH audit_records USING "))
                     && steps.constFirst().endsWith(QLatin1String("INDEX audit_human (<expr>=?)")),
                 qPrintable(steps.join(u'|')));
    }

    void everyNameIsFoundThroughTheBucket()
    {
        // Short, accented, CJK and astral names: the bucket is computed by SQLite on both sides.
        const QStringList names{QStringLiteral("a"), QStringLiteral("Zo\u00eb"), QStringLiteral("\u65e5\u672c\u8a9e\u30e6\u30fc\u30b6"),
                                QStringLiteral("\U0001F469\u200D\U0001F4BB dev"), QStringLiteral("bob@corp.example"),
                                QString(300, QChar(u'x')) + QStringLiteral("\U0001F600")};
        qint64 at = 9000;
        for (const QString &name : names) {
            for (int i = 0; i < 3; ++i)
                QVERIFY(m_log->append(decision(name, QStringLiteral("support-agent"), QStringLiteral("e-") + name.left(8),
                                               QStringLiteral("ticket:read"), true, {}, at++)).ok());
        }
        for (const QString &name : names) {
            AuditFilter filter;
            filter.human = name;
            Result<AuditPage> page = AuditQuery(*m_db).find(filter, QString(), 100);
            QVERIFY2(page.ok(), page.ok() ? "" : qPrintable(page.error().message));
            QCOMPARE(page->records.size(), size_t(3));
            QVERIFY(Lineage(*m_db).forHuman(name).ok());
        }
    }

    void lineageGraphJsonRoundTrip()
    {
        auto graph = Lineage(*m_db).forHuman(QStringLiteral("alice"));
        QVERIFY(graph.ok());
        auto back = LineageGraph::fromJson(graph->toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->toJson(), graph->toJson());
        QJsonObject broken = graph->toJson();
        QJsonArray edges = broken.value(QStringLiteral("edges")).toArray();
        edges.append(QJsonObject{{QStringLiteral("from"), QStringLiteral("human:nobody")},
                                 {QStringLiteral("to"), QStringLiteral("agent:support-agent")}});
        broken.insert(QStringLiteral("edges"), edges);
        QVERIFY(!LineageGraph::fromJson(broken).ok());
    }

    void lineageCutShortSaysSo()
    {
        // Lineage::kMaxRecords records of one execution make a whole graph; one more and the
        // graph stops there and says so. Last: it adds a crowd of records to the log.
        const QString carol = QStringLiteral("carol"), agent = QStringLiteral("bulk-agent"), execution = QStringLiteral("g1");
        std::vector<std::future<Result<AppendReceipt>>> pending;
        pending.push_back(m_log->appendAsync(delegation(carol, agent, execution, {}, 1000)));
        for (int i = 1; i < Lineage::kMaxRecords; ++i)
            pending.push_back(m_log->appendAsync(decision(carol, agent, execution, QStringLiteral("ticket:read"), true, {}, 1000 + i)));
        for (auto &appended : pending)
            QVERIFY(appended.get().ok());
        const auto calls = [](const LineageGraph &g) {
            return std::count_if(g.nodes.cbegin(), g.nodes.cend(), [](const auto &n) { return n.kind == QLatin1String("call"); });
        };
        auto whole = Lineage(*m_db).forExecution(execution);
        QVERIFY(whole.ok());
        QVERIFY(!whole->truncated);
        QCOMPARE(calls(whole.value()), Lineage::kMaxRecords - 1);

        QVERIFY(m_log->append(decision(carol, agent, execution, QStringLiteral("ticket:read"), false, {}, 999'999)).ok());
        auto cut = Lineage(*m_db).forExecution(execution);
        QVERIFY(cut.ok());
        QVERIFY(cut->truncated);
        QCOMPARE(calls(cut.value()), Lineage::kMaxRecords - 1);  // the last, a denial, is not among them
        QVERIFY(cut->toJson().value(QStringLiteral("truncated")).toBool());
        QVERIFY(cut->toDot().contains("Truncated"));
    }

    void cleanupTestCase()
    {
        m_log.reset();
        m_db.reset();
    }
};

QTEST_GUILESS_MAIN(TestAuditQuery)
#include "tst_audit_query.moc"
