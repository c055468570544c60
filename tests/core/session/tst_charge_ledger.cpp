// SPDX-License-Identifier: Apache-2.0
// ChargeLedger on a real SQLite file with a real audit log: charges held in memory never
// overspend under many threads, a charge is durable exactly when its call's audit record is,
// and what the database refuses (someone else spent, a revocation) or cannot write is given back.
#include "audit/AuditLog.h"
#include "session/ChargeLedger.h"
#include "session/ExecutionStore.h"
#include "session/SessionRecorder.h"
#include "store/Database.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace mandate;
using namespace mandate::session;
using identity::Amount;
using identity::Budget;
using identity::Execution;

namespace {

Budget budget(qint64 calls, qint64 tokens, const char *amount)
{
    return Budget{calls, tokens, *Amount::parse(QLatin1String(amount))};
}

} // namespace

class tst_ChargeLedger final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false")); }
    void init();
    void cleanup();
    void concurrentHoldsNeverOverspend();
    void chargeCommitsWithItsRecord();
    void refusedByTheDatabaseRefusesTheRecord_data();
    void refusedByTheDatabaseRefusesTheRecord();
    void failedAuditWriteGivesTheChargeBack();
    void sessionCountersRideOnTheBatch();
    void reservationsShowUntilSettled();
    void aStagedEffectCommitsWithItsRecord();
    void budgetGivenBackInTheStoreIsSeen();

private:
    void create(const QString &id, const Budget &granted);
    audit::AuditRecord record(const QString &execution) const;
    Result<audit::AppendReceipt> appendWithCharge(const QString &id, const Budget &cost);
    Budget used(const QString &id) const { return m_store->state(id)->used; }
    /// As the gateway wires them: the recorder writes in every batch of the log, and wakes it.
    void writeWithTheBatches(SessionRecorder &recorder);

    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<ExecutionStore> m_store;
    std::unique_ptr<ChargeLedger> m_ledger;
    std::unique_ptr<audit::AuditLog> m_log;
    int m_counter = 0;
};

void tst_ChargeLedger::init()
{
    auto db = store::Database::open(m_dir.filePath(QStringLiteral("ledger-%1.db").arg(++m_counter)));
    QVERIFY2(db, qPrintable(db ? QString() : db.error().toString()));
    m_db = std::move(db).value();
    m_clock = std::make_unique<ManualClock>();
    m_store = std::make_unique<ExecutionStore>(*m_db, *m_clock);
    m_ledger = std::make_unique<ChargeLedger>(*m_store);
    auto log = audit::AuditLog::open(*m_db, {QStringLiteral("gw"), {}, false});
    QVERIFY(log);
    m_log = std::move(log).value();
}

void tst_ChargeLedger::cleanup()
{
    m_log.reset();
    m_ledger.reset();
    m_store.reset();
    m_db.reset();
}

void tst_ChargeLedger::create(const QString &id, const Budget &granted)
{
    Execution e;
    e.id = id;
    e.agent = QStringLiteral("support-agent");
    e.chain = {QStringLiteral("alice")};
    e.capabilities = {{QStringLiteral("refund:create"), {}}};
    e.budget = granted;
    e.riskCeiling = 40;
    e.issuedAt = m_clock->now();
    e.expiresAt = m_clock->now().addSecs(900);
    QVERIFY(m_store->create(e).ok());
}

audit::AuditRecord tst_ChargeLedger::record(const QString &execution) const
{
    audit::AuditRecord r;
    r.time = m_clock->now();
    r.gatewayId = QStringLiteral("gw");
    r.event = audit::EventType::Decision;
    r.decision = QStringLiteral("allow");
    r.execution = execution;
    r.action = QStringLiteral("refund:create");
    return r;
}

void tst_ChargeLedger::writeWithTheBatches(SessionRecorder &recorder)
{
    m_log->setBatchParticipant({[&recorder]() { return recorder.writePending(); },
                                [&recorder](bool committed) { recorder.finishWrite(committed); }});
    recorder.setWake([this]() { m_log->requestBatch(); });
}

/// What the pipeline does for an allowed call: hold, write the record with the charge, settle.
Result<audit::AppendReceipt> tst_ChargeLedger::appendWithCharge(const QString &id, const Budget &cost)
{
    auto appended = m_log->append(record(id), {[this, id, cost]() { return m_ledger->commit(id, cost); },
                                               Error{QStringLiteral("budget_exhausted"), QStringLiteral("refused")}, {}});
    m_ledger->settle(id, cost, appended.ok());
    return appended;
}

