// SPDX-License-Identifier: Apache-2.0
// The simulator's engine: which records are replayable and with which verdict, labels, what-if
// explanations, replay correctness against independently computed expectations, breakdowns,
// the summary's JSON form and cancellation.
#include "TrafficGenerator.h"

#include "audit/AuditLog.h"
#include "simulate/RecordedTraffic.h"
#include "simulate/Replay.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace mandate;
using namespace mandate::simulate;

class tst_SimulateReplay : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void verdictDerivation_data();
    void verdictDerivation();
    void fromExportJson();
    void candidateThatDoesNotParse();
    void whatIfExplanations_data();
    void whatIfExplanations();
    void whatIfRejectsRequestOutsideSchema();
    void labelsFallBackToPolicyIds();
    void unchangedSetReportsNoChange();
    void removedPermitChangesExactlyTheAffectedRequests();
    void addedForbidNamesItsPolicy();
    void breakdownsAddUp();
    void independentOfThreadCount();
    void summaryJsonRoundTrip();
    void summaryFromJsonRejectsBadInput();
    void cancelBeforeStart();
    void cancelFromProgress();
    void skipsRequestsThatNoLongerFit();
    void recordedTrafficReadsTheAuditLogInBatches();

private:
    QString demoSource() const { return m_demoSource; }
    QString withoutPolicy(const QString &id) const;
    std::vector<RecordedRequest> traffic(int count) const;
    QJsonObject request(const QString &action, const QJsonObject &args, int riskScore = 0) const;

    std::shared_ptr<const policy::Schema> m_schema;
    QString m_demoSource;
    std::vector<RecordedRequest> m_traffic;
};

void tst_SimulateReplay::initTestCase()
{
    auto schema = policy::Schema::parse(TrafficGenerator::resource(QStringLiteral(":/mandate/schema/mandate.cedarschema")));
    QVERIFY2(schema, qPrintable(schema ? QString() : schema.error().toString()));
    m_schema = std::make_shared<const policy::Schema>(std::move(schema).value());
    m_demoSource = QString::fromUtf8(TrafficGenerator::resource(QStringLiteral(":/mandate/policies/demo.cedar")));
    QVERIFY(!m_demoSource.isEmpty());
    m_traffic = traffic(6000);
    QVERIFY(m_traffic.size() > 5000);
}

QString tst_SimulateReplay::withoutPolicy(const QString &id) const
{
    // The demo file separates its policies with blank lines; drop the block carrying @id(id).
    QStringList kept;
    for (const QString &block : m_demoSource.split(QStringLiteral("\n\n"))) {
        if (!block.contains(QStringLiteral("@id(\"%1\")").arg(id)))
            kept << block;
    }
    const QString source = kept.join(QStringLiteral("\n\n"));
    Q_ASSERT(source.size() < m_demoSource.size());
    return source;
}

std::vector<RecordedRequest> tst_SimulateReplay::traffic(int count) const
{
    auto demo = policy::PolicySet::parse(m_demoSource.toStdString());
    Q_ASSERT(demo);
    TrafficGenerator generator(demo.value(), m_schema);
    std::vector<RecordedRequest> out;
    for (int i = 0; i < count; ++i) {
        const audit::AuditRecord record = generator.next();
        if (Result<RecordedRequest> replayable = RecordedRequest::fromAudit(record, i + 1, record.gatewayId))
            out.push_back(std::move(replayable).value());
    }
    return out;
}

QJsonObject tst_SimulateReplay::request(const QString &action, const QJsonObject &args, int riskScore) const
{
    firewall::ExecutionView view;
    view.execution.id = QStringLiteral("exec-w");
    view.execution.agent = QStringLiteral("support-agent");
    view.execution.chain = QStringList{QStringLiteral("alice")};
    view.execution.riskCeiling = 50;
    view.riskScore = riskScore;
    view.remaining.calls = 10;
    identity::Agent agent;
    agent.id = QStringLiteral("support-agent");
    agent.owner = QStringLiteral("carol");
    firewall::CedarRequestBuilder::Input input;
    input.view = &view;
    input.addAgent(agent);
    input.tool = action.section(QLatin1Char(':'), 0, 0);
    input.action = action;
    input.args = args;
    input.now = QDateTime(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);
    return firewall::CedarRequestBuilder::toJson(input);
}

