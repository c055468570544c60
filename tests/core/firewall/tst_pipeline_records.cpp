// SPDX-License-Identifier: Apache-2.0
// What commits with a decision's audit record (PipelineFixture.h): a held charge, the call's
// effect on its session, a flagged response's risk step; and what a call comes to when its
// record cannot be written (a denial) or the database refuses its charge as it is written.
#include "PipelineFixture.h"

#include <QJsonArray>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QTest>

using namespace mandate;
using namespace mandate::testing;

class tst_PipelineRecords final : public PipelineFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { setUp(); }
    void auditFailureDenies_data();
    void auditFailureDenies();
    void anEffectWrittenWithItsRecordIsCountedOnce_data();
    void anEffectWrittenWithItsRecordIsCountedOnce();
    void aFlaggedResponsesRiskIsTakenWithItsRecord_data();
    void aFlaggedResponsesRiskIsTakenWithItsRecord();
    void heldChargeCommitsWithTheDecision_data();
    void heldChargeCommitsWithTheDecision();
    void chargeRefusedAtCommitIsRecordedAsADenial_data();
    void chargeRefusedAtCommitIsRecordedAsADenial();

private:
    std::unique_ptr<store::Database> lockTheDatabase();
    /// A copy of the support execution under `id`, for `token`: no risk, no action exercised yet.
    void addFreshExecution(const QByteArray &token, const QString &id);
};

void tst_PipelineRecords::auditFailureDenies_data()
{
    addModes();
}

void tst_PipelineRecords::addFreshExecution(const QByteArray &token, const QString &id)
{
    firewall::ExecutionView view = m_authority.views.value("support");
    view.execution.id = id;
    view.riskScore = 0;
    view.sessionActions.clear();
    m_authority.views.insert(token, view);
}

/// The database held by another writer (BEGIN EXCLUSIVE) until the returned one goes: the
/// audit log cannot write.
std::unique_ptr<store::Database> tst_PipelineRecords::lockTheDatabase()
{
    auto blocker = store::Database::open(m_dir.filePath(QStringLiteral("mandate.db")));
    if (!blocker || !QSqlQuery(blocker.value()->connection()).exec(QStringLiteral("BEGIN EXCLUSIVE")))
        return nullptr;
    return std::move(blocker).value();
}

void tst_PipelineRecords::auditFailureDenies()
{
    // Fail closed: with the audit table locked by another writer, an allow turns into a deny.
    // A fresh execution, so that the call would be its first ticket:read and carry a risk step.
    addFreshExecution("unrecorded", QStringLiteral("ex-unrecorded"));
    auto blocker = lockTheDatabase();
    QVERIFY(blocker);
    const auto decision = decide("unrecorded", QStringLiteral("ticket:read"), {});
    blocker.reset();
    QVERIFY(!decision.allowed);
    QCOMPARE(decision.step, QStringLiteral("audit"));
    QCOMPARE(decision.httpStatus, 503);
    // Counted as a denied call, without the risk of an action it never exercised.
    QCOMPARE(m_authority.calls.last(), QStringLiteral("ex-unrecorded ticket:read deny 0"));
    QCOMPARE(m_authority.views.value("unrecorded").riskScore, 0);
}

void tst_PipelineRecords::anEffectWrittenWithItsRecordIsCountedOnce_data()
{
    addModes();
}

void tst_PipelineRecords::anEffectWrittenWithItsRecordIsCountedOnce()
{
    // An authority that writes a call's effect with its record (the gateway's) has it counted
    // by the record's batch, and not again when the call settles; a call whose record fails is
    // counted when it settles, as what it came to.
    addFreshExecution("with-record", QStringLiteral("ex-with-record"));
    m_authority.countsWithRecords = true;
    const auto restore = qScopeGuard([this] { m_authority.countsWithRecords = false; });
    const qsizetype countedBefore = m_authority.calls.size();  // by this test's other row too
    const auto countedFor = [this, countedBefore]() {
        QStringList out;
        for (const QString &call : m_authority.calls.mid(countedBefore)) {
            if (call.startsWith(QLatin1String("ex-with-record ")))
                out.append(call);
        }
        return out;
    };
    QVERIFY(decide("with-record", QStringLiteral("ticket:read"), {}).allowed);
    QVERIFY(!decide("with-record", QStringLiteral("account:delete"), {}).allowed);
    QCOMPARE(countedFor().size(), 2);
    QVERIFY2(countedFor().at(0).startsWith(QLatin1String("ex-with-record ticket:read allow ")), qPrintable(countedFor().at(0)));
    QVERIFY2(countedFor().at(1).startsWith(QLatin1String("ex-with-record account:delete deny ")), qPrintable(countedFor().at(1)));

    auto blocker = lockTheDatabase();
    QVERIFY(blocker);
    const auto unrecorded = decide("with-record", QStringLiteral("ticket:read"), {});
    blocker.reset();
    QCOMPARE(unrecorded.step, QStringLiteral("audit"));
    QCOMPARE(countedFor().size(), 3);
    QCOMPARE(countedFor().last(), QStringLiteral("ex-with-record ticket:read deny 0"));
}