void tst_ChargeLedger::concurrentHoldsNeverOverspend()
{
    // 8 threads race 400 charges of one call and 0.50 against 150 calls and 75.00: exactly the
    // budget is held and committed, never more, and each commit rides on an audit record.
    create(QStringLiteral("e1"), budget(150, 1'000'000, "75.00"));
    std::atomic<int> committed{0};
    std::atomic<int> exhausted{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&]() {
            for (int i = 0; i < 50; ++i) {
                const Budget cost = budget(1, 10, "0.50");
                auto held = m_ledger->hold(QStringLiteral("e1"), cost);
                if (!held) {
                    ++(held.error().code == QLatin1String("budget_exhausted") ? exhausted : other);
                    continue;
                }
                ++(appendWithCharge(QStringLiteral("e1"), cost) ? committed : other);
            }
        });
    }
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(other.load(), 0);
    QCOMPARE(committed.load(), 150);
    QCOMPARE(exhausted.load(), 250);
    QCOMPARE(used(QStringLiteral("e1")), budget(150, 1500, "75.00"));
    QCOMPARE(m_log->head().sequence, 150);
}

void tst_ChargeLedger::chargeCommitsWithItsRecord()
{
    create(QStringLiteral("e1"), budget(10, 100, "50.00"));
    auto held = m_ledger->hold(QStringLiteral("e1"), budget(1, 5, "20.00"));
    QVERIFY(held);
    QCOMPARE(held.value(), budget(9, 95, "30.00"));
    QCOMPARE(used(QStringLiteral("e1")), budget(0, 0, "0"));  // held, not yet durable
    QVERIFY(appendWithCharge(QStringLiteral("e1"), budget(1, 5, "20.00")));
    QCOMPARE(used(QStringLiteral("e1")), budget(1, 5, "20.00"));
    QCOMPARE(m_log->head().sequence, 1);
    // What is left is exact: 30.00 fits, 30.01 does not.
    const auto tooMuch = m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "30.01"));
    QVERIFY(!tooMuch);
    QCOMPARE(tooMuch.error().code, QStringLiteral("budget_exhausted"));
    QCOMPARE(tooMuch.error().path, QStringLiteral("amount"));
    QVERIFY(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "30.00")));
}

void tst_ChargeLedger::refusedByTheDatabaseRefusesTheRecord_data()
{
    QTest::addColumn<bool>("revoke");
    QTest::addRow("spent by another writer") << false;
    QTest::addRow("revoked after the hold") << true;
}