void tst_SimulateReplay::verdictDerivation_data()
{
    QTest::addColumn<QString>("decision");
    QTest::addColumn<QString>("step");
    QTest::addColumn<bool>("withCedarRequest");
    QTest::addColumn<bool>("replayable");
    QTest::addColumn<bool>("policyAllowed");

    QTest::addRow("allowed") << "allow" << "" << true << true << true;
    QTest::addRow("denied by the policies") << "deny" << "policy" << true << true << false;
    QTest::addRow("rate limited after the policies allowed") << "deny" << "rate_limit" << true << true << true;
    QTest::addRow("budget charge failed after the policies allowed") << "deny" << "budget" << true << true << true;
    QTest::addRow("audit write failed after the policies allowed") << "deny" << "audit" << true << true << true;
    QTest::addRow("call budget spent before the policies") << "deny" << "budget" << false << false << false;
    QTest::addRow("bad token") << "deny" << "token" << false << false << false;
    QTest::addRow("action not granted") << "deny" << "capability" << false << false << false;
    QTest::addRow("risk ceiling") << "deny" << "risk" << false << false << false;
    QTest::addRow("unknown tool") << "deny" << "request" << false << false << false;
    QTest::addRow("request outside the schema") << "deny" << "request" << true << false << false;
}

void tst_SimulateReplay::verdictDerivation()
{
    QFETCH(QString, decision);
    QFETCH(QString, step);
    QFETCH(bool, withCedarRequest);
    QFETCH(bool, replayable);
    QFETCH(bool, policyAllowed);

    audit::AuditRecord record;
    record.time = QDateTime(QDate(2026, 11, 1), QTime(10, 0), Qt::UTC);
    record.gatewayId = QStringLiteral("gw");
    record.event = audit::EventType::Decision;
    record.rootHuman = QStringLiteral("alice");
    record.agent = QStringLiteral("support-agent");
    record.execution = QStringLiteral("exec-w");
    record.tool = QStringLiteral("refund");
    record.action = QStringLiteral("refund:create");
    record.decision = decision;
    record.decisionId = QStringLiteral("d-1");
    record.policies = {QStringLiteral("support-agent-refunds-up-to-100")};
    if (!step.isEmpty())
        record.details = QJsonObject{{QStringLiteral("mandate.decision.step"), step}};
    if (withCedarRequest)
        record.cedarRequest = request(QStringLiteral("refund:create"), {{QStringLiteral("amount"), QStringLiteral("10.00")}});

    Result<RecordedRequest> recorded = RecordedRequest::fromAudit(record, 7, QStringLiteral("gw"));
    QCOMPARE(recorded.ok(), replayable);
    if (!replayable) {
        QCOMPARE(recorded.error().code, QStringLiteral("not_replayable"));
        return;
    }
    QCOMPARE(recorded->policyAllowed, policyAllowed);
    QCOMPARE(recorded->sequence, 7);
    QCOMPARE(recorded->human, QStringLiteral("alice"));
    QCOMPARE(recorded->policies, record.policies);
    QCOMPARE(recorded->cedarRequest, record.cedarRequest);

    audit::AuditRecord forward = record;
    forward.event = audit::EventType::Forward;
    QVERIFY(!RecordedRequest::fromAudit(forward, 8, QStringLiteral("gw")));
}