void tst_PipelineRecords::aFlaggedResponsesRiskIsTakenWithItsRecord_data()
{
    QTest::addColumn<bool>("withRecords");
    QTest::addRow("written with the record") << true;
    QTest::addRow("counted after the record") << false;
}

void tst_PipelineRecords::aFlaggedResponsesRiskIsTakenWithItsRecord()
{
    // A flagged response's risk step is taken once, with the forward record that says why; not
    // at all when that record cannot be written.
    QFETCH(bool, withRecords);
    addFreshExecution("flagged", QStringLiteral("ex-flagged"));
    m_authority.countsWithRecords = withRecords;
    const auto restore = qScopeGuard([this] { m_authority.countsWithRecords = false; });
    m_authority.calls.clear();
    const firewall::CallRequest request = call("flagged", QStringLiteral("ticket:read"), {});
    const firewall::CallDecision decided = m_pipeline->decide(request);
    QVERIFY(decided.allowed);
    m_authority.calls.clear();
    const int before = m_authority.views.value("flagged").riskScore;  // with the call's own step
    const QJsonObject findings{{QStringLiteral("mandate.response.findings"), QJsonArray{QStringLiteral("secret")}}};
    QVERIFY(m_pipeline->recordForward(request, decided, 200, findings, 10));
    QCOMPARE(m_authority.calls, QStringList{QStringLiteral("ex-flagged risk allow 10")});
    QCOMPARE(m_authority.views.value("flagged").riskScore, before + 10);

    auto blocker = lockTheDatabase();
    QVERIFY(blocker);
    const Status unrecorded = m_pipeline->recordForward(request, decided, 200, findings, 10);
    blocker.reset();
    QVERIFY(!unrecorded);
    QCOMPARE(m_authority.calls.size(), 1);
    QCOMPARE(m_authority.views.value("flagged").riskScore, before + 10);
}

void tst_PipelineRecords::heldChargeCommitsWithTheDecision_data()
{
    addModes();
}

void tst_PipelineRecords::heldChargeCommitsWithTheDecision()
{
    addFreshExecution("held", QStringLiteral("ex-held"));
    const firewall::ExecutionView view = m_authority.views.value("held");
    m_authority.deferredCommit = true;
    m_authority.settled.clear();
    const auto decision = decide("held", QStringLiteral("ticket:read"), {}, true);
    m_authority.deferredCommit.reset();
    QVERIFY2(decision.allowed, qPrintable(decision.message));
    QCOMPARE(m_authority.settled, QStringList{QStringLiteral("ex-held committed")});
    QCOMPARE(m_authority.views.value("held").remaining.calls, view.remaining.calls - 1);
}

void tst_PipelineRecords::chargeRefusedAtCommitIsRecordedAsADenial_data()
{
    addModes();
}

void tst_PipelineRecords::chargeRefusedAtCommitIsRecordedAsADenial()
{
    // The charge fitted in memory, but the database refused it as the record was written (a
    // sub-delegation or another gateway spent first): the call is denied, the denial is what
    // the audit log says, and the held charge is given back.
    addFreshExecution("refused", QStringLiteral("ex-refused"));
    const firewall::ExecutionView before = m_authority.views.value("refused");
    m_authority.deferredCommit = false;
    m_authority.settled.clear();
    const auto decision = decide("refused", QStringLiteral("ticket:read"), {}, true);
    m_authority.deferredCommit.reset();
    QVERIFY(!decision.allowed);
    QCOMPARE(decision.step, QStringLiteral("budget"));
    QCOMPARE(decision.httpStatus, 403);
    QCOMPARE(decision.view.remaining, before.remaining);
    QCOMPARE(m_authority.views.value("refused").remaining, before.remaining);
    QCOMPARE(m_authority.settled, QStringList{QStringLiteral("ex-refused given-back")});
    QSqlQuery last(m_db->connection());
    QVERIFY(last.exec(QStringLiteral("SELECT json_extract(body, '$.\"mandate.decision\"'), json_extract(body, '$.\"mandate.decision.id\"') "
                                     "FROM audit_records ORDER BY seq DESC LIMIT 1")));
    QVERIFY(last.next());
    QCOMPARE(last.value(0).toString(), QStringLiteral("deny"));
    QCOMPARE(last.value(1).toString(), decision.decisionId);
}

QTEST_GUILESS_MAIN(tst_PipelineRecords)
#include "tst_pipeline_records.moc"