void tst_ChargeLedger::refusedByTheDatabaseRefusesTheRecord()
{
    QFETCH(bool, revoke);
    create(QStringLiteral("e1"), budget(3, 0, "0"));
    QVERIFY(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0")));
    if (revoke)
        QVERIFY(m_store->revoke(QStringLiteral("e1"), QStringLiteral("test")).ok());
    else
        QVERIFY(m_store->charge(QStringLiteral("e1"), budget(3, 0, "0")));  // e.g. another gateway
    auto appended = appendWithCharge(QStringLiteral("e1"), budget(1, 0, "0"));
    QVERIFY(!appended);
    QCOMPARE(appended.error().code, QStringLiteral("budget_exhausted"));
    QCOMPARE(m_log->head().sequence, 0);  // no record of an allow that did not happen
    QCOMPARE(used(QStringLiteral("e1")), revoke ? budget(0, 0, "0") : budget(3, 0, "0"));
    // The ledger read the database again: the next hold sees what happened.
    const auto next = m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0"));
    QVERIFY(!next);
    QCOMPARE(next.error().code, revoke ? QStringLiteral("inactive") : QStringLiteral("budget_exhausted"));
}

void tst_ChargeLedger::failedAuditWriteGivesTheChargeBack()
{
    create(QStringLiteral("e1"), budget(1, 0, "0"));
    QSqlQuery trigger(m_db->connection());
    QVERIFY(trigger.exec(QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON audit_records "
                                        "BEGIN SELECT RAISE(ABORT, 'disk full'); END")));
    QVERIFY(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0")));
    auto appended = appendWithCharge(QStringLiteral("e1"), budget(1, 0, "0"));
    QVERIFY(!appended);
    QVERIFY2(appended.error().code.startsWith(QLatin1String("store_")), qPrintable(appended.error().code));
    QCOMPARE(used(QStringLiteral("e1")), budget(0, 0, "0"));  // rolled back with the record
    QVERIFY(trigger.exec(QStringLiteral("DROP TRIGGER refuse")));
    // Given back in memory too: the one call of the budget can still be made.
    QVERIFY(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0")));
    QVERIFY(appendWithCharge(QStringLiteral("e1"), budget(1, 0, "0")));
    QCOMPARE(used(QStringLiteral("e1")), budget(1, 0, "0"));
}

void tst_ChargeLedger::sessionCountersRideOnTheBatch()
{
    create(QStringLiteral("e1"), budget(10, 0, "0"));
    SessionRecorder recorder(*m_store);
    writeWithTheBatches(recorder);
    recorder.record({QStringLiteral("e1"), QStringLiteral("refund:create"), true, true, 3});
    recorder.record({QStringLiteral("e1"), QStringLiteral("account:delete"), true, false, 4});
    // Queued before the record, they are committed by the time the record is (by its batch or
    // an earlier one), and no longer pending.
    QVERIFY(m_log->append(record(QStringLiteral("e1"))));
    const auto state = m_store->state(QStringLiteral("e1"));
    QCOMPARE(state->sessionCalls, qint64(2));
    QCOMPARE(state->sessionDenied, qint64(1));
    QCOMPARE(state->riskScore, 7);
    QCOMPARE(state->sessionActions, QStringList{QStringLiteral("refund:create")});
    QCOMPARE(recorder.pending(QStringLiteral("e1")).calls, qint64(0));
    m_log.reset();  // stops the writer before the recorder goes
}

void tst_ChargeLedger::reservationsShowUntilSettled()
{
    // A decided call shows in pending() at once; settling replaces it with what the call came
    // to, in one step; and a committed batch is counted, so that a reader can tell that its
    // stored state and pending() were read on either side of one.
    create(QStringLiteral("e1"), budget(10, 0, "0"));
    SessionRecorder recorder(*m_store);
    writeWithTheBatches(recorder);
    const ExecutionStore::SessionUpdate allow{QStringLiteral("e1"), QStringLiteral("refund:create"), true, true, 5};
    const ExecutionStore::SessionUpdate deny{QStringLiteral("e1"), QStringLiteral("account:delete"), true, false, 4};
    recorder.reserve(allow);
    recorder.reserve(allow);
    recorder.reserve(deny);
    SessionRecorder::Pending shown = recorder.pending(QStringLiteral("e1"));
    QCOMPARE(shown.calls, qint64(3));
    QCOMPARE(shown.denied, qint64(1));
    QCOMPARE(shown.risk, 14);
    QCOMPARE(shown.actions, QStringList{QStringLiteral("refund:create")});
    QCOMPARE(recorder.pending(QStringLiteral("e2")).calls, qint64(0));

    // One allow became a denial without a risk step (its record failed), one is given up.
    recorder.settle(allow, ExecutionStore::SessionUpdate{QStringLiteral("e1"), QStringLiteral("refund:create"), true, false, 0});
    recorder.settle(allow, std::nullopt);
    shown = recorder.pending(QStringLiteral("e1"));
    QCOMPARE(shown.calls, qint64(2));
    QCOMPARE(shown.denied, qint64(2));
    QCOMPARE(shown.risk, 4);
    QVERIFY(shown.actions.isEmpty());

    const quint64 before = recorder.written();
    quint64 lastWrite = 0;
    (void)recorder.pending(QStringLiteral("e1"), &lastWrite);
    QVERIFY(lastWrite <= before);
    QVERIFY(m_log->append(record(QStringLiteral("e1"))));
    QVERIFY(recorder.written() > before);
    (void)recorder.pending(QStringLiteral("e1"), &lastWrite);
    QVERIFY(lastWrite > before);  // a reader that started before must read again
    // The settled denial is in the store now; the reserved one still only in pending().
    QCOMPARE(m_store->state(QStringLiteral("e1"))->sessionDenied, qint64(1));
    shown = recorder.pending(QStringLiteral("e1"));
    QCOMPARE(shown.calls, qint64(1));
    QCOMPARE(shown.risk, 4);
    recorder.settle(deny, deny);
    QVERIFY(m_log->append(record(QStringLiteral("e1"))));
    QCOMPARE(recorder.pending(QStringLiteral("e1")).calls, qint64(0));
    QCOMPARE(m_store->state(QStringLiteral("e1"))->sessionDenied, qint64(2));
    QCOMPARE(m_store->state(QStringLiteral("e1"))->riskScore, 4);
    m_log.reset();  // stops the writer before the recorder goes
}

void tst_ChargeLedger::aStagedEffectCommitsWithItsRecord()
{
    // A decided call's effect, staged by its record's batch, commits in that transaction and
    // is counted once; if the batch fails, it is reserved again for the call to settle.
    create(QStringLiteral("e1"), budget(10, 0, "0"));
    SessionRecorder recorder(*m_store);
    writeWithTheBatches(recorder);
    const ExecutionStore::SessionUpdate allow{QStringLiteral("e1"), QStringLiteral("refund:create"), true, true, 5};
    const auto staging = [&recorder](const ExecutionStore::SessionUpdate &update) {
        return audit::AuditLog::Companion{{}, {}, [&recorder, update]() { recorder.stage(update); }};
    };

    recorder.reserve(allow);
    const quint64 before = recorder.written();
    QVERIFY(m_log->append(record(QStringLiteral("e1")), staging(allow)));
    auto state = m_store->state(QStringLiteral("e1"));  // the database, not the cache
    QCOMPARE(state->sessionCalls, qint64(1));
    QCOMPARE(state->riskScore, 5);
    QCOMPARE(state->sessionActions, QStringList{QStringLiteral("refund:create")});
    QCOMPARE(recorder.pending(QStringLiteral("e1")).calls, qint64(0));  // not counted twice
    QCOMPARE(recorder.pending(QStringLiteral("e1")).risk, 0);
    QVERIFY(recorder.written() > before);  // readers of the state before it read again

    // The batch fails after the effect was staged: neither the record nor the effect is written,
    // and the effect shows as reserved again until its call settles it.
    QSqlQuery trigger(m_db->connection());
    QVERIFY(trigger.exec(QStringLiteral("CREATE TRIGGER refuse BEFORE UPDATE ON executions "
                                        "BEGIN SELECT RAISE(ABORT, 'disk full'); END")));
    recorder.reserve(allow);
    QVERIFY(!m_log->append(record(QStringLiteral("e1")), staging(allow)));
    QCOMPARE(m_log->head().sequence, 1);
    QCOMPARE(m_store->state(QStringLiteral("e1"))->sessionCalls, qint64(1));
    SessionRecorder::Pending shown = recorder.pending(QStringLiteral("e1"));
    QCOMPARE(shown.calls, qint64(1));
    QCOMPARE(shown.risk, 5);
    QVERIFY(trigger.exec(QStringLiteral("DROP TRIGGER refuse")));
    // The call it was became a denial without a risk step (its record failed), written behind.
    recorder.settle(allow, ExecutionStore::SessionUpdate{QStringLiteral("e1"), QStringLiteral("refund:create"), true, false, 0});
    QVERIFY(m_log->append(record(QStringLiteral("e1"))));
    state = m_store->state(QStringLiteral("e1"));
    QCOMPARE(state->sessionCalls, qint64(2));
    QCOMPARE(state->sessionDenied, qint64(1));
    QCOMPARE(state->riskScore, 5);
    QCOMPARE(recorder.pending(QStringLiteral("e1")).calls, qint64(0));
    m_log.reset();  // stops the writer before the recorder goes
}

void tst_ChargeLedger::budgetGivenBackInTheStoreIsSeen()
{
    // The ledger refuses from what it loaded only after checking the store once: budget given
    // back there (another gateway's refund of a call that never reached its upstream) must
    // not stay refused.
    create(QStringLiteral("e1"), budget(2, 0, "0"));
    for (int i = 0; i < 2; ++i) {
        QVERIFY(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0")));
        QVERIFY(appendWithCharge(QStringLiteral("e1"), budget(1, 0, "0")));
    }
    QCOMPARE(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0")).error().code, QStringLiteral("budget_exhausted"));
    QVERIFY(m_db->transaction([&]() -> Status {
        auto refunded = m_store->refundInTransaction(QStringLiteral("e1"), budget(1, 0, "0"));
        return refunded ? Status::success() : Status(refunded.error());
    }).ok());
    QVERIFY(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0")));
    QCOMPARE(m_ledger->hold(QStringLiteral("e1"), budget(1, 0, "0")).error().code, QStringLiteral("budget_exhausted"));
}

QTEST_GUILESS_MAIN(tst_ChargeLedger)
#include "tst_charge_ledger.moc"