void tst_SimulateReplay::fromExportJson()
{
    auto demo = policy::PolicySet::parse(m_demoSource.toStdString());
    QVERIFY(demo);
    TrafficGenerator generator(demo.value(), m_schema, 7);
    audit::AuditRecord record = generator.next();
    while (record.cedarRequest.isEmpty())
        record = generator.next();
    audit::StoredRecord stored;
    stored.sequence = 41;
    stored.gatewayId = record.gatewayId;
    stored.prevHash = QByteArray(32, '\0');
    stored.hash = QByteArray(32, '\1');
    stored.body = record.canonicalBytes();

    Result<RecordedRequest> fromExport = RecordedRequest::fromExportJson(stored.toExportJson());
    QVERIFY2(fromExport, qPrintable(fromExport ? QString() : fromExport.error().toString()));
    Result<RecordedRequest> direct = RecordedRequest::fromAudit(record, 41, record.gatewayId);
    QVERIFY(direct);
    QCOMPARE(fromExport->sequence, 41);
    QCOMPARE(fromExport->decisionId, direct->decisionId);
    QCOMPARE(fromExport->policyAllowed, direct->policyAllowed);
    QCOMPARE(fromExport->policies, direct->policies);
    QCOMPARE(fromExport->cedarRequest, direct->cedarRequest);
    QCOMPARE(fromExport->time, direct->time);

    QJsonObject broken = stored.toExportJson();
    broken.insert(QStringLiteral("mandate.unknown"), 1);
    QVERIFY(!RecordedRequest::fromExportJson(broken));
}

void tst_SimulateReplay::candidateThatDoesNotParse()
{
    Result<Replayer> replayer = Replayer::create(QStringLiteral("permit (principal, action, resource);\nforbid (principal,\n"), m_schema);
    QVERIFY(!replayer);
    QCOMPARE(replayer.error().code, QStringLiteral("invalid"));
    QVERIFY(!replayer.error().details.empty());
    QVERIFY2(replayer.error().details.front().path.startsWith(QStringLiteral("2:")) ||
                 replayer.error().details.front().path.startsWith(QStringLiteral("3:")),
             qPrintable(replayer.error().details.front().path));
}

void tst_SimulateReplay::whatIfExplanations_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("amount");
    QTest::addColumn<int>("risk");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QStringList>("policies");
    QTest::addColumn<QString>("explanation");

    QTest::addRow("allowed by a permit") << "refund:create" << "42.00" << 0 << true
                                         << QStringList{QStringLiteral("support-agent-refunds-up-to-100")}
                                         << "allowed by support-agent-refunds-up-to-100";
    QTest::addRow("no permit matched") << "refund:create" << "420.00" << 0 << false << QStringList{}
                                       << "no permit policy matched";
    QTest::addRow("forbidden by a forbid") << "account:delete" << "" << 0 << false << QStringList{QStringLiteral("no-account-deletion")}
                                           << "forbidden by no-account-deletion";
    QTest::addRow("forbid overrides permit") << "ticket:read" << "" << 60 << false << QStringList{QStringLiteral("risk-ceiling")}
                                             << "forbidden by risk-ceiling";
}

void tst_SimulateReplay::whatIfExplanations()
{
    QFETCH(QString, action);
    QFETCH(QString, amount);
    QFETCH(int, risk);
    QFETCH(bool, allowed);
    QFETCH(QStringList, policies);
    QFETCH(QString, explanation);

    Result<Replayer> replayer = Replayer::create(demoSource(), m_schema);
    QVERIFY(replayer);
    QJsonObject args;
    if (!amount.isEmpty())
        args.insert(QStringLiteral("amount"), amount);
    Result<Outcome> outcome = replayer->decide(request(action, args, risk));
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().toString()));
    QCOMPARE(outcome->allowed, allowed);
    QCOMPARE(outcome->policies, policies);
    QCOMPARE(outcome->explanation, explanation);
    QVERIFY(outcome->errors.isEmpty());
}

void tst_SimulateReplay::whatIfRejectsRequestOutsideSchema()
{
    Result<Replayer> replayer = Replayer::create(demoSource(), m_schema);
    QVERIFY(replayer);
    QJsonObject wrongArgs = request(QStringLiteral("refund:create"), {{QStringLiteral("amount"), 12}});
    Result<Outcome> outcome = replayer->decide(wrongArgs);
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().code, QStringLiteral("invalid"));

    QJsonObject unknownAction = request(QStringLiteral("refund:create"), {{QStringLiteral("amount"), QStringLiteral("1.00")}});
    unknownAction.insert(QStringLiteral("action"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Action")},
                                                               {QStringLiteral("id"), QStringLiteral("refund:undo")}});
    QVERIFY(!replayer->decide(unknownAction));
}

void tst_SimulateReplay::labelsFallBackToPolicyIds()
{
    // An erroring policy is skipped and reported; without @id a policy is named by its id.
    const QString source = QStringLiteral(
        "permit (principal, action == Action::\"ticket:read\", resource);\n"
        "@id(\"needs-note\")\n"
        "forbid (principal, action, resource) when { context.args.note == \"x\" };\n");
    Result<Replayer> replayer = Replayer::create(source, m_schema);
    QVERIFY(replayer);
    Result<Outcome> outcome = replayer->decide(request(QStringLiteral("ticket:read"), {}));
    QVERIFY(outcome);
    QVERIFY(outcome->allowed);
    QCOMPARE(outcome->policies, QStringList{QStringLiteral("policy0")});
    QCOMPARE(outcome->errors.size(), 1);
    QVERIFY2(outcome->errors.first().startsWith(QStringLiteral("needs-note: ")), qPrintable(outcome->errors.first()));
    QCOMPARE(outcome->explanation, QStringLiteral("allowed by policy0; skipped because they errored: needs-note"));
}

void tst_SimulateReplay::unchangedSetReportsNoChange()
{
    Result<Replayer> replayer = Replayer::create(demoSource(), m_schema);
    QVERIFY(replayer);
    ReplaySummary summary;
    replayer->replay(m_traffic, summary);
    QCOMPARE(summary.replayed, qint64(m_traffic.size()));
    QCOMPARE(summary.skipped, 0);
    QCOMPARE(summary.overall.unchanged, qint64(m_traffic.size()));
    QCOMPARE(summary.overall.newlyDenied, 0);
    QCOMPARE(summary.overall.newlyAllowed, 0);
    QVERIFY(summary.changes.empty());
    QVERIFY(!summary.cancelled);
}

void tst_SimulateReplay::removedPermitChangesExactlyTheAffectedRequests()
{
    const QString removed = QStringLiteral("support-agent-refunds-up-to-100");
    // Expected independently of the replayer: the requests the policies allowed with that permit
    // as their only determining policy, and no others.
    std::set<QString> expected;
    qint64 allowedBefore = 0;
    for (const RecordedRequest &r : m_traffic) {
        allowedBefore += r.policyAllowed ? 1 : 0;
        if (r.policyAllowed && r.policies == QStringList{removed})
            expected.insert(r.decisionId);
    }
    QVERIFY(expected.size() > 100);
    QVERIFY(qint64(expected.size()) < allowedBefore);

    Result<Replayer> replayer = Replayer::create(withoutPolicy(removed), m_schema);
    QVERIFY(replayer);
    ReplaySummary summary;
    replayer->replay(m_traffic, summary);
    QCOMPARE(summary.overall.newlyAllowed, 0);
    QCOMPARE(summary.overall.newlyDenied, qint64(expected.size()));
    std::set<QString> changed;
    for (const ReplayedRequest &c : summary.changes) {
        QCOMPARE(c.change, Change::NewlyDenied);
        QVERIFY(c.before.allowed);
        QVERIFY(!c.after.allowed);
        QCOMPARE(c.before.explanation, QStringLiteral("allowed by ") + removed);
        QCOMPARE(c.after.explanation, QStringLiteral("no permit policy matched"));
        changed.insert(c.recorded.decisionId);
    }
    QVERIFY(changed == expected);
    QCOMPARE(summary.byPolicy.at(removed).newlyDenied, qint64(expected.size()));
    QCOMPARE(summary.byAction.at(QStringLiteral("refund:create")).newlyDenied, qint64(expected.size()));
    QCOMPARE(summary.byTool.count(QStringLiteral("ticket")) ? summary.byTool.at(QStringLiteral("ticket")).newlyDenied : 0, 0);
}

void tst_SimulateReplay::addedForbidNamesItsPolicy()
{
    const QString source = demoSource() + QStringLiteral(
        "\n@id(\"no-finance-for-bob\")\nforbid (principal in Agent::\"support-agent\", action, resource)"
        " when { context.delegation.root == \"bob\" };\n");
    Result<Replayer> replayer = Replayer::create(source, m_schema);
    QVERIFY(replayer);
    ReplaySummary summary;
    replayer->replay(m_traffic, summary);
    qint64 expected = 0;
    for (const RecordedRequest &r : m_traffic)
        expected += (r.policyAllowed && r.human == QLatin1String("bob")) ? 1 : 0;
    QVERIFY(expected > 0);
    QCOMPARE(summary.overall.newlyDenied, expected);
    QCOMPARE(summary.byPolicy.at(QStringLiteral("no-finance-for-bob")).newlyDenied, expected);
    for (const ReplayedRequest &c : summary.changes)
        QCOMPARE(c.after.explanation, QStringLiteral("forbidden by no-finance-for-bob"));
}

void tst_SimulateReplay::breakdownsAddUp()
{
    Result<Replayer> replayer = Replayer::create(withoutPolicy(QStringLiteral("support-agent-tickets")), m_schema);
    QVERIFY(replayer);
    ReplaySummary summary;
    replayer->replay(m_traffic, summary, ReplayOptions{3600, 2});
    const auto total = [](const auto &breakdown) {
        ChangeCounts sum;
        for (const auto &[key, counts] : breakdown) {
            sum.unchanged += counts.unchanged;
            sum.newlyDenied += counts.newlyDenied;
            sum.newlyAllowed += counts.newlyAllowed;
        }
        return sum;
    };
    for (const ChangeCounts &sum : {total(summary.byAgent), total(summary.byTool), total(summary.byAction), total(summary.timeline)}) {
        QCOMPARE(sum.unchanged, summary.overall.unchanged);
        QCOMPARE(sum.newlyDenied, summary.overall.newlyDenied);
        QCOMPARE(sum.newlyAllowed, summary.overall.newlyAllowed);
    }
    QVERIFY(summary.overall.newlyDenied > 0);
    QCOMPARE(summary.byTool.at(QStringLiteral("ticket")).newlyDenied, summary.overall.newlyDenied);
    QCOMPARE(summary.byAgent.count(QStringLiteral("finance-agent")) ? summary.byAgent.at(QStringLiteral("finance-agent")).newlyDenied : 0, 0);
    // Hourly buckets, on the hour.
    QCOMPARE(summary.bucketSeconds, 3600);
    for (const auto &[start, counts] : summary.timeline) {
        QCOMPARE(start.time().minute(), 0);
        QCOMPARE(start.time().second(), 0);
    }
    qint64 expectedBuckets = (m_traffic.back().time.toSecsSinceEpoch() / 3600) - (m_traffic.front().time.toSecsSinceEpoch() / 3600) + 1;
    QCOMPARE(qint64(summary.timeline.size()), expectedBuckets);
}

void tst_SimulateReplay::independentOfThreadCount()
{
    Result<Replayer> replayer = Replayer::create(withoutPolicy(QStringLiteral("risk-ceiling")), m_schema);
    QVERIFY(replayer);
    ReplaySummary one, four;
    replayer->replay(m_traffic, one, ReplayOptions{60, 1});
    replayer->replay(m_traffic, four, ReplayOptions{60, 4});
    QVERIFY(one.overall.newlyAllowed > 0);
    QCOMPARE(QJsonDocument(four.toJson()).toJson(), QJsonDocument(one.toJson()).toJson());
}

void tst_SimulateReplay::summaryJsonRoundTrip()
{
    Result<Replayer> replayer = Replayer::create(withoutPolicy(QStringLiteral("risk-ceiling")), m_schema);
    QVERIFY(replayer);
    ReplaySummary summary;
    replayer->replay(m_traffic, summary);
    QVERIFY(summary.overall.newlyAllowed > 0);
    const QJsonObject json = summary.toJson();
    Result<ReplaySummary> back = ReplaySummary::fromJson(json);
    QVERIFY2(back, qPrintable(back ? QString() : back.error().toString()));
    QCOMPARE(back->toJson(), json);
    QCOMPARE(back->changes.size(), summary.changes.size());
    QCOMPARE(back->changes.front().recorded.cedarRequest, summary.changes.front().recorded.cedarRequest);
    QCOMPARE(json.value(QStringLiteral("changes_total")).toInteger(), summary.overall.newlyAllowed);

    const QJsonObject bounded = summary.toJson(2);
    QCOMPARE(bounded.value(QStringLiteral("changes")).toArray().size(), 2);
    QCOMPARE(bounded.value(QStringLiteral("changes_total")).toInteger(), summary.overall.newlyAllowed);
}

void tst_SimulateReplay::summaryFromJsonRejectsBadInput()
{
    QJsonObject json = ReplaySummary{}.toJson();
    QVERIFY(ReplaySummary::fromJson(json));
    QJsonObject noCounts = json;
    noCounts.remove(QStringLiteral("counts"));
    QVERIFY(!ReplaySummary::fromJson(noCounts));
    QJsonObject badChange = json;
    badChange.insert(QStringLiteral("changes"), QJsonArray{QJsonObject{{QStringLiteral("change"), QStringLiteral("sideways")}}});
    Result<ReplaySummary> rejected = ReplaySummary::fromJson(badChange);
    QVERIFY(!rejected);
    QVERIFY2(rejected.error().path.startsWith(QStringLiteral("changes[0].")), qPrintable(rejected.error().path));
}

void tst_SimulateReplay::cancelBeforeStart()
{
    Result<Replayer> replayer = Replayer::create(demoSource(), m_schema);
    QVERIFY(replayer);
    std::atomic_bool cancel{true};
    ReplaySummary summary;
    replayer->replay(m_traffic, summary, ReplayOptions{60, 2}, &cancel);
    QVERIFY(summary.cancelled);
    QCOMPARE(summary.replayed, 0);
}

void tst_SimulateReplay::cancelFromProgress()
{
    Result<Replayer> replayer = Replayer::create(demoSource(), m_schema);
    QVERIFY(replayer);
    std::atomic_bool cancel{false};
    ReplaySummary summary;
    QList<qint64> reported;
    replayer->replay(m_traffic, summary, ReplayOptions{60, 1}, &cancel, [&](qint64 done) {
        reported << done;
        cancel = true;
    });
    QVERIFY(summary.cancelled);
    QVERIFY(summary.replayed > 0);
    QVERIFY(summary.replayed < qint64(m_traffic.size()));
    QCOMPARE(reported.first(), summary.replayed);
    QCOMPARE(summary.overall.total(), summary.replayed);
}

void tst_SimulateReplay::skipsRequestsThatNoLongerFit()
{
    std::vector<RecordedRequest> records(m_traffic.begin(), m_traffic.begin() + 10);
    QJsonObject context = records[3].cedarRequest.value(QStringLiteral("context")).toObject();
    context.remove(QStringLiteral("risk"));
    records[3].cedarRequest.insert(QStringLiteral("context"), context);
    Result<Replayer> replayer = Replayer::create(demoSource(), m_schema);
    QVERIFY(replayer);
    ReplaySummary summary;
    replayer->replay(records, summary);
    QCOMPARE(summary.replayed, 9);
    QCOMPARE(summary.skipped, 1);
    QCOMPARE(summary.skipReasons.size(), 1);
    QVERIFY2(summary.skipReasons.first().startsWith(records[3].decisionId + QStringLiteral(": ")), qPrintable(summary.skipReasons.first()));
}

void tst_SimulateReplay::recordedTrafficReadsTheAuditLogInBatches()
{
    QTemporaryDir dir;
    auto db = store::Database::open(dir.filePath(QStringLiteral("mandate.db")));
    QVERIFY(db);
    auto log = audit::AuditLog::open(*db.value(), {QStringLiteral("gw-sim"), std::nullopt, false});
    QVERIFY(log);
    auto demo = policy::PolicySet::parse(m_demoSource.toStdString());
    QVERIFY(demo);
    TrafficGenerator generator(demo.value(), m_schema, 3);
    qint64 replayable = 0, finance = 0;
    std::vector<audit::AuditRecord> written;
    for (int i = 0; i < 2500; ++i) {
        written.push_back(generator.next());
        QVERIFY((*log)->append(written.back()));
        if (!written.back().cedarRequest.isEmpty()) {
            ++replayable;
            finance += written.back().agent == QLatin1String("finance-agent") ? 1 : 0;
        }
    }
    audit::AuditRecord delegation = written.front();
    delegation.event = audit::EventType::Delegation;
    delegation.cedarRequest = {};
    delegation.decision.clear();
    delegation.details = {};
    QVERIFY((*log)->append(delegation)); // not a decision: never read

    simulate::RecordedTraffic traffic(*db.value());
    RecordedTraffic::Options options;
    options.batchSize = 1000;
    std::vector<RecordedRequest> all;
    int batches = 0;
    auto totals = traffic.read({}, [&](std::vector<RecordedRequest> &&batch) {
        ++batches;
        std::move(batch.begin(), batch.end(), std::back_inserter(all));
        return true;
    }, options);
    QVERIFY2(totals, qPrintable(totals ? QString() : totals.error().toString()));
    QCOMPARE(totals->read, 2500);
    QCOMPARE(totals->notReplayable, 2500 - replayable);
    QVERIFY(!totals->truncated);
    QCOMPARE(batches, 3);
    QCOMPARE(qint64(all.size()), replayable);
    // In chain order, and read the same way as from an exported record.
    for (size_t i = 1; i < all.size(); ++i)
        QVERIFY(all[i - 1].sequence < all[i].sequence);
    const RecordedRequest &first = all.front();
    Result<RecordedRequest> direct = RecordedRequest::fromAudit(written[size_t(first.sequence - 1)], first.sequence, QStringLiteral("gw-sim"));
    QVERIFY(direct);
    QCOMPARE(first.decisionId, direct->decisionId);
    QCOMPARE(first.cedarRequestObject(), direct->cedarRequest);
    QCOMPARE(first.policyAllowed, direct->policyAllowed);
    QCOMPARE(first.time, direct->time);

    audit::AuditFilter onlyFinance;
    onlyFinance.agent = QStringLiteral("finance-agent");
    qint64 seen = 0;
    QVERIFY(traffic.read(onlyFinance, [&](std::vector<RecordedRequest> &&batch) {
        for (const RecordedRequest &r : batch)
            seen += r.agent == QLatin1String("finance-agent") ? 1 : 0;
        return true;
    }));
    QCOMPARE(seen, finance);

    options.maxRecords = 1200;
    auto bounded = traffic.read({}, [](std::vector<RecordedRequest> &&) { return true; }, options);
    QVERIFY(bounded);
    QCOMPARE(bounded->read, 1200);
    QVERIFY(bounded->truncated);

    int stoppedAfter = 0;
    QVERIFY(traffic.read({}, [&](std::vector<RecordedRequest> &&) { return ++stoppedAfter < 1; }, RecordedTraffic::Options{0, 1000, 1}));
    QCOMPARE(stoppedAfter, 1);
}

QTEST_GUILESS_MAIN(tst_SimulateReplay)
#include "tst_simulate_replay.moc"
